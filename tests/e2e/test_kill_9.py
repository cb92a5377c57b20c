"""`python bot.py run` killed with SIGKILL in the middle of sending, then started again.

These are real processes against the simulator: the bot is caught while Telegram holds its
request (before acting on it, or after delivering it but before answering), killed, and
restarted. Before: the message goes out once. After: it goes out a second time, the one
documented window (README: How messages are delivered).
"""

import asyncio
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from aftercare_bot.sandbox import SimUser, TelegramSimulator
from tests.config_files import VALID_CONFIG, write_config
from tests.e2e.conftest import TOKEN
from tests.e2e.test_enroll_command import REPOSITORY, bot_py

STARTUP_SECONDS = 30


@pytest.fixture
async def telegram() -> AsyncIterator[TelegramSimulator]:
    sim = TelegramSimulator(token=TOKEN, bot_username="aftercare_test_bot", rate_limits=False)
    await sim.start()
    yield sim
    await sim.stop()


async def start_bot(config: Path, telegram: TelegramSimulator) -> asyncio.subprocess.Process:
    mark = len(telegram.api_calls)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(REPOSITORY / "bot.py"),
        "run",
        "--config",
        str(config),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    # Started once it has published its command menu (the last step before polling).
    await telegram.wait_for_call("setMyCommands", timeout=STARTUP_SECONDS, since=mark)
    return process


def is_aftercare(params: dict[str, Any]) -> bool:
    return "Aftercare after your session" in str(params.get("text", ""))


def aftercare_count(telegram: TelegramSimulator, anna: SimUser) -> int:
    return sum(
        "Aftercare after your session" in message.get("text", "")
        for message in telegram.messages_in(anna)
    )


async def kill_while_sending(
    tmp_path: Path, telegram: TelegramSimulator, database_url: str, *, after: bool
) -> tuple[Path, SimUser]:
    config = write_config(tmp_path, database_url=database_url, base_url=telegram.base_url)
    enrolled = await bot_py("enroll", "--config", str(config), "--name", "Anna")
    token = enrolled.stdout.strip().split("?start=")[1]
    bot = await start_bot(config, telegram)
    anna = telegram.add_user(first_name="Anna")
    await anna.send(f"/start {token}")
    welcome = await anna.wait_for_reply(timeout=15)
    hold = telegram.faults.hold_next("sendMessage", after=after, matching=is_aftercare)
    await anna.press(welcome, "Yes, I agree")
    await asyncio.wait_for(hold.arrived(), timeout=15)
    bot.send_signal(signal.SIGKILL)
    await bot.wait()
    hold.release()
    return config, anna


async def restart_and_stop(
    config: Path, telegram: TelegramSimulator, anna: SimUser, expected: int
) -> int:
    bot = await start_bot(config, telegram)
    await telegram.wait_for(lambda _event: aftercare_count(telegram, anna) >= expected, timeout=15)
    bot.send_signal(signal.SIGTERM)
    return await asyncio.wait_for(bot.wait(), timeout=10)


@pytest.mark.slow
async def test_killed_before_telegram_acted_the_message_goes_out_once_after_restart(
    tmp_path: Path, telegram: TelegramSimulator, database_url: str
) -> None:
    config, anna = await kill_while_sending(tmp_path, telegram, database_url, after=False)
    assert aftercare_count(telegram, anna) == 0
    assert await restart_and_stop(config, telegram, anna, expected=1) == 0
    assert aftercare_count(telegram, anna) == 1


@pytest.mark.slow
async def test_killed_after_telegram_delivered_it_is_sent_again_the_documented_window(
    tmp_path: Path, telegram: TelegramSimulator, database_url: str
) -> None:
    config, anna = await kill_while_sending(tmp_path, telegram, database_url, after=True)
    assert aftercare_count(telegram, anna) == 1
    assert await restart_and_stop(config, telegram, anna, expected=2) == 0
    assert aftercare_count(telegram, anna) == 2


@pytest.mark.slow
async def test_killed_between_storing_an_incident_and_posting_it_it_is_posted_once(
    tmp_path: Path, telegram: TelegramSimulator, database_url: str
) -> None:
    group = telegram.add_group("Clinic staff")
    config = write_config(
        tmp_path,
        VALID_CONFIG.replace("[staff]\n", f"[staff]\nescalation_chat_id = {group.id}\n"),
        database_url=database_url,
        base_url=telegram.base_url,
    )
    enrolled = await bot_py("enroll", "--config", str(config), "--name", "Anna")
    token = enrolled.stdout.strip().split("?start=")[1]
    bot = await start_bot(config, telegram)
    anna = telegram.add_user(first_name="Anna")
    await anna.send(f"/start {token}")
    await anna.press(await anna.wait_for_reply(timeout=15), "Yes, I agree")
    await anna.wait_for_replies(2, timeout=15)

    def is_her_words(params: dict[str, Any]) -> bool:
        return "my scalp itches" in str(params.get("text", ""))

    hold = telegram.faults.hold_next("sendMessage", matching=is_her_words)
    await anna.send("my scalp itches since this morning")  # her own words: a routine incident
    await asyncio.wait_for(hold.arrived(), timeout=15)  # stored; the post is on its way
    bot.send_signal(signal.SIGKILL)
    await bot.wait()
    hold.release()

    def posts() -> int:
        return sum("my scalp itches" in m.get("text", "") for m in telegram.messages_in(group))

    assert posts() == 0
    bot = await start_bot(config, telegram)
    await telegram.wait_for(lambda _event: posts() >= 1, timeout=15)
    bot.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(bot.wait(), timeout=10) == 0
    assert posts() == 1
