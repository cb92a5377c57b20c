"""The real bot over real HTTP against the in-repo Telegram simulator, on a controlled clock."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from aftercare_bot.bootstrap import BotRuntime
from aftercare_bot.clock import ManualClock
from aftercare_bot.config import load_config
from aftercare_bot.sandbox import TelegramSimulator
from tests.config_files import write_config

TOKEN = "123456789:AAtest-token-for-the-simulator-00"
START = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


@dataclass
class RunningBot:
    """What a test drives: the simulator (playing users) and the bot's runtime."""

    simulator: TelegramSimulator
    runtime: BotRuntime
    clock: ManualClock


@pytest.fixture
async def simulator() -> AsyncIterator[TelegramSimulator]:
    """A Telegram Bot API simulator on a free port of 127.0.0.1."""
    sim = TelegramSimulator(token=TOKEN, bot_username="aftercare_test_bot")
    await sim.start()
    yield sim
    await sim.stop()


@pytest.fixture
async def bot(
    simulator: TelegramSimulator, database_url: str, tmp_path: Path
) -> AsyncIterator[RunningBot]:
    """The bot, built exactly as `python bot.py run` builds it, polling the simulator."""
    config = load_config(
        write_config(tmp_path, database_url=database_url, base_url=simulator.base_url)
    )
    clock = ManualClock(START)
    async with BotRuntime(config, clock=clock) as runtime:
        clock.on_change(runtime.heartbeat.wake)
        yield RunningBot(simulator, runtime, clock)
