"""Staff enroll a patient after a session; the patient links with one tap and consents."""

from datetime import timedelta
from typing import Any

import pytest

from aftercare_bot.adapters.persistence.database import Database
from aftercare_bot.domain.patients import PatientStatus
from tests.e2e.conftest import START, RunningBot
from tests.e2e.enrollment_steps import answer, confirm, enroll, press


async def test_staff_see_the_dated_timeline_before_confirming(bot: RunningBot) -> None:
    staff = bot.admin
    question = await answer(staff, "/enroll")
    assert "first name" in question["text"]
    question = await answer(staff, "Anna")
    question = await press(staff, question, "Now")
    question = await press(staff, question, "Me (Grey)")
    question = await press(staff, question, "In 3 weeks")
    question = await press(staff, question, "English")
    preview = await press(staff, question, "Skip")
    text = preview["text"]
    assert "Patient: Anna" in text
    assert "Next session: Wed 16 Dec 2026, 10:00" in text
    assert "as soon as the link is opened: information (aftercare)" in text
    assert "Wed 25 Nov 2026, 19:00: information (evening)" in text
    assert "Thu 26 Nov 2026, 10:00: check-in (checkin-day1)" in text
    assert "Tue 15 Dec 2026, 10:00: appointment reminder (reminder-day-before)" in text
    assert "Wed 16 Dec 2026, 09:00: appointment reminder (reminder-2h)" in text


async def test_the_patient_links_with_one_tap_consents_and_gets_the_aftercare_at_once(
    bot: RunningBot,
) -> None:
    enrolled = await enroll(bot.admin)
    assert enrolled.link.startswith("https://t.me/aftercare_test_bot?start=")
    assert enrolled.qr_caption.startswith(enrolled.code)
    anna = bot.simulator.add_user(first_name="Anna", language_code="en")
    await anna.send(f"/start {enrolled.token}")
    welcome = await anna.wait_for_reply()
    assert "What is stored" in welcome["text"]
    assert "Mon\u2013Fri 09:00\u201319:00" in welcome["text"]
    await anna.press(welcome, "Yes, I agree")
    thanks, aftercare = await anna.wait_for_replies(2)
    assert "You are now linked" in thanks["text"]
    assert "Aftercare after your session" in aftercare["text"]
    assert "Grey's instructions" in aftercare["text"]


async def test_nothing_is_linked_before_the_patient_agrees(bot: RunningBot) -> None:
    enrolled = await enroll(bot.admin)
    anna = bot.simulator.add_user(first_name="Anna")
    await anna.send(f"/start {enrolled.token}")
    await anna.wait_for_reply()
    database: Database = bot.runtime.services.database
    async with database.unit_of_work() as uow:
        patient = await uow.patients.by_code(enrolled.code)
    assert patient is not None
    assert (patient.status, patient.chat_id) == (PatientStatus.NOT_LINKED, None)


async def test_declining_stores_nothing_more_and_tells_staff(bot: RunningBot) -> None:
    enrolled = await enroll(bot.admin, name="Boris")
    boris = bot.simulator.add_user(first_name="Boris")
    await boris.send(f"/start {enrolled.token}")
    welcome = await boris.wait_for_reply()
    await boris.press(welcome, "No, thanks")
    reply = await boris.wait_for_reply()
    assert "you will not receive any messages" in reply["text"]
    notice = await bot.admin.wait_for_reply()
    assert f"Patient {enrolled.code} (Boris) declined" in notice["text"]
    async with bot.runtime.services.database.unit_of_work() as uow:
        patient = await uow.patients.by_code(enrolled.code)
    assert patient is not None and patient.chat_id is None


async def test_an_expired_link_asks_to_get_a_new_one_from_the_clinic(bot: RunningBot) -> None:
    enrolled = await enroll(bot.admin)
    bot.clock.advance(timedelta(days=7, seconds=1))
    anna = bot.simulator.add_user(first_name="Anna")
    await anna.send(f"/start {enrolled.token}")
    reply = await anna.wait_for_reply()
    assert "This link has expired" in reply["text"]
    assert "+44 20 7946 0000" in reply["text"]


async def test_a_forged_or_garbled_token_gets_a_clear_answer(bot: RunningBot) -> None:
    mallory = bot.simulator.add_user(first_name="Mallory")
    await mallory.send("/start " + "A" * 43)
    assert "This link is not valid" in (await mallory.wait_for_reply())["text"]
    await mallory.send("/start <script>")
    assert "This link is not valid" in (await mallory.wait_for_reply())["text"]


async def test_a_used_link_cannot_be_used_by_someone_else_but_its_owner_is_reassured(
    bot: RunningBot,
) -> None:
    enrolled = await enroll(bot.admin)
    anna = bot.simulator.add_user(first_name="Anna")
    await anna.send(f"/start {enrolled.token}")
    await anna.press(await anna.wait_for_reply(), "Yes, I agree")
    await anna.wait_for_replies(2)
    await anna.send(f"/start {enrolled.token}")
    assert "You are already linked" in (await anna.wait_for_reply())["text"]
    eve = bot.simulator.add_user(first_name="Eve")
    await eve.send(f"/start {enrolled.token}")
    assert "already been used" in (await eve.wait_for_reply())["text"]


async def test_someone_else_opening_a_link_after_the_patient_cannot_consent(
    bot: RunningBot,
) -> None:
    enrolled = await enroll(bot.admin)
    anna = bot.simulator.add_user(first_name="Anna")
    await anna.send(f"/start {enrolled.token}")
    await anna.wait_for_reply()
    eve = bot.simulator.add_user(first_name="Eve")
    await eve.send(f"/start {enrolled.token}")
    assert "already been used" in (await eve.wait_for_reply())["text"]


async def test_a_new_link_moves_the_patient_to_a_new_phone(bot: RunningBot) -> None:
    enrolled = await enroll(bot.admin)
    old_phone = bot.simulator.add_user(first_name="Anna")
    await old_phone.send(f"/start {enrolled.token}")
    await old_phone.press(await old_phone.wait_for_reply(), "Yes, I agree")
    await old_phone.wait_for_replies(2)
    reply = await answer(bot.admin, f"/newlink {enrolled.code}")
    token = reply["text"].split("?start=")[1].split()[0]
    new_phone = bot.simulator.add_user(first_name="Anna")
    await new_phone.send(f"/start {token}")
    await new_phone.press(await new_phone.wait_for_reply(), "Yes, I agree")
    assert "You are now linked" in (await new_phone.wait_for_reply())["text"]
    async with bot.runtime.services.database.unit_of_work() as uow:
        patient = await uow.patients.by_code(enrolled.code)
    assert patient is not None and patient.chat_id == new_phone.id


async def test_a_stranger_is_refused_staff_commands_and_the_attempt_is_audited(
    bot: RunningBot,
) -> None:
    stranger = bot.simulator.add_user(first_name="Stan")
    for command in ("/enroll", "/addstaff", "/newlink P-2345"):
        await stranger.send(command)
        assert "for clinic staff only" in (await stranger.wait_for_reply())["text"]
    async with bot.runtime.services.database.unit_of_work() as uow:
        refusals = [
            (event.actor_telegram_id, event.detail)
            for event in await uow.audit.since(START - timedelta(seconds=1))
            if event.action == "staff.refused"
        ]
    assert refusals == [
        (stranger.id, "/enroll"),
        (stranger.id, "/addstaff"),
        (stranger.id, "/newlink"),
    ]


async def test_an_admin_invites_staff_who_can_then_enroll(bot: RunningBot) -> None:
    invitation = await answer(bot.admin, "/addstaff")
    token = invitation["text"].split("?start=")[1].split()[0]
    nurse = bot.simulator.add_user(first_name="Nina")
    await nurse.send(f"/start {token}")
    assert "Welcome to Riverside Hair Clinic's staff" in (await nurse.wait_for_reply())["text"]
    enrolled = await enroll(nurse, name="Clara")
    assert enrolled.code.startswith("P-")
    await nurse.send("/addstaff")
    assert "Only an admin" in (await nurse.wait_for_reply())["text"]


async def test_an_admin_removes_a_staff_member_who_is_then_refused(bot: RunningBot) -> None:
    invitation = await answer(bot.admin, "/addstaff")
    nurse = bot.simulator.add_user(first_name="Nina")
    await nurse.send(f"/start {invitation['text'].split('?start=')[1].split()[0]}")
    await nurse.wait_for_reply()
    choice = await answer(bot.admin, "/removestaff")
    confirmation = await press(bot.admin, choice, "Nina")
    assert "Nina is no longer staff" in confirmation["text"]
    await nurse.send("/enroll")
    assert "for clinic staff only" in (await nurse.wait_for_reply())["text"]


async def test_an_admin_binds_a_private_staff_group_but_not_a_public_one(bot: RunningBot) -> None:
    public = bot.simulator.add_group("Clinic chat", [bot.admin], username="clinicchat")
    await bot.admin.send("/bindgroup", chat=public)
    assert "This group is public" in (await bot.admin.wait_for_reply())["text"]
    private = bot.simulator.add_group("Clinic staff", [bot.admin])
    await bot.admin.send("/bindgroup", chat=private)
    assert "this group now receives alerts" in (await bot.admin.wait_for_reply())["text"]
    enrolled = await enroll(bot.admin, name="Dora")
    dora = bot.simulator.add_user(first_name="Dora")
    await dora.send(f"/start {enrolled.token}")
    await dora.press(await dora.wait_for_reply(), "No, thanks")
    await dora.wait_for_reply()
    notice = await bot.simulator.wait_for(
        lambda event: event.chat_id == private.id and "declined" in (event.text or "")
    )
    assert enrolled.code in (notice.text or "")


async def test_bad_answers_get_the_question_again_with_an_example(bot: RunningBot) -> None:
    staff = bot.admin
    await answer(staff, "/enroll")
    assert "just a first name" in (await answer(staff, "12345"))["text"]
    question = await answer(staff, "Anna")
    retry = await answer(staff, "tomorrow-ish")
    assert "2026-11-24 10:00" in retry["text"]  # a session has happened: its example is past
    question = await press(staff, retry, "Now")
    question = await answer(staff, "Dr Who")
    retry = await answer(staff, "2020-01-01 10:00")
    assert "after the session" in retry["text"]
    question = await staff.wait_for_reply()
    question = await answer(staff, "2026-12-20 11:30")
    question = await press(staff, question, "English")
    preview = await answer(staff, "Dermaheal HSR, LOT-42")
    assert "Product: Dermaheal HSR, LOT-42" in preview["text"]
    assert "Next session: Sun 20 Dec 2026, 11:30" in preview["text"]
    enrolled = await confirm(staff, preview)
    assert enrolled.code.startswith("P-")


async def test_a_name_that_is_more_than_a_first_name_is_refused_with_the_reason(
    bot: RunningBot,
) -> None:
    staff = bot.admin
    await answer(staff, "/enroll")
    refusal = await answer(staff, "+44 7700 900123")
    assert "looks like a phone number" in refusal["text"]
    assert "just a first name, e.g. Anna" in refusal["text"]
    assert "e-mail address" in (await answer(staff, "anna@x.io"))["text"]
    assert "no digits" in (await answer(staff, "Anna 2"))["text"]
    assert "more than three words" in (await answer(staff, "Anna Maria Luisa Rossi"))["text"]
    question = await answer(staff, "  María   José ")
    assert "When was the session?" in question["text"]
    question = await press(staff, question, "Now")
    question = await press(staff, question, "Me (Grey)")
    question = await press(staff, question, "In 3 weeks")
    question = await press(staff, question, "English")
    preview = await press(staff, question, "Skip")
    assert "Patient: María José" in preview["text"]
    enrolled = await confirm(staff, preview)
    async with bot.runtime.services.database.unit_of_work() as uow:
        patient = await uow.patients.by_code(enrolled.code)
    assert patient is not None and patient.display_name == "María José"


async def test_cancel_leaves_at_any_step_and_stores_nothing(bot: RunningBot) -> None:
    await answer(bot.admin, "/enroll")
    await answer(bot.admin, "Anna")
    reply = await answer(bot.admin, "/cancel")
    assert "Nothing was stored" in reply["text"]
    async with bot.runtime.services.database.unit_of_work() as uow:
        assert await uow.patients.matching("Anna") == []


async def test_a_forged_consent_button_cannot_link_a_chat_without_the_token(
    bot: RunningBot,
) -> None:
    from aftercare_bot.domain.enrollment_links import hash_token

    enrolled = await enroll(bot.admin)
    async with bot.runtime.services.database.unit_of_work() as uow:
        link = await uow.links.by_token_hash(hash_token(enrolled.token))
    assert link is not None
    eve = bot.simulator.add_user(first_name="Eve")
    await eve.send("/start")
    greeting = await eve.wait_for_reply()
    await eve.forge_press(greeting, f"consent:{link.id}:yes")
    assert "This link is not valid" in (await eve.wait_for_reply())["text"]
    async with bot.runtime.services.database.unit_of_work() as uow:
        patient = await uow.patients.by_code(enrolled.code)
    assert patient is not None and patient.chat_id is None


async def test_a_typed_button_label_is_taken_as_the_button(bot: RunningBot) -> None:
    """Staff who type "now", "In 3 weeks" or "Skip" instead of pressing get what the button
    gives: "Skip" is never stored as the product's name."""
    grey = bot.admin
    await answer(grey, "/enroll")
    await answer(grey, "Anna")
    assert "Who performed the session?" in (await answer(grey, "now"))["text"]
    assert "When is the next session?" in (await answer(grey, "Me (Grey)"))["text"]
    language_question = await answer(grey, "in 3 weeks")
    assert "Which language" in language_question["text"]
    product_question = await press(grey, language_question, "English")
    preview = await answer(grey, "Skip")
    assert "Product: none" in preview["text"]
    assert "Practitioner: Grey" in preview["text"]
    assert "the product and its batch" in product_question["text"]


async def _session_typed(bot: RunningBot, typed: str) -> dict[str, Any]:
    """/enroll up to the session question, then the session typed as staff write it."""
    await answer(bot.admin, "/enroll")
    question = await answer(bot.admin, "Anna")
    assert "e.g. 2026-11-24 10:00" in question["text"]  # the example is in the past
    return await answer(bot.admin, typed)


async def _preview_after(bot: RunningBot, practitioner_question: dict[str, Any]) -> str:
    assert "Who performed the session?" in practitioner_question["text"]
    question = await press(bot.admin, practitioner_question, "Me (Grey)")
    question = await press(bot.admin, question, "Not known yet")
    question = await press(bot.admin, question, "English")
    preview = await press(bot.admin, question, "Skip")
    return str(preview["text"])


@pytest.mark.parametrize(
    ("typed", "echoed"),
    [
        ("24.11.2026 11:00", "Session: Tue 24 Nov 2026, 11:00"),
        ("yesterday 15:00", "Session: Tue 24 Nov 2026, 15:00"),
        ("today 09:30", "Session: Wed 25 Nov 2026, 09:30"),
        ("2026-11-20 10:00", "Session: Fri 20 Nov 2026, 10:00"),
    ],
)
async def test_staff_type_the_session_the_way_they_write_dates(
    bot: RunningBot, typed: str, echoed: str
) -> None:
    """Each is echoed with its weekday and month name in the preview, before anything is
    stored."""
    preview = await _preview_after(bot, await _session_typed(bot, typed))
    assert echoed in preview


async def test_a_slashed_date_that_could_be_either_is_asked_not_guessed(bot: RunningBot) -> None:
    which = await _session_typed(bot, "3/11 11:00")
    assert which["text"] == "Which date do you mean?"
    labels = [row[0]["text"] for row in which["reply_markup"]["inline_keyboard"]]
    assert labels == ["Tue 3 Nov 2026, 11:00", "Wed 11 Mar 2026, 11:00"]
    preview = await _preview_after(bot, await press(bot.admin, which, "Tue 3 Nov 2026, 11:00"))
    assert "Session: Tue 3 Nov 2026, 11:00" in preview


async def test_a_second_patient_with_a_followed_first_name_is_pointed_out(
    bot: RunningBot,
) -> None:
    first = await enroll(bot.admin, name="Maria")
    await answer(bot.admin, "/enroll")
    question = await answer(bot.admin, "maria")
    assert question["text"].startswith(
        f"Note: a patient called maria is already followed ({first.code})."
    )
    assert "When was the session?" in question["text"]
    await answer(bot.admin, "/cancel")
    await answer(bot.admin, "/enroll")
    question = await answer(bot.admin, "Marta")
    assert question["text"].startswith("When was the session?")
