"""SIGTERM in a flood: the bot stops in time, and what it had not handled is handled after the
restart, not lost.

The simulator keeps Telegram's flood limits and the bot paces with its real pacer, so a
hundred chats asking at once leave most of their answers waiting for a turn when the stop
comes, as they would in production.
"""

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from aftercare_bot.adapters.persistence.database import Database
from aftercare_bot.adapters.persistence.tables import held_updates, patient_messages
from aftercare_bot.bootstrap import BotRuntime
from aftercare_bot.clock import ManualClock
from aftercare_bot.config import load_config
from aftercare_bot.sandbox import SimUser, TelegramSimulator
from aftercare_bot.sandbox.transcript import TranscriptEvent
from tests.config_files import write_config
from tests.e2e.conftest import START, TOKEN, ImmediatePacer
from tests.e2e.enrollment_steps import enroll

ASKING = 100  # chats that each send /help at once: about 3.5 s of replies at Telegram's pace
NOTES = 3  # a linked patient's messages in the same moment
GRACE = 1.0  # the runtime's stop grace in this test (production: STOP_GRACE_SECONDS)


@pytest.fixture
async def limited_simulator() -> AsyncIterator[TelegramSimulator]:
    sim = TelegramSimulator(token=TOKEN, bot_username="aftercare_test_bot", rate_limits=True)
    await sim.start()
    yield sim
    await sim.stop()


def answered(simulator: TelegramSimulator, users: list[SimUser]) -> list[int]:
    """How many messages the bot sent each user."""
    return [len(simulator.messages_in(user)) for user in users]


async def count(database: Database, table: object, *where: object) -> int:
    async with database.unit_of_work() as uow:
        statement = select(func.count()).select_from(table)  # type: ignore[arg-type]
        for condition in where:
            statement = statement.where(condition)  # type: ignore[arg-type]
        return int((await uow.session.execute(statement)).scalar_one())


@pytest.mark.slow
async def test_a_stop_in_a_flood_ends_in_time_and_keeps_what_was_not_handled(
    limited_simulator: TelegramSimulator, database_url: str, tmp_path: Path
) -> None:
    simulator = limited_simulator
    grey = simulator.add_user(first_name="Grey")
    config = load_config(
        write_config(
            tmp_path, database_url=database_url, base_url=simulator.base_url, admin_ids=(grey.id,)
        )
    )
    clock = ManualClock(START)
    users = [simulator.add_user(first_name=f"Guest{n}") for n in range(ASKING)]
    simulator.limiter.enabled = False  # enrollment at machine speed, before the flood
    async with BotRuntime(config, clock=clock, pacer=ImmediatePacer()) as runtime:
        await runtime.introduced()
        enrolled = await enroll(grey)
        anna = simulator.add_user(first_name="Anna")
        await anna.send(f"/start {enrolled.token}")
        await anna.press(await anna.wait_for_reply(), "Yes, I agree")
        await anna.wait_for_replies(2)

    simulator.limiter.enabled = True
    async with BotRuntime(config, clock=clock, stop_grace=GRACE):
        await simulator.wait_for_poll()
        for user in users:
            await user.send("/help")
        for n in range(NOTES):
            await anna.send(f"still bleeding a little, note {n}")
        await simulator.wait_for_call("sendMessage", since=len(simulator.api_calls))
        stopping = time.monotonic()
    stopped_after = time.monotonic() - stopping

    # Stopped within the grace and a little more: far inside systemd's 15 s.
    assert stopped_after < GRACE + 3.0
    replies_before = answered(simulator, users)
    assert 0 < sum(1 for n in replies_before if n) < ASKING  # really stopped mid-flood
    database = Database(config.database_url)
    try:
        kept = await count(database, held_updates)
        assert kept >= replies_before.count(0)

        async with BotRuntime(config, clock=clock, stop_grace=GRACE):
            waiting = {user.private_chat.id for user in users if not simulator.messages_in(user)}

            def last_answer(event: TranscriptEvent) -> bool:
                if event.actor == "bot":
                    waiting.discard(event.chat_id)
                return not waiting

            await simulator.wait_for(last_answer, timeout=ASKING / 20 + 5.0)
            replies_after = answered(simulator, users)
            assert all(n >= 1 for n in replies_after)
            # An answer cut short mid-send at the stop may come twice; none more than that.
            assert max(replies_after) <= 2
            assert await count(database, held_updates) == 0
            # Anna's notes go one by one, each passed on to staff (no group is bound: the admin)
            # at the staff chat's pace; once the last is there, all are stored.
            await simulator.wait_for(
                lambda e: e.chat_id == grey.id and f"note {NOTES - 1}" in (e.text or ""),
                timeout=NOTES + 5.0,
            )
            async with database.unit_of_work() as uow:
                stored = (
                    (
                        await uow.session.execute(
                            select(patient_messages.c.text).where(
                                patient_messages.c.text.like("still bleeding%")
                            )
                        )
                    )
                    .scalars()
                    .all()
                )
            assert set(stored) == {f"still bleeding a little, note {n}" for n in range(NOTES)}
            # A note whose handling was cut short after it was stored is stored again when it is
            # handled after the restart (see ChatOrderedUpdates.stop_handling): never lost, at
            # most doubled.
            assert len(stored) <= 2 * NOTES
    finally:
        await database.dispose()
    assert [call for call in simulator.api_calls if call.status == 429] == []
