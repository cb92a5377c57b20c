"""`python bot.py enroll`: clinics that script enrollment or import it from a booking system."""

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from aftercare_bot.sandbox import TelegramSimulator
from tests.config_files import write_config
from tests.e2e.conftest import TOKEN

REPOSITORY = Path(__file__).parents[2]


@pytest.fixture
async def telegram() -> AsyncIterator[TelegramSimulator]:
    """A Bot API server for getMe (the command line learns the bot's username from it)."""
    sim = TelegramSimulator(token=TOKEN, bot_username="clinic_aftercare_bot", rate_limits=False)
    await sim.start()
    yield sim
    await sim.stop()


async def bot_py(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the command line in a real process while the simulator keeps serving."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(REPOSITORY / "bot.py"),
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return subprocess.CompletedProcess(args, process.returncode, stdout.decode(), stderr.decode())


def config_for(tmp_path: Path, telegram: TelegramSimulator, database_url: str) -> str:
    return str(write_config(tmp_path, database_url=database_url, base_url=telegram.base_url))


async def test_one_patient_gets_a_code_a_link_and_a_qr_code_that_decodes_to_it(
    tmp_path: Path, telegram: TelegramSimulator, database_url: str
) -> None:
    qr = tmp_path / "anna.png"
    result = await bot_py(
        "enroll",
        "--config",
        config_for(tmp_path, telegram, database_url),
        "--name",
        "Anna",
        "--session",
        "2026-11-25 10:00",
        "--next",
        "2026-12-16 10:00",
        "--lang",
        "en",
        "--practitioner",
        "Dr Grey",
        "--qr",
        str(qr),
    )
    assert result.returncode == 0, result.stderr
    code, link = result.stdout.strip().split(",")
    assert code.startswith("P-") and len(code) == 6
    assert link.startswith("https://t.me/clinic_aftercare_bot?start=")
    [decoded] = zxingcpp.read_barcodes(Image.open(qr))
    assert decoded.text == link


async def test_the_patient_can_open_a_link_made_on_the_command_line(
    tmp_path: Path, telegram: TelegramSimulator, database_url: str
) -> None:
    result = await bot_py(
        "enroll", "--config", config_for(tmp_path, telegram, database_url), "--name", "Anna"
    )
    token = result.stdout.strip().split("?start=")[1]
    from aftercare_bot.adapters.persistence.database import Database
    from aftercare_bot.domain.enrollment_links import hash_token

    database = Database(database_url)
    async with database.unit_of_work() as uow:
        link = await uow.links.by_token_hash(hash_token(token))
    await database.dispose()
    assert link is not None and link.used_at is None


async def test_bad_flags_are_named_with_what_was_expected(
    tmp_path: Path, telegram: TelegramSimulator, database_url: str
) -> None:
    result = await bot_py(
        "enroll",
        "--config",
        config_for(tmp_path, telegram, database_url),
        "--name",
        "Anna",
        "--session",
        "25/11/2026",
        "--lang",
        "fr",
        "--plan",
        "botox",
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        'session "25/11/2026" is not a date and time (expected YYYY-MM-DD HH:MM)',
        'lang "fr" is not supported (expected one of en, ru)',
        'plan "botox" is not a plan (expected one of scalp-mesotherapy)',
    ]
    assert result.stdout == ""


async def test_a_name_with_a_phone_number_is_refused_with_the_reason_and_nothing_is_stored(
    tmp_path: Path, telegram: TelegramSimulator, database_url: str
) -> None:
    config = config_for(tmp_path, telegram, database_url)
    result = await bot_py("enroll", "--config", config, "--name", "Anna +44 7700 900123")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        'name "Anna +44 7700 900123" looks like a phone number '
        "(expected a first name only, e.g. Anna)"
    ]
    assert result.stdout == ""
    from aftercare_bot.adapters.persistence.database import Database

    database = Database(database_url)
    async with database.unit_of_work() as uow:
        assert await uow.patients.matching("Anna") == []
    await database.dispose()


async def test_a_csv_import_names_bad_rows_by_line_and_never_enrolls_a_row_twice(
    tmp_path: Path, telegram: TelegramSimulator, database_url: str
) -> None:
    rows = tmp_path / "bookings.csv"
    rows.write_text(
        "name,session,next,lang,plan,practitioner\n"
        "Anna,2026-11-25 10:00,2026-12-16 10:00,en,,Dr Grey\n"
        "Boris,2026-11-25 11:00,,ru,,Dr Grey\n"
        ",2026-11-25 12:00,,,,\n"
        "Clara,2026-13-01 10:00,,,,\n"
        "Anna Maria Luisa Rossi,2026-11-25 13:00,,,,\n"
        "Jean-Pierre,2026-11-25 14:00,,,,\n"
        "dora@example.com,2026-11-25 15:00,,,,\n",
        encoding="utf-8",
    )
    config = config_for(tmp_path, telegram, database_url)
    first = await bot_py("enroll", "--config", config, "--csv", str(rows))
    assert first.returncode == 1
    assert first.stderr.splitlines() == [
        'line 4: name "" is not a first name (expected a first name only, e.g. Anna)',
        'line 5: session "2026-13-01 10:00" is not a date and time (expected YYYY-MM-DD HH:MM)',
        'line 6: name "Anna Maria Luisa Rossi" has more than three words '
        "(expected a first name only, e.g. Anna)",
        'line 8: name "dora@example.com" looks like an e-mail or web address '
        "(expected a first name only, e.g. Anna)",
    ]
    enrolled = [line.split(",") for line in first.stdout.splitlines()]
    assert [link.startswith("https://t.me/") for _, link in enrolled] == [True, True, True]

    again = await bot_py("enroll", "--config", config, "--csv", str(rows))
    assert again.stdout.splitlines() == [f"{code},already enrolled" for code, _ in enrolled]


async def test_without_a_reachable_telegram_the_command_says_so(
    tmp_path: Path, database_url: str
) -> None:
    config = write_config(tmp_path, database_url=database_url, base_url="http://127.0.0.1:9/bot")
    result = await bot_py("enroll", "--config", str(config), "--name", "Anna")
    assert result.returncode == 1
    assert result.stderr.startswith(
        'enroll: telegram.base_url: "http://127.0.0.1:9/bot" did not answer'
    )


@pytest.mark.slow
async def test_the_schedule_command_lists_each_patients_rows_in_utc_and_local_time(
    tmp_path: Path, telegram: TelegramSimulator, database_url: str
) -> None:
    config = config_for(tmp_path, telegram, database_url)
    enrolled = await bot_py(
        "enroll",
        "--config",
        config,
        "--name",
        "Anna",
        "--session",
        "2026-07-01 10:00",
        "--next",
        "2026-07-22 10:00",
    )
    code = enrolled.stdout.split(",")[0]
    table = await bot_py("schedule", "--config", config)
    assert table.returncode == 0, table.stderr
    assert table.stdout.splitlines()[0].split() == [
        "code",
        "step",
        "kind",
        "state",
        "due",
        "(UTC)",
        "due",
        "(local)",
        "valid",
        "until",
        "(UTC)",
    ]
    listing = await bot_py("schedule", code, "--json", "--config", config)
    import json

    rows = json.loads(listing.stdout)
    assert rows == []  # nothing is scheduled until the patient links and consents
    missing = await bot_py("schedule", "P-ZZZZ", "--config", config)
    assert missing.returncode == 1
    assert missing.stderr.strip() == "schedule: no patient with code P-ZZZZ"
