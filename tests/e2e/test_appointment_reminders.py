"""The day before the next session: a reminder with Confirm / Need to reschedule / Something
has changed, whose answers reach staff and become tasks."""

from datetime import UTC, datetime

from tests.e2e.conftest import RunningBot
from tests.e2e.enrollment_steps import answer, press
from tests.e2e.test_delivery import linked
from tests.e2e.test_incidents import group_post, staff_group

DAY_BEFORE = datetime(2026, 12, 15, 10, 0, tzinfo=UTC)  # next session: Wed 16 Dec 10:00 London


async def reminder_for(bot: RunningBot) -> tuple[object, dict[str, object], str]:
    anna, code = await linked(bot)
    await bot.live_until(DAY_BEFORE)
    reminder = bot.simulator.messages_in(anna)[-1]
    assert str(reminder["text"]).startswith("Reminder: your next session at Riverside Hair Clinic")
    return anna, reminder, code


async def test_the_reminder_arrives_the_day_before_with_its_three_answers(bot: RunningBot) -> None:
    _anna, reminder, _code = await reminder_for(bot)
    assert "Wed 16 Dec 2026, 10:00" in str(reminder["text"])
    assert "blood thinner" in str(reminder["text"])
    labels = [
        button["text"] for row in reminder["reply_markup"]["inline_keyboard"] for button in row
    ]  # type: ignore[index]
    assert labels == ["Confirm", "Need to reschedule", "Something has changed"]


async def test_confirming_is_recorded_and_staff_see_it(bot: RunningBot) -> None:
    anna, reminder, code = await reminder_for(bot)
    await anna.press(reminder, "Confirm")  # type: ignore[attr-defined]
    reply = await anna.wait_for_reply()  # type: ignore[attr-defined]
    assert "your appointment on Wed 16 Dec 2026, 10:00 is confirmed" in reply["text"]
    notice = await bot.admin.wait_for_reply()
    assert f"Patient {code} (Anna) confirmed the appointment" in notice["text"]
    async with bot.runtime.services.database.unit_of_work() as uow:
        patient = await uow.patients.by_code(code)
        assert patient is not None and patient.id is not None
        course = await uow.patients.current_course(patient.id)
    assert course is not None and course.appointment_confirmed_at == DAY_BEFORE


async def test_something_changed_opens_an_incident_and_the_note_joins_it(bot: RunningBot) -> None:
    group = await staff_group(bot)
    anna, reminder, code = await reminder_for(bot)
    await anna.press(reminder, "Something has changed")  # type: ignore[attr-defined]
    assert "what has changed" in (await anna.wait_for_reply())["text"]  # type: ignore[attr-defined]
    post = await group_post(bot, group, "says something has changed")
    assert f"Patient {code} (Anna) says something has changed" in post["text"]
    assert [b["text"] for row in post["reply_markup"]["inline_keyboard"] for b in row] == [
        "Acknowledge",
        "Resolved",
        "Message patient",
    ]
    await anna.send("I started taking aspirin <daily>")  # type: ignore[attr-defined]
    assert "the clinic will see your note" in (await anna.wait_for_reply())["text"]  # type: ignore[attr-defined]
    note = await group_post(bot, group, "I started taking aspirin <daily>")
    assert note["reply_to_message"]["message_id"] == post["message_id"]  # in the incident's thread
    listing = await answer(bot.admin, "/tasks")
    assert "something changed since the last session" in listing["text"]
    assert "“I started taking aspirin <daily>”" in listing["text"]
    await bot.admin.press(post, "Acknowledge")
    told = await anna.wait_for_reply()  # type: ignore[attr-defined]
    assert "Grey from the clinic has seen your report" in told["text"]


async def test_a_task_done_from_the_list_is_closed(bot: RunningBot) -> None:
    anna, reminder, _code = await reminder_for(bot)
    await anna.press(reminder, "Need to reschedule")  # type: ignore[attr-defined]
    assert "will contact you" in (await anna.wait_for_reply())["text"]  # type: ignore[attr-defined]
    assert "needs to reschedule" in (await bot.admin.wait_for_reply())["text"]
    listing = await answer(bot.admin, "/tasks")
    assert "wants to reschedule" in listing["text"]
    refreshed = await press(
        bot.admin, listing, listing["reply_markup"]["inline_keyboard"][0][0]["text"]
    )
    assert "is done" in refreshed["text"]
    assert "No open tasks" in (await answer(bot.admin, "/tasks"))["text"]


async def test_a_reminder_pressed_from_another_chat_changes_nothing(bot: RunningBot) -> None:
    _anna, reminder, _code = await reminder_for(bot)
    eve = bot.simulator.add_user(first_name="Eve")
    await eve.send("/help")
    greeting = await eve.wait_for_reply()
    await eve.forge_press(greeting, f"appt:{reminder['message_id']}:confirm")
    assert "no longer current" in (await eve.wait_for_reply())["text"]


async def test_next_shows_the_appointment_in_the_patients_zone_and_whether_confirmed(
    bot: RunningBot,
) -> None:
    anna, reminder, _code = await reminder_for(bot)
    await anna.send("/next")  # type: ignore[attr-defined]
    reply = await anna.wait_for_reply()  # type: ignore[attr-defined]
    assert "Your next session at Riverside Hair Clinic: Wed 16 Dec 2026, 10:00." in reply["text"]
    await anna.press(reminder, "Confirm")  # type: ignore[attr-defined]
    await anna.wait_for_reply()  # type: ignore[attr-defined]
    await anna.send("/next")  # type: ignore[attr-defined]
    assert "(confirmed)" in (await anna.wait_for_reply())["text"]  # type: ignore[attr-defined]
    stranger = bot.simulator.add_user(first_name="Sam")
    await stranger.send("/next")
    assert "open the link the clinic gave you first" in (await stranger.wait_for_reply())["text"]
