"""A crash at any stage of a message's life, then a restart: nothing lost, nothing doubled
beyond the one documented window.

The crash is reproduced by leaving the database exactly as a killed process leaves it (the
row pending, sending or sent) and starting a fresh runtime on it against the same simulator.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import update

from aftercare_bot.adapters.persistence.tables import scheduled_messages
from aftercare_bot.bootstrap import BotRuntime
from aftercare_bot.clock import ManualClock
from aftercare_bot.config import Config, load_config
from aftercare_bot.domain.outbox import MessageState
from aftercare_bot.sandbox import SimUser, TelegramSimulator
from tests.config_files import write_config
from tests.e2e.conftest import START, ImmediatePacer
from tests.e2e.enrollment_steps import enroll

EVENING = datetime(2026, 11, 25, 19, 0, tzinfo=UTC)


@asynccontextmanager
async def running(config: Config, clock: ManualClock) -> AsyncIterator[BotRuntime]:
    async with BotRuntime(config, clock=clock, pacer=ImmediatePacer()) as runtime:
        await runtime.introduced()
        clock.on_change(runtime.heartbeat.wake)
        yield runtime
        await runtime.heartbeat.idle()


async def linked_patient(
    simulator: TelegramSimulator, tmp_path: Path, database_url: str
) -> tuple[Config, SimUser]:
    grey = simulator.add_user(first_name="Grey")
    config = load_config(
        write_config(
            tmp_path, database_url=database_url, base_url=simulator.base_url, admin_ids=(grey.id,)
        )
    )
    async with running(config, ManualClock(START)) as runtime:
        enrolled = await enroll(grey)
        anna = simulator.add_user(first_name="Anna")
        await anna.send(f"/start {enrolled.token}")
        await anna.press(await anna.wait_for_reply(), "Yes, I agree")
        await anna.wait_for_replies(2)
        await runtime.heartbeat.idle()
    return config, anna


async def leave_evening_message(config: Config, state: MessageState) -> None:
    from aftercare_bot.adapters.persistence.database import Database

    database = Database(config.database_url)
    async with database.unit_of_work() as uow:
        await uow.session.execute(
            update(scheduled_messages)
            .where(scheduled_messages.c.step_key == "evening")
            .values(state=state, attempts=1 if state != MessageState.PENDING else 0)
        )
        await uow.commit()
    await database.dispose()


def evenings(simulator: TelegramSimulator, anna: SimUser) -> int:
    return sum(
        1
        for message in simulator.messages_in(anna)
        if message.get("text", "").startswith("Good evening")
    )


async def restart_at_evening(config: Config) -> None:
    async with running(config, ManualClock(EVENING)):
        pass


async def test_a_crash_before_sending_sends_the_message_once_after_restart(
    simulator: TelegramSimulator, tmp_path: Path, database_url: str
) -> None:
    config, anna = await linked_patient(simulator, tmp_path, database_url)
    await leave_evening_message(config, MessageState.PENDING)
    await restart_at_evening(config)
    await restart_at_evening(config)
    assert evenings(simulator, anna) == 1


async def test_a_crash_while_sending_sends_it_again_after_restart(
    simulator: TelegramSimulator, tmp_path: Path, database_url: str
) -> None:
    config, anna = await linked_patient(simulator, tmp_path, database_url)
    await leave_evening_message(config, MessageState.SENDING)
    await restart_at_evening(config)
    await restart_at_evening(config)
    assert evenings(simulator, anna) == 1


async def test_a_crash_after_sending_never_sends_it_again(
    simulator: TelegramSimulator, tmp_path: Path, database_url: str
) -> None:
    config, anna = await linked_patient(simulator, tmp_path, database_url)
    await leave_evening_message(config, MessageState.SENT)
    await restart_at_evening(config)
    assert evenings(simulator, anna) == 0
