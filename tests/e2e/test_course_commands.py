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
    assert reply["text"] == (
        f"Set the next appointment for Anna ({code}) to Fri 18 Dec 2026, "
        "15:00? Press the date to set it."
    )
    reply = await press(bot.admin, reply, "Fri 18 Dec 2026, 15:00")
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
    """Typed on Wednesday 25 November 2026: "3/12" is asked (12 March is next year's, since
    an appointment is to come), every date is read back and stored only when pressed."""
    code = await linked_patient(bot)
    reply = await answer(bot.admin, f"/appointment {code} 3/12 15:00")
    assert reply["text"] == (
        f"For Anna ({code}): did you mean Thu 3 Dec 2026, 15:00 or "
        "Fri 12 Mar 2027, 15:00? Press the one you mean."
    )
    reply = await press(bot.admin, reply, "Thu 3 Dec 2026, 15:00")
    assert reply["text"].startswith("Next appointment for Anna")
    assert "Thu 3 Dec 2026, 15:00" in reply["text"]
    reply = await answer(bot.admin, f"/appointment {code} 03.12.2026 16:00")
    assert "Thu 3 Dec 2026, 16:00" in reply["text"]
    reply = await press(bot.admin, reply, "Cancel")
    assert reply["text"] == "Nothing was recorded."
    reply = await answer(bot.admin, "/appointment Anna tomorrow 11:30")
    reply = await press(bot.admin, reply, "Thu 26 Nov 2026, 11:30")
    assert "Thu 26 Nov 2026, 11:30" in reply["text"]
    async with bot.runtime.services.database.unit_of_work() as uow:
        patient = await uow.patients.by_code(code)
        assert patient is not None and patient.id is not None
        course = await uow.patients.current_course(patient.id)
    assert course is not None and course.next_appointment_at is not None
    assert course.next_appointment_at.isoformat() == "2026-11-26T11:30:00+00:00"


async def test_a_session_typed_with_a_date_is_read_back_and_a_second_press_records_nothing(
    bot: RunningBot,
) -> None:
    code = await linked_patient(bot)
    bot.clock.advance(timedelta(days=2))
    await bot.settle()  # the evening message, two days late, is skipped and staff are told
    reply = await answer(bot.admin, f"/session {code} yesterday 15:00")
    assert reply["text"] == (
        f"Record a session for Anna ({code}) held on Thu 26 Nov 2026, "
        "15:00? Press the date to record it."
    )
    assert (await states_by_step(bot, code))["aftercare"] == [MessageState.SENT.value]
    read_back = reply
    mark = bot.simulator.mark()
    await bot.admin.press(read_back, "Thu 26 Nov 2026, 15:00")
    await admin_reads(bot, "Recorded session 2 of 4", since=mark)
    # the same button pressed again before its buttons went (a double tap on a slow network)
    data = read_back["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    mark = bot.simulator.mark()
    await bot.admin.forge_press(read_back, data)
    await admin_reads(bot, "Recorded session 2 of 4", since=mark)  # the same, not a third
    await bot.settle()
    states = await states_by_step(bot, code)
    assert states["aftercare"] == [MessageState.SENT.value, MessageState.SENT.value]


async def admin_reads(bot: RunningBot, text: str, since: int) -> None:
    """The admin's private chat gets a message containing `text` (whatever else arrives)."""
    await bot.simulator.wait_for(
        lambda e: e.chat_id == bot.admin.id and e.is_new_message and text in (e.text or ""),
        since=since,
    )


async def test_an_appointment_read_back_pressed_after_its_time_is_refused(
    bot: RunningBot,
) -> None:
    code = await linked_patient(bot)
    reply = await answer(bot.admin, f"/appointment {code} today 15:00")
    bot.clock.advance(timedelta(hours=6))
    reply = await press(bot.admin, reply, "Wed 25 Nov 2026, 15:00")
    assert reply["text"].startswith("Wed 25 Nov 2026, 15:00 has already passed: nothing was set.")
