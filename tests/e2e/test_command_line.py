"""The command line as an operator meets it: `python bot.py ...` in a fresh process."""

import subprocess
import sys
from pathlib import Path

from aftercare_bot.adapters.persistence import migrate
from tests.config_files import VALID_CONFIG, write_config

REPOSITORY = Path(__file__).parents[2]


def bot_py(*args: str, cwd: Path = REPOSITORY) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPOSITORY / "bot.py"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


def test_a_bad_config_gets_one_line_per_problem_and_exit_status_2(tmp_path: Path) -> None:
    bad = VALID_CONFIG.replace('"Europe/London"', '"Mars/Olympus"').replace("[1001]", "[]")
    result = bot_py("run", "--config", str(write_config(tmp_path, bad)))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        'clinic.timezone: "Mars/Olympus" is not a known time zone '
        '(expected an IANA name such as "Europe/Paris")',
        "staff.admin_ids: [] is empty (expected a list of Telegram user ids, e.g. [123456789])",
    ]
    assert "Traceback" not in result.stdout + result.stderr


def test_a_missing_config_file_says_how_to_make_one(tmp_path: Path) -> None:
    result = bot_py("run", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "config.toml: file not found (copy config.example.toml to config.toml and fill it in)"
    )


def test_db_upgrade_creates_and_migrates_the_database_next_to_the_config(tmp_path: Path) -> None:
    result = bot_py("db", "upgrade", "--config", str(write_config(tmp_path)))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "aftercare.sqlite3").exists()
    assert result.stdout.strip().endswith(f"is at revision {migrate.head_revision()}")
