"""The real bot over real HTTP against the in-repo Telegram simulator, on a controlled clock."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from aftercare_bot.adapters.telegram.runtime.update_order import ChatOrderedUpdates
from aftercare_bot.bootstrap import BotRuntime
from aftercare_bot.clock import ManualClock
from aftercare_bot.config import load_config
from aftercare_bot.domain.outgoing import SendPriority
from aftercare_bot.sandbox import SimUser, TelegramSimulator
from tests.config_files import VALID_CONFIG, write_config

TOKEN = "123456789:AAtest-token-for-the-simulator-00"
START = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


class ImmediatePacer:
    """Lets every send go at once and remembers when Telegram asked to slow down.

    The real pacer waits in real time; these tests run on a controlled clock, and the
    pacer's own timing is unit-tested with a fake clock.
    """

    def __init__(self) -> None:
        self.refusals: list[tuple[int | None, float]] = []

    async def wait_turn(self, chat_id: int) -> None:
        """No wait."""

    async def wait_urgent_turn(
        self, chat_id: int | None, priority: SendPriority = SendPriority.REPLY
    ) -> None:
        """No wait."""

    def refused(self, chat_id: int | None, seconds: float) -> None:
        """Record the request."""
        self.refusals.append((chat_id, seconds))

    @property
    def slowed_down(self) -> list[float]:
        """The waits Telegram asked for, in order."""
        return [seconds for _, seconds in self.refusals]


@dataclass
class RunningBot:
    """What a test drives: the simulator (playing users), the bot's runtime, and its admin."""

    simulator: TelegramSimulator
    runtime: BotRuntime
    clock: ManualClock
    admin: SimUser
    pacer: ImmediatePacer

    def current(self, message: dict[str, Any]) -> dict[str, Any]:
        """A message as it is now (posts and check-ins are edited in place)."""
        chat = message["chat"]["id"]
        return next(
            m for m in self.simulator.messages_in(chat) if m["message_id"] == message["message_id"]
        )

    async def settle(self) -> None:
        """Let the bot finish the updates in hand, then the dispatcher what they made due."""
        updates = self.runtime.application.update_processor
        assert isinstance(updates, ChatOrderedUpdates)
        await updates.idle()
        await self.runtime.heartbeat.idle()

    async def live_until(self, moment: datetime) -> None:
        """Run without downtime until `moment`: the clock stops at every due message."""
        while True:
            async with self.runtime.services.database.unit_of_work() as uow:
                wake = await uow.outbox.next_wake_after(self.clock.now())
            if wake is None or wake > moment:
                break
            self.clock.set(wake)
            await self.settle()
        self.clock.set(moment)
        await self.settle()


@pytest.fixture
async def simulator() -> AsyncIterator[TelegramSimulator]:
    """A Telegram Bot API simulator on a free port of 127.0.0.1.

    Flood limits are off here: these tests answer at machine speed, many times faster than
    a person taps, so the per-chat limit would only make them wait. The delivery and
    benchmark tests switch them on.
    """
    sim = TelegramSimulator(token=TOKEN, bot_username="aftercare_test_bot", rate_limits=False)
    await sim.start()
    yield sim
    await sim.stop()


@pytest.fixture
def extra_config() -> str:
    """More TOML for the bot's config; a test overrides it with `parametrize`."""
    return ""


@pytest.fixture
def languages() -> list[str] | None:
    """clinic.languages: the default (the clinic's, English, Russian) unless a test lists some."""
    return None


@pytest.fixture
def digest_at() -> str:
    """When the daily digest goes out: off (see VALID_CONFIG), unless a test is about it."""
    return "off"


@pytest.fixture
def start_at() -> datetime:
    """Where the bot's clock starts; a module overrides it to start elsewhere."""
    return START


@pytest.fixture
async def bot(
    simulator: TelegramSimulator,
    database_url: str,
    tmp_path: Path,
    extra_config: str,
    digest_at: str,
    start_at: datetime,
    languages: list[str] | None,
) -> AsyncIterator[RunningBot]:
    """The bot, built exactly as `python bot.py run` builds it, polling the simulator."""
    admin = simulator.add_user(first_name="Grey", language_code="en")
    config = load_config(
        write_config(
            tmp_path,
            _with_languages(
                VALID_CONFIG.replace('digest_at = "off"', f'digest_at = "{digest_at}"'), languages
            ),
            database_url=database_url,
            base_url=simulator.base_url,
            admin_ids=(admin.id,),
            extra=extra_config,
        )
    )
    clock = ManualClock(start_at)
    pacer = ImmediatePacer()
    async with BotRuntime(config, clock=clock, pacer=pacer) as runtime:
        await runtime.introduced()
        clock.on_change(runtime.heartbeat.wake)
        yield RunningBot(simulator, runtime, clock, admin, pacer)


def _with_languages(config: str, languages: list[str] | None) -> str:
    if languages is None:
        return config
    listed = ", ".join(f'"{code}"' for code in languages)
    return config.replace("[clinic]\n", f"[clinic]\nlanguages = [{listed}]\n", 1)
