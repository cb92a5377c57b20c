"""`python bot.py check`: every staff member and the staff group the bot cannot write to."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from aftercare_bot.sandbox import TelegramSimulator
from tests.config_files import write_config
from tests.e2e.conftest import TOKEN
from tests.e2e.test_enroll_command import bot_py


@pytest.fixture
async def telegram_api() -> AsyncIterator[TelegramSimulator]:
    sim = TelegramSimulator(token=TOKEN, bot_username="aftercare_test_bot", rate_limits=False)
    await sim.start()
    yield sim
    await sim.stop()


@pytest.mark.parametrize(("options", "exit_status"), [((), 0), (("--strict",), 1)])
async def test_check_warns_of_a_staff_member_who_never_pressed_start(
    tmp_path: Path,
    telegram_api: TelegramSimulator,
    database_url: str,
    options: tuple[str, ...],
    exit_status: int,
) -> None:
    """Only staff can fix it, from Telegram, so it stops nothing unless --strict."""
    started = telegram_api.add_user(first_name="Grey", started=True)
    never = telegram_api.add_user(first_name="Nina")
    group = telegram_api.add_group("Clinic staff", [started])
    extra = (
        f"\n[staff]\nadmin_ids = [{started.id}]\noncall_ids = [{never.id}]\n"
        f"escalation_chat_id = {group.id}\n"
    )
    config = write_config(tmp_path, database_url=database_url, base_url=telegram_api.base_url)
    config.write_text(config.read_text().split("[staff]\n")[0] + extra)  # [staff] comes last
    offer_only(config, ["en"])
    result = await bot_py("check", *options, "--config", str(config))
    assert result.returncode == exit_status, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert f"ok           admin {started.id}" in lines
    assert any(
        line.startswith(f"unreachable  on-call {never.id}:") and "press Start" in line
        for line in lines
    )
    assert f"ok           staff group {group.id}" in lines
    assert lines[-1].startswith("check: 1 warning: the bot can run")


def offer_only(config: Path, languages: list[str]) -> None:
    """Set clinic.languages in a written config."""
    listed = ", ".join(f'"{code}"' for code in languages)
    config.write_text(
        config.read_text().replace("[clinic]\n", f"[clinic]\nlanguages = [{listed}]\n")
    )


async def test_check_warns_of_each_offered_language_no_clinician_has_reviewed(
    tmp_path: Path, telegram_api: TelegramSimulator, database_url: str
) -> None:
    """A patient who reads a medical warning in a careless sentence may miss it."""
    started = telegram_api.add_user(first_name="Grey", started=True)
    group = telegram_api.add_group("Clinic staff", [started])
    extra = f"\n[staff]\nadmin_ids = [{started.id}]\nescalation_chat_id = {group.id}\n"
    config = write_config(tmp_path, database_url=database_url, base_url=telegram_api.base_url)
    config.write_text(config.read_text().split("[staff]\n")[0] + extra)
    offer_only(config, ["en", "es", "uk"])
    result = await bot_py("check", "--strict", "--config", str(config))
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    unreviewed = [line for line in lines if line.startswith("unreviewed")]
    assert [line.split(":")[0] for line in unreviewed] == [
        "unreviewed   Español (es)",
        "unreviewed   Українська (uk)",
    ]
    assert lines[-1] == (
        "check: 2 warnings: the bot can run; a clinician who speaks it reviews each language "
        "(failing: --strict)"
    )


async def test_check_says_when_telegram_refuses_the_token(
    tmp_path: Path, telegram_api: TelegramSimulator, database_url: str
) -> None:
    config = write_config(tmp_path, database_url=database_url, base_url=telegram_api.base_url)
    config.write_text(
        config.read_text().replace(TOKEN, "987654321:AAsome-other-bots-token-000000000")
    )
    result = await bot_py("check", "--config", str(config))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "check: telegram.token was refused by Telegram (check it with @BotFather)"
    ]
    assert "AAsome-other-bots-token" not in result.stdout + result.stderr
