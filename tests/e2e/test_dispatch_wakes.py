"""The dispatcher wakes when the next row falls due, not only at its tick.

These tests run on a controlled clock, so they check the wake the running bot arms after each
round (a moment on the bot's clock); that an armed wake fires in real time is tested in
tests/integration/test_heartbeat.py.
"""

from datetime import UTC, datetime, timedelta

import pytest

from aftercare_bot.domain.outbox import MessageState, ScheduledMessage
from tests.e2e.conftest import RunningBot
from tests.e2e.test_delivery import EVENING, linked, message_states, texts_to

# Far longer than the steps are apart: a step waiting for the tick would be up to a minute late.
pytestmark = pytest.mark.parametrize("extra_config", ['\n[schedule]\ntick = "60s"\n'])

SECOND = timedelta(seconds=1)


def armed(bot: RunningBot) -> datetime | None:
    return bot.runtime.heartbeat.armed("dispatch")


async def add_evening_copies(bot: RunningBot, code: str, *due: datetime) -> None:
    """More plan steps for the patient (copies of her evening message), as a plan adds them."""
    async with bot.runtime.services.database.unit_of_work() as uow:
        patient = await uow.patients.by_code(code)
        assert patient is not None and patient.id is not None
        evening = next(
            m for m in await uow.outbox.for_patient(patient.id) if m.step_key == "evening"
        )
        for number, due_at in enumerate(due):
            await uow.outbox.add_unless_present(
                ScheduledMessage(
                    unique_key=f"{evening.unique_key}:copy{number}",
                    patient_id=patient.id,
                    kind=evening.kind,
                    message_key=evening.message_key,
                    due_at=due_at,
                    valid_until=due_at + timedelta(hours=1),
                    session_id=evening.session_id,
                    step_key=f"copy{number}",
                )
            )
        await uow.commit()
    bot.runtime.heartbeat.wake()  # as a handler does after adding a row
    await bot.settle()


def evenings(bot: RunningBot, texts: list[str]) -> int:
    return sum(1 for text in texts if text.startswith("Good evening"))


async def test_steps_two_seconds_apart_each_wake_the_dispatcher_at_their_due_time(
    bot: RunningBot,
) -> None:
    anna, code = await linked(bot)
    now = bot.clock.now()
    await add_evening_copies(bot, code, now + 2 * SECOND, now + 4 * SECOND)
    assert armed(bot) == now + 2 * SECOND
    bot.clock.set(now + 2 * SECOND)
    await bot.settle()
    assert evenings(bot, texts_to(bot, anna)) == 1
    assert armed(bot) == now + 4 * SECOND
    bot.clock.set(now + 4 * SECOND)
    await bot.settle()
    assert evenings(bot, texts_to(bot, anna)) == 2
    states = await message_states(bot, code)
    assert (states["copy0"], states["copy1"]) == (MessageState.SENT, MessageState.SENT)
    assert armed(bot) is None  # the next step (this evening) is hours away: the tick comes first


async def test_a_deferred_message_wakes_the_dispatcher_at_its_retry_not_at_once(
    bot: RunningBot,
) -> None:
    _anna, code = await linked(bot)
    bot.simulator.faults.fail_next("sendMessage", status=502)
    bot.clock.set(EVENING)
    await bot.settle()
    assert (await message_states(bot, code))["evening"] == MessageState.PENDING
    assert armed(bot) == EVENING + 5 * SECOND  # the first backoff
    bot.clock.set(EVENING + 5 * SECOND)
    await bot.settle()
    assert (await message_states(bot, code))["evening"] == MessageState.SENT


async def test_a_step_held_by_quiet_hours_wakes_nothing_until_they_end(bot: RunningBot) -> None:
    anna, code = await linked(bot)
    quiet_from = datetime(2026, 11, 25, 21, 0, tzinfo=UTC)  # 21:00 in London
    bot.clock.set(quiet_from - 2 * SECOND)
    await bot.settle()
    await add_evening_copies(bot, code, quiet_from)
    assert armed(bot) == quiet_from
    sent = len(texts_to(bot, anna))
    bot.clock.set(quiet_from)
    await bot.settle()
    assert len(texts_to(bot, anna)) == sent
    assert armed(bot) is None  # held until 09:00: no wake at once, nor every moment after
