"""The clinic-wide reports through the use cases alone (real database, no Telegram)."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from aftercare_bot.adapters.persistence.database import Database
from aftercare_bot.clock import ManualClock
from aftercare_bot.domain.check_in_steps import Step
from aftercare_bot.domain.outbox import Priority
from aftercare_bot.domain.triage import TriageRules
from aftercare_bot.services.check_ins import CheckInTiming
from aftercare_bot.services.patient_check_ins import PatientCheckIns
from aftercare_bot.services.staff_reports import StaffReports
from tests.services.outbox_data import add_patient_with_messages

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
LONDON = ZoneInfo("Europe/London")
GREY = 1001


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    await add_patient_with_messages(database, 7, [("welcome", Priority.PLAN, NOW)])
    yield database
    await database.dispose()


async def _answered_check_in(database: Database) -> None:
    timing = CheckInTiming(nudge_after=timedelta(hours=8), expire_after=timedelta(hours=24))
    check_ins = PatientCheckIns(database, TriageRules(), timing, ManualClock(NOW))
    started = await check_ins.start(7)
    assert started is not None
    for step in (Step.REDNESS, Step.SWELLING, Step.BRUISING):
        await check_ins.tap(started.check_in_id, step, "mild", 7)
    await check_ins.tap(started.check_in_id, Step.SIGNS, "done", 7)
    await check_ins.tap(started.check_in_id, Step.PHOTO, "skip", 7)
    await check_ins.tap(started.check_in_id, Step.NOTE, "skip", 7)


async def test_an_export_has_a_row_per_check_in_and_says_who_took_it(
    database: Database,
) -> None:
    await _answered_check_in(database)
    reports = StaffReports(database, ManualClock(NOW + timedelta(hours=1)), LONDON)

    rows = await reports.export(timedelta(days=7), GREY)

    assert len(rows) == 2  # the header and the one check-in
    async with database.unit_of_work() as uow:
        events = await uow.audit.since(NOW)
    assert [
        (e.action, e.actor_telegram_id, e.detail) for e in events if e.action == "export.sent"
    ] == [("export.sent", GREY, "1 rows")]


async def test_statistics_and_the_digest_count_the_day(database: Database) -> None:
    await _answered_check_in(database)
    reports = StaffReports(database, ManualClock(NOW + timedelta(days=1)), LONDON)

    stats, _trend = await reports.statistics(timedelta(days=7))  # the trend needs a session
    facts = await reports.digest()

    assert stats.answered == 1
    assert facts.day == (NOW + timedelta(days=1)).date()
    assert facts.yesterday.answered == 1
