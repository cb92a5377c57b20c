"""Staff follow a course: a new session restarts the plan, an appointment can move."""

from datetime import timedelta

from aftercare_bot.domain.outbox import MessageState
from tests.e2e.conftest import RunningBot
from tests.e2e.enrollment_steps import answer, enroll, press


async def linked_patient(bot: RunningBot, name: str = "Anna") -> str:
    enrolled = await enroll(bot.admin, name=name)
    patient = bot.simulator.add_user(first_name=name)
    await patient.send(f"/start {enrolled.token}")
    await patient.press(await patient.wait_for_reply(), "Yes, I agree")
    await patient.wait_for_replies(2)
    return enrolled.code


async def states_by_step(bot: RunningBot, code: str) -> dict[str, list[str]]:
    async with bot.runtime.services.database.unit_of_work() as uow:
        patient = await uow.patients.by_code(code)
        assert patient is not None and patient.id is not None
        messages = await uow.outbox.for_patient(patient.id)
    states: dict[str, list[str]] = {}
    for message in messages:
        states.setdefault(message.step_key or "", []).append(message.state.value)
    return states


async def test_recording_the_next_session_cancels_what_is_left_and_restarts_the_plan(
    bot: RunningBot,
) -> None:
    code = await linked_patient(bot)
    bot.clock.advance(timedelta(days=2))
    reply = await answer(bot.admin, f"/session {code}")
    assert "Recorded session 2 of 4" in reply["text"]
    await bot.settle()
    states = await states_by_step(bot, code)
    assert states["checkin-day3"] == [MessageState.CANCELLED.value, MessageState.PENDING.value]
    assert states["aftercare"] == [MessageState.SENT.value, MessageState.SENT.value]


async def test_moving_the_appointment_replaces_its_reminders(bot: RunningBot) -> None:
    code = await linked_patient(bot)
    reply = await answer(bot.admin, f"/appointment {code} 2026-12-18 15:00")
    assert "Next appointment for Anna" in reply["text"]
    assert "Fri 18 Dec 2026, 15:00" in reply["text"]
    states = await states_by_step(bot, code)
    assert states["reminder-2h"] == [MessageState.CANCELLED.value, MessageState.PENDING.value]


async def test_a_name_matching_several_patients_lists_them_as_buttons(bot: RunningBot) -> None:
    first = await linked_patient(bot, "Anna")
    second = await linked_patient(bot, "Annabel")
    choice = await answer(bot.admin, "/newlink ann")
    assert "Several patients match" in choice["text"]
    labels = {
        label for row in choice["reply_markup"]["inline_keyboard"] for label in [row[0]["text"]]
    }
    assert labels == {f"{first} Anna", f"{second} Annabel"}
    reply = await press(bot.admin, choice, f"{second} Annabel")
    assert f"New one-time link for Annabel ({second})" in reply["text"]


async def test_an_unknown_patient_and_a_bad_date_are_answered_with_an_example(
    bot: RunningBot,
) -> None:
    assert "No patient matches" in (await answer(bot.admin, "/session Zed"))["text"]
    code = await linked_patient(bot)
    reply = await answer(bot.admin, f"/appointment {code} soon")
    assert "Usage: /appointment CODE YYYY-MM-DD HH:MM" in reply["text"]


async def test_a_chat_that_follows_one_patient_cannot_take_over_another(bot: RunningBot) -> None:
    anna = bot.simulator.add_user(first_name="Anna")
    first = await enroll(bot.admin, name="Anna")
    await anna.send(f"/start {first.token}")
    await anna.press(await anna.wait_for_reply(), "Yes, I agree")
    await anna.wait_for_replies(2)
    other = await enroll(bot.admin, name="Boris")
    await anna.send(f"/start {other.token}")
    assert "already follows another patient" in (await anna.wait_for_reply())["text"]


async def test_staff_write_the_appointment_their_way_and_a_date_that_could_be_either_is_asked(
    bot: RunningBot,
) -> None:
    code = await linked_patient(bot)
    reply = await answer(bot.admin, f"/appointment {code} 3/12 15:00")
    assert reply["text"] == (
        "Did you mean Thu 3 Dec 2026, 15:00 or Thu 12 Mar 2026, 15:00? Please write the date so "
        "only one can be meant, e.g. 2026-11-26 10:00."
    )
    reply = await answer(bot.admin, f"/appointment {code} 03.12.2026 15:00")
    assert "Next appointment for Anna" in reply["text"]
    assert "Thu 3 Dec 2026, 15:00" in reply["text"]
    reply = await answer(bot.admin, f"/appointment {code} tomorrow 11:30")
    assert "Thu 26 Nov 2026, 11:30" in reply["text"]
