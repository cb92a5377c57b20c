"""Patients are forgotten a year after their follow-up ended, or at once on request."""

from datetime import timedelta
from pathlib import Path

from tests.e2e.conftest import RunningBot
from tests.e2e.enrollment_steps import answer
from tests.e2e.test_delivery import linked
from tests.e2e.test_enroll_command import bot_py

A_YEAR = timedelta(weeks=52)


async def codes(bot: RunningBot) -> set[str]:
    async with bot.runtime.services.database.unit_of_work() as uow:
        rows, _total = await uow.overview.patient_summaries(0, 100)
    return {row.code for row in rows}


async def test_a_patient_is_forgotten_a_year_after_their_course_closed(bot: RunningBot) -> None:
    _anna, anna = await linked(bot, "Anna")
    _ben, ben = await linked(bot, "Ben")
    await answer(bot.admin, f"/discharge {anna}")
    await bot.settle()
    start = bot.clock.now()
    bot.clock.advance(A_YEAR - timedelta(hours=1))
    await bot.settle()
    assert {anna, ben} <= await codes(bot)
    bot.clock.advance(timedelta(hours=2))
    await bot.settle()
    remaining = await codes(bot)
    assert anna not in remaining  # her course closed a year ago
    assert ben in remaining  # his is still open
    async with bot.runtime.services.database.unit_of_work() as uow:
        events = [event.action for event in await uow.audit.since(start)]
    assert "patient.erased" in events


async def test_forget_erases_one_patient_on_request(bot: RunningBot, tmp_path: Path) -> None:
    _anna, code = await linked(bot)
    config = str(tmp_path / "config.toml")
    result = await bot_py("forget", code.lower(), "--config", config)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"forget: {code} erased")
    assert code not in await codes(bot)
    again = await bot_py("forget", code, "--config", config)
    assert again.returncode == 1
    assert again.stderr.strip() == f"forget: no patient with code {code}"
