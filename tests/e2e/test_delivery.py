"""Plan messages arrive on time, through Telegram's errors, and survive restarts."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

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
    told = await bot.admin.wait_for_reply()  # the nurse who enrolled her hears she is linked
    assert told["text"].startswith(f"{name} ({enrolled.code}) has opened the link")
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
    post = await bot.admin.wait_for_reply()  # no staff group bound: the admins get the incident
    assert f"Patient {code} (Anna) cannot be reached on Telegram" in post["text"]
    assert [b["text"] for row in post["reply_markup"]["inline_keyboard"] for b in row] == [
        "Acknowledge",
        "Resolved",
        "Message patient",
    ]


async def test_an_unreachable_patient_who_writes_again_gets_their_paused_messages(
    bot: RunningBot,
) -> None:
    anna, code = await linked(bot)
    await anna.send("/help")  # seen writing while reachable: the bot remembers her chat
    await anna.wait_for_replies(2)  # what she can do, and her aftercare instructions again
    bot.clock.set(EVENING - timedelta(minutes=1))
    await bot.settle()  # the day's staff check is out of the way
    bot.simulator.faults.fail_next(
        "sendMessage", status=403, description="Forbidden: bot was blocked by the user"
    )
    bot.clock.set(EVENING)
    await bot.settle()
    assert (await message_states(bot, code))["evening"] == MessageState.PENDING.value
    await anna.send("I am back")
    await anna.wait_for_reply()
    await bot.settle()
    async with bot.runtime.services.database.unit_of_work() as uow:
        patient = await uow.patients.by_code(code)
    assert patient is not None and patient.status == PatientStatus.LINKED
    assert (await message_states(bot, code))["evening"] == MessageState.SENT.value
    assert any(text.startswith("Good evening, Anna") for text in texts_to(bot, anna))


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


@pytest.mark.slow
async def test_a_skipped_message_reaches_staff_as_an_incident_the_patient_is_not_told_of(
    bot: RunningBot,
) -> None:
    anna, code = await linked(bot)
    bot.clock.set(datetime(2026, 11, 26, 10, 30, tzinfo=UTC))
    await bot.settle()
    post = await bot.admin.wait_for_reply()
    assert f"Patient {code} (Anna): a planned message could not be sent in time" in post["text"]
    assert "“evening”" in post["text"]
    seen_by_anna = len(texts_to(bot, anna))
    await press_and_see(bot, post, "Acknowledge", "Acknowledged by Grey")
    # Anna reported nothing: "the clinic has seen your report" would puzzle her.
    assert len(texts_to(bot, anna)) == seen_by_anna
    await press_and_see(bot, post, "Resolved", "Resolved by Grey", then="Advice given")
    assert await open_task_kinds(bot) == []  # resolving the incident closed its task


async def press_and_see(
    bot: RunningBot, post: dict[str, Any], label: str, line: str, then: str | None = None
) -> None:
    """A staff member presses a button under an incident post (then, for Resolved, the
    outcome) and sees it edited."""
    mark = bot.simulator.mark()
    await bot.admin.press(bot.current(post), label)
    if then is not None:
        await bot.simulator.wait_for(
            lambda e: e.kind == "edit" and e.message_id == post["message_id"], since=mark
        )
        mark = bot.simulator.mark()
        await bot.admin.press(bot.current(post), then)
    await bot.simulator.wait_for(
        lambda e: (
            e.kind == "edit" and e.message_id == post["message_id"] and line in (e.text or "")
        ),
        since=mark,
    )
