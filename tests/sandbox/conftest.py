"""Fixtures for proving the simulator against the real python-telegram-bot client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from aftercare_bot.sandbox import SimUser, TelegramSimulator

TOKEN = "123456:TEST"
PNG_1x1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8cfc0f01f0005000201e221bc330000000049454e44ae426082"
)


@pytest.fixture(autouse=True)
def _timedelta_periods(monkeypatch: pytest.MonkeyPatch) -> None:
    """PTB 22 warns on int time periods (e.g. RetryAfter.retry_after) unless opted in."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def sim() -> AsyncIterator[TelegramSimulator]:
    """A running simulator without flood limits, so ordinary tests never see 429."""
    async with TelegramSimulator(TOKEN, rate_limits=False) as simulator:
        yield simulator


@pytest.fixture
async def bot(sim: TelegramSimulator) -> AsyncIterator[Bot]:
    """A real PTB Bot talking to the simulator over HTTP."""
    async with Bot(TOKEN, base_url=sim.base_url, base_file_url=sim.base_file_url) as client:
        yield client


@pytest.fixture
def alice(sim: TelegramSimulator) -> SimUser:
    """A patient who has already opened a chat with the bot."""
    return sim.add_user("Alice", username="alice", started=True)


@pytest.fixture
def png() -> bytes:
    """A valid 1x1 PNG, small enough to compare byte for byte."""
    return PNG_1x1
