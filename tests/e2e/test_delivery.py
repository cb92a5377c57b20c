"""Plan messages arrive on time, through Telegram's errors, and survive restarts."""

from datetime import UTC, datetime, timedelta

from aftercare_bot.domain.outbox import MessageState
from aftercare_bot.domain.patients import PatientStatus
from aftercare_bot.domain.tasks import TaskKind
from aftercare_bot.sandbox import SimUser
from tests.e2e.conftest import RunningBot
from tests.e2e.enrollment_steps import enroll

EVENING = datetime(2026, 11, 25, 19, 0, tzinfo=UTC)  # 19:00 in London, day 0 of the plan


async def linked(bot: RunningBot, name: str = "Anna") -> tuple[SimUser, str]:
    """Enroll a patient now and link her; the aftercare instructions have arrived."""
    enrolled = await enroll(bot.admin, name=name)
    patient = bot.simulator.add_user(first_name=name)
    await patient.send(f"/start {enrolled.token}")
    await patient.press(await patient.wait_for_reply(), "Yes, I agree")
    await patient.wait_for_replies(2)
    await bot.settle()
    return patient, enrolled.code


def texts_to(bot: RunningBot, user: SimUser) -> list[str]:
    return [message.get("text", "") for message in bot.simulator.messages_in(user)]


async def message_states(bot: RunningBot, code: str) -> dict[str, str]:
    async with bot.runtime.services.database.unit_of_work() as uow:
        patient = await uow.patients.by_code(code)
        assert patient is not None and patient.id is not None
        return {m.step_key or "": m.state.value for m in await uow.outbox.for_patient(patient.id)}


async def open_task_kinds(bot: RunningBot) -> list[str]:
    async with bot.runtime.services.database.unit_of_work() as uow:
        return [task.kind.value for task in await uow.tasks.open_tasks()]


async def test_a_plan_message_arrives_when_its_time_comes_and_not_before(bot: RunningBot) -> None:
    anna, code = await linked(bot)
    before = len(texts_to(bot, anna))
    bot.clock.set(EVENING - timedelta(minutes=1))
    await bot.settle()
    assert len(texts_to(bot, anna)) == before
    bot.clock.set(EVENING)
    await bot.settle()
    assert texts_to(bot, anna)[-1].startswith("Good evening, Anna")
    assert (await message_states(bot, code))["evening"] == MessageState.SENT.value


async def test_a_flood_limit_is_waited_out_and_the_message_sent_once(bot: RunningBot) -> None:
    anna, code = await linked(bot)
    bot.simulator.faults.fail_next("sendMessage", status=429, retry_after=30)
    bot.clock.set(EVENING)
    await bot.settle()
    assert bot.pacer.slowed_down == [30.0]
    assert (await message_states(bot, code))["evening"] == MessageState.PENDING.value
    bot.clock.advance(timedelta(seconds=30))
    await bot.settle()
    assert [text for text in texts_to(bot, anna) if text.startswith("Good evening")] == [
        texts_to(bot, anna)[-1]
    ]


async def test_a_server_error_is_retried_with_backoff(bot: RunningBot) -> None:
    _anna, code = await linked(bot)
    bot.simulator.faults.fail_next("sendMessage", status=502)
    bot.clock.set(EVENING)
    await bot.settle()
    assert (await message_states(bot, code))["evening"] == MessageState.PENDING.value
    bot.clock.advance(timedelta(seconds=4))
    await bot.settle()
    assert (await message_states(bot, code))["evening"] == MessageState.PENDING.value
    bot.clock.advance(timedelta(seconds=1))
    await bot.settle()
    assert (await message_states(bot, code))["evening"] == MessageState.SENT.value


async def test_a_patient_who_blocks_the_bot_is_stopped_at_once_and_staff_are_told(
    bot: RunningBot,
) -> None:
    anna, code = await linked(bot)
    await anna.block_bot()
    notice = await bot.admin.wait_for_reply()
    assert f"Patient {code} (Anna) blocked the bot" in notice["text"]
    bot.clock.set(EVENING)
    await bot.settle()
    assert (await message_states(bot, code))["evening"] == MessageState.PENDING.value
    await anna.unblock_bot()
    await anna.send("/start")
    [welcome_back, evening] = await anna.wait_for_replies(2)
    assert "Welcome back, Anna" in welcome_back["text"]
    assert evening["text"].startswith("Good evening")
    await bot.settle()
    assert (await message_states(bot, code))["evening"] == MessageState.SENT.value


async def test_a_403_on_sending_marks_the_patient_unreachable_and_opens_a_task(
    bot: RunningBot,
) -> None:
    _anna, code = await linked(bot)
    bot.simulator.faults.fail_next(
        "sendMessage", status=403, description="Forbidden: bot was blocked by the user"
    )
    bot.clock.set(EVENING)
    await bot.settle()
    async with bot.runtime.services.database.unit_of_work() as uow:
        patient = await uow.patients.by_code(code)
    assert patient is not None and patient.status == PatientStatus.UNREACHABLE
    assert (await message_states(bot, code))["evening"] == MessageState.PENDING.value
    assert TaskKind.UNREACHABLE.value in await open_task_kinds(bot)


async def test_after_downtime_a_still_valid_message_goes_out_and_an_expired_one_is_a_task(
    bot: RunningBot,
) -> None:
    anna, code = await linked(bot)
    # The evening message is valid 6 hours; a day-1 check-in is due at 10:00 the next day.
    bot.clock.set(datetime(2026, 11, 26, 10, 30, tzinfo=UTC))
    await bot.settle()
    states = await message_states(bot, code)
    assert states["evening"] == MessageState.SKIPPED.value
    assert states["checkin-day1"] == MessageState.SENT.value
    assert await open_task_kinds(bot) == [TaskKind.SKIPPED_MESSAGE.value]
    assert texts_to(bot, anna)[-1].startswith("Hello Anna, how is your scalp")


async def test_a_message_that_falls_due_in_quiet_hours_waits_for_the_morning(
    bot: RunningBot,
) -> None:
    anna, code = await linked(bot)
    sent_before = len(texts_to(bot, anna))
    # Down from before 19:00 until 22:00: the evening message is still valid, but the clinic's
    # quiet hours (21:00-09:00 London) have begun.
    bot.clock.set(datetime(2026, 11, 25, 22, 0, tzinfo=UTC))
    await bot.settle()
    assert len(texts_to(bot, anna)) == sent_before
    assert (await message_states(bot, code))["evening"] == MessageState.PENDING.value
    bot.clock.set(datetime(2026, 11, 26, 9, 0, tzinfo=UTC))
    await bot.settle()
    assert (await message_states(bot, code))["evening"] == MessageState.SENT.value
    assert texts_to(bot, anna)[-1].startswith("Good evening, Anna")


async def test_the_schedule_command_shows_a_linked_patients_messages(bot: RunningBot) -> None:
    import json

    from tests.e2e.test_enroll_command import bot_py

    _anna, code = await linked(bot)
    config = str(bot.runtime.services.config.source)
    result = await bot_py("schedule", code, "--json", "--config", config)
    assert result.returncode == 0, result.stderr
    rows = {row["step"]: row for row in json.loads(result.stdout)}
    assert rows["aftercare"]["state"] == "sent"
    assert rows["evening"] == {
        "code": code,
        "step": "evening",
        "kind": "info",
        "state": "pending",
        "due_utc": "2026-11-25 19:00 UTC",
        "due_local": "2026-11-25 19:00 GMT",
        "valid_until_utc": "2026-11-26 01:00 UTC",
        "attempts": 0,
    }
    assert rows["checkin-day1"]["due_local"] == "2026-11-26 10:00 GMT"
