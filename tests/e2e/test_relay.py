"""Message patient, by draft: every confirmation sends its own text to its own patient, or is
refused with the reason, however many drafts are open at once."""

from dataclasses import dataclass
from functools import partial
from typing import Any

from aftercare_bot.sandbox import SimChat, SimUser
from aftercare_bot.sandbox.transcript import TranscriptEvent
from tests.e2e.conftest import RunningBot
from tests.e2e.test_delivery import linked, texts_to
from tests.e2e.test_incidents import report_severe, staff_group

CLINIC = "Riverside Hair Clinic"


@dataclass
class Case:
    """A linked patient with an urgent incident posted in the staff group."""

    patient: SimUser
    code: str
    post: dict[str, Any]


async def incidents_for(bot: RunningBot, group: SimChat, *names: str) -> list[Case]:
    """Patients linked now, each with an urgent check-in answer on day 1, posted."""
    people = [await linked(bot, name) for name in names]
    cases = []
    for patient, code in people:
        await report_severe(bot, patient)
        event = await bot.simulator.wait_for(partial(_is_post_of, group.id, code))
        assert event.message is not None
        cases.append(Case(patient, code, event.message))
    return cases


def _is_post_of(group_id: int, code: str, event: TranscriptEvent) -> bool:
    text = event.text or ""
    return event.chat_id == group_id and event.is_new_message and code in text and "URGENT" in text


async def open_prompt(
    bot: RunningBot, group: SimChat, case: Case, staff: SimUser
) -> dict[str, Any]:
    """`staff` presses Message patient under the case's post; the bot's prompt."""
    mark = bot.simulator.mark()
    await staff.press(bot.current(case.post), "Message patient")
    event = await bot.simulator.wait_for(
        lambda e: (
            e.chat_id == group.id and e.is_new_message and "Write your message" in (e.text or "")
        ),
        since=mark,
    )
    assert event.message is not None
    return event.message


async def answer_to(bot: RunningBot, message: dict[str, Any], since: int) -> dict[str, Any]:
    """The bot's next message replying to `message` (the staff group has other traffic)."""
    event = await bot.simulator.wait_for(
        lambda e: (
            e.is_new_message
            and e.message is not None
            and e.message.get("reply_to_message", {}).get("message_id") == message["message_id"]
            and e.chat_id == message["chat"]["id"]
        ),
        since=since,
    )
    assert event.message is not None
    return event.message


async def write(
    bot: RunningBot, group: SimChat, prompt: dict[str, Any], text: str, staff: SimUser
) -> dict[str, Any]:
    """`staff` replies to the prompt with `text`; the bot's answer (a confirmation or not)."""
    mark = bot.simulator.mark()
    written = await staff.send(text, chat=group, reply_to=prompt)
    return await answer_to(bot, written, mark)


async def draft_for(
    bot: RunningBot, group: SimChat, case: Case, text: str, staff: SimUser | None = None
) -> dict[str, Any]:
    """Message patient, then a reply with `text`: the confirmation with Send / Cancel."""
    staff = staff or bot.admin
    confirm = await write(bot, group, await open_prompt(bot, group, case, staff), text, staff)
    assert f"Send to patient {case.code}" in confirm["text"]
    return confirm


async def press_and_wait_for_edit(
    bot: RunningBot, staff: SimUser, message: dict[str, Any], label: str
) -> dict[str, Any]:
    """Press a button and wait until the bot has edited that message; the message now."""
    mark = bot.simulator.mark()
    await staff.press(message, label)
    await bot.simulator.wait_for(
        lambda e: (
            e.kind == "edit"
            and e.chat_id == message["chat"]["id"]
            and e.message_id == message["message_id"]
        ),
        since=mark,
    )
    await bot.settle()
    return bot.current(message)


async def send(
    bot: RunningBot, staff: SimUser, confirm: dict[str, Any], to: Case
) -> dict[str, Any]:
    """Press Send; once the confirmation shows it and the patient has a staff message, the
    confirmation as it is now."""
    mark = bot.simulator.mark()
    done = await press_and_wait_for_edit(bot, staff, confirm, "Send")
    await bot.simulator.wait_for(
        lambda e: e.chat_id == to.patient.id and f" from {CLINIC}: " in (e.text or ""), since=mark
    )
    await bot.settle()
    return done


async def refusal_after_press(
    bot: RunningBot, staff: SimUser, message: dict[str, Any], label: str
) -> str:
    """Press a button; the text of the bot's refusal, a reply to the pressed message."""
    mark = bot.simulator.mark()
    await staff.press(message, label)
    refusal = await answer_to(bot, message, mark)
    await bot.settle()
    return str(refusal["text"])


def relayed_to(bot: RunningBot, patient: SimUser) -> list[str]:
    """Every staff message the patient got through the bot, oldest first."""
    return [text for text in texts_to(bot, patient) if f" from {CLINIC}: " in text]


def button_data(message: dict[str, Any], label: str) -> str:
    return next(
        str(button["callback_data"])
        for row in message["reply_markup"]["inline_keyboard"]
        for button in row
        if button["text"] == label
    )


def labels(message: dict[str, Any]) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [button["text"] for row in markup.get("inline_keyboard", []) for button in row]


async def nurse_in(bot: RunningBot, group: SimChat) -> SimUser:
    """A second staff member, Nina, invited by the admin and in the staff group."""
    await bot.admin.send("/addstaff")
    link = (await bot.admin.wait_for_reply())["text"].split("?start=")[1].split()[0]
    nurse = bot.simulator.add_user(first_name="Nina")
    await nurse.send(f"/start {link}")
    await nurse.wait_for_reply()
    group.add_member(nurse)
    return nurse


async def test_each_confirmation_sends_its_own_text_to_its_own_patient(bot: RunningBot) -> None:
    group = await staff_group(bot)
    ann, bea = await incidents_for(bot, group, "Ann", "Bea")
    for_ann = await draft_for(bot, group, ann, "Text A: please send a photo of the area.")
    for_bea = await draft_for(bot, group, bea, "Text B: how is the swelling today?")

    sent = await send(bot, bot.admin, for_ann, ann)

    assert relayed_to(bot, ann.patient) == [
        f"Grey from {CLINIC}: Text A: please send a photo of the area."
    ]
    assert relayed_to(bot, bea.patient) == []
    assert f"Sent to Ann ({ann.code}) by Grey" in sent["text"]
    assert "Text A" in sent["text"] and labels(sent) == []
    assert "Send" in labels(bot.current(for_bea))

    sent = await send(bot, bot.admin, for_bea, bea)

    assert relayed_to(bot, bea.patient) == [
        f"Grey from {CLINIC}: Text B: how is the swelling today?"
    ]
    assert f"Sent to Bea ({bea.code}) by Grey" in sent["text"]
    assert len(relayed_to(bot, ann.patient)) == 1


async def test_send_pressed_twice_sends_once(bot: RunningBot) -> None:
    group = await staff_group(bot)
    [ann] = await incidents_for(bot, group, "Ann")
    confirm = await draft_for(bot, group, ann, "Only once, please.")
    await send(bot, bot.admin, confirm, ann)
    # A second tap that reached the bot before the buttons were gone (or a stale client).
    mark = bot.simulator.mark()
    await bot.admin.forge_press(confirm, button_data(confirm, "Send"))
    refusal = await answer_to(bot, confirm, mark)
    await bot.settle()
    assert "Already sent" in refusal["text"]
    assert relayed_to(bot, ann.patient) == [f"Grey from {CLINIC}: Only once, please."]


async def test_a_second_reply_to_the_same_prompt_replaces_the_first_draft(
    bot: RunningBot,
) -> None:
    group = await staff_group(bot)
    [ann] = await incidents_for(bot, group, "Ann")
    prompt = await open_prompt(bot, group, ann, bot.admin)
    first = await write(bot, group, prompt, "Come on Tuesday.", bot.admin)
    second = await write(bot, group, prompt, "Come on Wednesday.", bot.admin)
    assert "Come on Wednesday." in second["text"] and "Send" in labels(second)

    refusal = await refusal_after_press(bot, bot.admin, first, "Send")

    assert "a newer text replaced this one" in refusal
    assert relayed_to(bot, ann.patient) == []
    assert labels(bot.current(first)) == []  # the stale confirmation loses its buttons
    await send(bot, bot.admin, second, ann)
    assert relayed_to(bot, ann.patient) == [f"Grey from {CLINIC}: Come on Wednesday."]


async def test_send_after_the_patient_stopped_is_refused(bot: RunningBot) -> None:
    group = await staff_group(bot)
    [ann] = await incidents_for(bot, group, "Ann")
    confirm = await draft_for(bot, group, ann, "Are you feeling better?")
    await ann.patient.send("/stop")
    await ann.patient.wait_for_reply()

    refusal = await refusal_after_press(bot, bot.admin, confirm, "Send")

    assert "the patient has stopped messages from the bot" in refusal
    assert relayed_to(bot, ann.patient) == []


async def test_send_after_the_patient_erased_their_data_is_refused(bot: RunningBot) -> None:
    group = await staff_group(bot)
    [ann] = await incidents_for(bot, group, "Ann")
    confirm = await draft_for(bot, group, ann, "Are you feeling better?")
    await ann.patient.send("/delete")
    await ann.patient.press(await ann.patient.wait_for_reply(), "Yes, erase my data")
    assert "erased" in (await ann.patient.wait_for_reply())["text"]

    refusal = await refusal_after_press(bot, bot.admin, confirm, "Send")

    assert "the patient has erased their data" in refusal
    assert relayed_to(bot, ann.patient) == []


async def test_only_the_author_of_a_draft_can_send_it(bot: RunningBot) -> None:
    group = await staff_group(bot)
    nurse = await nurse_in(bot, group)
    [ann] = await incidents_for(bot, group, "Ann")
    confirm = await draft_for(bot, group, ann, "From Grey, not Nina.")

    refusal = await refusal_after_press(bot, nurse, confirm, "Send")

    assert "This draft is Grey's" in refusal
    assert relayed_to(bot, ann.patient) == []
    assert "Send" in labels(bot.current(confirm))  # still Grey's to send
    await send(bot, bot.admin, confirm, ann)
    assert relayed_to(bot, ann.patient) == [f"Grey from {CLINIC}: From Grey, not Nina."]


async def test_two_staff_drafting_at_once_each_send_their_own(bot: RunningBot) -> None:
    group = await staff_group(bot)
    nurse = await nurse_in(bot, group)
    ann, bea = await incidents_for(bot, group, "Ann", "Bea")
    by_grey = await draft_for(bot, group, ann, "Grey writes to Ann.")
    by_nina = await draft_for(bot, group, bea, "Nina writes to Bea.", staff=nurse)

    await send(bot, nurse, by_nina, bea)
    await send(bot, bot.admin, by_grey, ann)

    assert relayed_to(bot, bea.patient) == [f"Nina from {CLINIC}: Nina writes to Bea."]
    assert relayed_to(bot, ann.patient) == [f"Grey from {CLINIC}: Grey writes to Ann."]


async def test_cancel_sends_nothing_and_says_so_on_the_confirmation(bot: RunningBot) -> None:
    group = await staff_group(bot)
    [ann] = await incidents_for(bot, group, "Ann")
    confirm = await draft_for(bot, group, ann, "Maybe not.")

    cancelled = await press_and_wait_for_edit(bot, bot.admin, confirm, "Cancel")

    assert "Cancelled by Grey" in cancelled["text"] and labels(cancelled) == []
    assert relayed_to(bot, ann.patient) == []


async def test_a_text_too_long_for_one_message_is_refused_not_cut(bot: RunningBot) -> None:
    group = await staff_group(bot)
    [ann] = await incidents_for(bot, group, "Ann")
    prompt = await open_prompt(bot, group, ann, bot.admin)

    refusal = await write(bot, group, prompt, "x" * 3001, bot.admin)

    assert "3001 characters and the limit is 3000" in refusal["text"]
    assert labels(refusal) == []
    confirm = await write(bot, group, prompt, "Short now.", bot.admin)
    assert "Short now." in confirm["text"] and "Send" in labels(confirm)
