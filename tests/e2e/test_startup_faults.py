"""What goes wrong at start-up, as an operator sees it: one line, never a traceback or the token.

And the README's systemd unit, run as written against the simulator, starts a fresh install
that has no staff group yet.
"""

import asyncio
import ctypes
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from aftercare_bot.adapters.persistence import migrate
from aftercare_bot.bootstrap import Pause, retry_delay, wait_for_telegram
from aftercare_bot.config import load_config
from aftercare_bot.sandbox import TelegramSimulator
from tests.config_files import VALID_CONFIG, write_config
from tests.e2e.conftest import TOKEN
from tests.e2e.test_enroll_command import REPOSITORY, bot_py

REFUSED = "987654321:AAsome-other-bots-token-000000000"


@pytest.fixture
async def telegram_api() -> AsyncIterator[TelegramSimulator]:
    sim = TelegramSimulator(token=TOKEN, bot_username="aftercare_test_bot", rate_limits=False)
    await sim.start()
    yield sim
    await sim.stop()


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Path:
    """A migrated SQLite database (these faults are SQLite's, also when tests use PostgreSQL)."""
    path = tmp_path / "aftercare.sqlite3"
    migrate.upgrade(f"sqlite:///{path}")
    return path


class ClosedPort:
    """A port nothing listens on: Telegram unreachable, connection refused.

    Held bound (without listening) until released, so that no other test running beside this
    one (pytest-xdist) is handed the same port for its simulator meanwhile."""

    def __init__(self) -> None:
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self.number: int = self._socket.getsockname()[1]

    def release(self) -> None:
        """Let something listen on the port (a Telegram that comes back)."""
        self._socket.close()


@pytest.fixture
def closed_port() -> Iterator[ClosedPort]:
    port = ClosedPort()
    yield port
    port.release()


def assert_no_traceback_nor_token(result: subprocess.CompletedProcess[str]) -> None:
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    for token in (TOKEN, REFUSED):
        assert token.split(":")[1] not in output


async def test_run_with_a_refused_token_names_the_setting_in_one_line(
    tmp_path: Path, telegram_api: TelegramSimulator, database_url: str
) -> None:
    config = write_config(tmp_path, database_url=database_url, base_url=telegram_api.base_url)
    config.write_text(config.read_text().replace(TOKEN, REFUSED))
    result = await bot_py("run", "--config", str(config))
    assert_no_traceback_nor_token(result)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "run: telegram.token was refused by Telegram (check it with @BotFather)"
    ]


@pytest.mark.parametrize(
    ("command", "exit_status"),
    [
        (["check"], 0),  # `run` waits for Telegram, so the unit's check lets it start
        (["check", "--strict"], 1),
        (["enroll", "--name", "Anna"], 1),
    ],
)
async def test_a_one_shot_command_says_telegram_is_unreachable_in_one_line(
    tmp_path: Path, database_url: str, command: list[str], exit_status: int, closed_port: ClosedPort
) -> None:
    base_url = f"http://127.0.0.1:{closed_port.number}/bot"
    config = write_config(tmp_path, database_url=database_url, base_url=base_url)
    result = await bot_py(*command, "--config", str(config))
    assert_no_traceback_nor_token(result)
    assert result.returncode == exit_status
    [line] = result.stderr.splitlines()
    assert line.startswith(f"{command[0]}: ")
    assert base_url in line


def test_the_pauses_between_attempts_double_up_to_a_minute() -> None:
    assert [retry_delay(attempt) for attempt in range(1, 10)] == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert retry_delay(100_000) == 60


class RecordedPause(Pause):
    """No real wait: remembers each pause, and lets the test act on the n-th."""

    def __init__(self, on_pause: dict[int, Callable[[], object]]) -> None:
        self.pauses: list[float] = []
        self.on_pause = on_pause

    async def __call__(self, seconds: float, stop: asyncio.Event) -> None:
        self.pauses.append(seconds)
        action = self.on_pause.get(len(self.pauses))
        done = action() if action else None
        if asyncio.iscoroutine(done):
            await done


async def test_run_asks_an_unreachable_telegram_again_until_it_answers(
    tmp_path: Path, database_url: str, caplog: pytest.LogCaptureFixture, closed_port: ClosedPort
) -> None:
    base_url = f"http://127.0.0.1:{closed_port.number}/bot"
    config = load_config(write_config(tmp_path, database_url=database_url, base_url=base_url))
    telegram = TelegramSimulator(token=TOKEN, rate_limits=False, port=closed_port.number)

    async def telegram_is_back() -> None:
        closed_port.release()
        await telegram.start()

    pause = RecordedPause({3: telegram_is_back})  # Telegram is back during the third pause
    try:
        with caplog.at_level("WARNING", logger="aftercare_bot.bootstrap"):
            assert await wait_for_telegram(config, asyncio.Event(), pause)
    finally:
        await telegram.stop()
    assert pause.pauses == [1, 2, 4]
    warnings = [record for record in caplog.records if record.name == "aftercare_bot.bootstrap"]
    assert [record.levelname for record in warnings] == ["WARNING"] * 3
    assert all(record.exc_info is None for record in warnings)
    assert f"Telegram did not answer at {base_url} (attempt 3:" in warnings[2].getMessage()


async def test_a_signal_while_telegram_is_away_ends_the_wait(
    tmp_path: Path, database_url: str, closed_port: ClosedPort
) -> None:
    base_url = f"http://127.0.0.1:{closed_port.number}/bot"
    config = load_config(write_config(tmp_path, database_url=database_url, base_url=base_url))
    stop = asyncio.Event()
    pause = RecordedPause({1: stop.set})
    assert not await wait_for_telegram(config, stop, pause)
    assert pause.pauses == [1]


async def test_db_backup_into_a_missing_folder_says_so(tmp_path: Path, sqlite_file: Path) -> None:
    config = write_config(tmp_path, database_url=f"sqlite:///{sqlite_file}")
    target = tmp_path / "no such folder" / "copy.sqlite3"
    result = await bot_py("db", "backup", str(target), "--config", str(config))
    assert_no_traceback_nor_token(result)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"db backup: {target.parent} is not a folder (create it first)"
    ]


async def test_a_config_path_that_is_a_folder_says_so(tmp_path: Path) -> None:
    result = await bot_py("status", "--config", str(tmp_path))
    assert_no_traceback_nor_token(result)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"{tmp_path}: is a folder, not a config file (expected e.g. {tmp_path / 'config.toml'})"
    ]


def _without_root_powers() -> None:
    """In the child, before exec: root too must obey file permissions (tests may run as root)."""
    pr_capbset_drop = 24
    for capability in (1, 2, 3):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER
        ctypes.CDLL(None, use_errno=True).prctl(pr_capbset_drop, capability, 0, 0, 0)


def test_a_read_only_database_file_is_one_line(tmp_path: Path, sqlite_file: Path) -> None:
    database = sqlite_file
    config = write_config(tmp_path, database_url=f"sqlite:///{database}")
    database.chmod(0o444)
    writable = subprocess.run(
        [sys.executable, "-c", f"import os, sys; sys.exit(os.access({str(database)!r}, os.W_OK))"],
        preexec_fn=_without_root_powers,
        check=False,
    )
    if writable.returncode:
        pytest.skip("this user writes to read-only files (root that cannot drop the power)")
    result = subprocess.run(
        [sys.executable, str(REPOSITORY / "bot.py"), "run", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        preexec_fn=_without_root_powers,
    )
    assert_no_traceback_nor_token(result)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"run: database {database}: the file is read-only (the user running the bot must be "
        "able to write to the file and its folder)"
    ]


def unit_commands(readme: str) -> list[list[str]]:
    """The ExecStartPre and ExecStart command lines of the README's systemd unit, in order."""
    unit = readme.split("**systemd.**", 1)[1].split("```ini\n", 1)[1].split("```", 1)[0]
    settings = re.findall(r"^(ExecStartPre|ExecStart)=[-@+!:]*(.+)$", unit, re.MULTILINE)
    directory = re.search(r"^WorkingDirectory=(.+)$", unit, re.MULTILINE)
    assert directory is not None and [key for key, _ in settings] == [
        "ExecStartPre",
        "ExecStart",
    ]
    commands = [shlex.split(line) for _, line in settings]
    for argv in commands:
        assert argv[0] == f"{directory[1]}/.venv/bin/python" and argv[1] == "bot.py"
    return commands


def as_here(argv: list[str], config: Path) -> list[str]:
    """The unit's command line on this machine: this Python, this checkout, this config."""
    here = [sys.executable, str(REPOSITORY / "bot.py"), *argv[2:]]
    here[here.index("--config") + 1] = str(config)
    return here


async def test_the_readme_systemd_unit_starts_a_fresh_install_with_no_group_bound(
    tmp_path: Path, telegram_api: TelegramSimulator
) -> None:
    admin = telegram_api.add_user(first_name="Grey")  # has not pressed Start yet
    text = VALID_CONFIG.replace(f'token = "{TOKEN}"\n', "")  # the token is in the environment
    config = write_config(
        tmp_path,
        text,
        database_url=f"sqlite:///{tmp_path / 'state' / 'aftercare.sqlite3'}",
        base_url=telegram_api.base_url,
        admin_ids=(admin.id,),
    )
    environment = {**os.environ, "AFTERCARE_TELEGRAM_TOKEN": TOKEN}
    check, run = unit_commands((REPOSITORY / "README.md").read_text(encoding="utf-8"))

    before = await _finish(await _start(as_here(check, config), environment))
    assert before.returncode == 0, before.stdout + before.stderr
    assert f"unreachable  admin {admin.id}:" in before.stdout
    assert "unreachable  staff group: none bound" in before.stdout

    bot = await _start(as_here(run, config), environment)
    started = await _read_until(bot, "is running")
    status = await bot_py("status", "--config", str(config))
    bot.send_signal(signal.SIGTERM)
    stopped = await _finish(bot)
    stopped.stderr = started + stopped.stderr
    for result in (before, status, stopped):
        assert_no_traceback_nor_token(result)
    assert status.returncode == 1, status.stdout
    assert "status     degraded\n  - no staff group is bound and no admin can be reached" in (
        status.stdout
    )
    assert stopped.returncode == 0, stopped.stderr


async def _start(argv: list[str], environment: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        *argv, env=environment, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )


async def _read_until(process: asyncio.subprocess.Process, words: str) -> str:
    """Its stderr up to the first line holding `words`."""
    assert process.stderr is not None
    lines: list[str] = []
    async with asyncio.timeout(60):
        while not lines or words not in lines[-1]:
            line = (await process.stderr.readline()).decode()
            assert line, "".join(lines)  # it ended before saying it
            lines.append(line)
    return "".join(lines)


async def _finish(process: asyncio.subprocess.Process) -> subprocess.CompletedProcess[str]:
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return subprocess.CompletedProcess([], process.returncode, stdout.decode(), stderr.decode())
