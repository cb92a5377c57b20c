"""On SQLite, one `run` per database; everything else works beside it, including a backup.

These are SQLite features, so the tests use a SQLite file whichever database the suite runs on.
"""

import asyncio
import signal
import sqlite3
from pathlib import Path

import pytest

from aftercare_bot.sandbox import TelegramSimulator
from tests.config_files import write_config
from tests.e2e.test_enroll_command import bot_py
from tests.e2e.test_kill_9 import start_bot, telegram  # noqa: F401 - the fixture


def sqlite_config(tmp_path: Path, simulator: TelegramSimulator) -> Path:
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    return write_config(tmp_path, database_url=url, base_url=simulator.base_url)


@pytest.mark.slow
async def test_a_second_run_on_the_same_sqlite_file_refuses_to_start(
    tmp_path: Path,
    telegram: TelegramSimulator,  # noqa: F811
) -> None:
    config = sqlite_config(tmp_path, telegram)
    first = await start_bot(config, telegram)
    try:
        second = await bot_py("run", "--config", str(config))
        assert second.returncode == 1
        database = tmp_path / "clinic.sqlite3"
        assert second.stderr.strip() == (
            f"run: another bot is already running on {database} (pid {first.pid}); "
            "stop it first (two instances need PostgreSQL)"
        )
        enrolled = await bot_py("enroll", "--config", str(config), "--name", "Anna")
        assert enrolled.returncode == 0, enrolled.stderr
    finally:
        first.send_signal(signal.SIGKILL)
        await first.wait()
    # The kernel released the lock with the process: a restart after kill -9 just works.
    again = await start_bot(config, telegram)
    again.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(again.wait(), timeout=10) == 0


@pytest.mark.slow
async def test_a_backup_taken_while_the_bot_runs_is_a_consistent_copy(
    tmp_path: Path,
    telegram: TelegramSimulator,  # noqa: F811
) -> None:
    config = sqlite_config(tmp_path, telegram)
    bot = await start_bot(config, telegram)
    try:
        for name in ("Anna", "Ben", "Cleo"):
            enrolled = await bot_py("enroll", "--config", str(config), "--name", name)
            assert enrolled.returncode == 0, enrolled.stderr
        copy = tmp_path / "backups" / "clinic-copy.sqlite3"
        copy.parent.mkdir()
        result = await bot_py("db", "backup", str(copy), "--config", str(config))
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(f"db backup: {copy} written (")
    finally:
        bot.send_signal(signal.SIGTERM)
        await bot.wait()
    with sqlite3.connect(copy) as restored:
        assert restored.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        names = {row[0] for row in restored.execute("SELECT display_name FROM patients")}
    assert names == {"Anna", "Ben", "Cleo"}
    assert not (copy.parent / "clinic-copy.sqlite3.partial").exists()


async def test_a_backup_of_postgresql_points_to_pg_dump(tmp_path: Path) -> None:
    config = write_config(tmp_path, database_url="postgresql://clinic@db.example/aftercare")
    result = await bot_py("db", "backup", str(tmp_path / "x"), "--config", str(config))
    assert result.returncode == 2
    assert "pg_dump" in result.stderr
