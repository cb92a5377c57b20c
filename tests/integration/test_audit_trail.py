from datetime import UTC, datetime, timedelta, timezone

import pytest

from aftercare_bot.adapters.persistence.database import Database
from aftercare_bot.domain.audit import AuditEvent

MOMENT = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # the night the UK's clocks go forward


async def test_times_come_back_aware_and_in_utc_whatever_zone_they_were_written_in(
    database_url: str,
) -> None:
    database = Database(database_url)
    written = MOMENT.astimezone(timezone(timedelta(hours=5, minutes=30)))
    async with database.unit_of_work() as uow:
        await uow.audit.record(AuditEvent(occurred_at=written, action="bot.started", detail="v1"))
        await uow.commit()
    async with database.unit_of_work() as uow:
        [event] = await uow.audit.since(MOMENT - timedelta(seconds=1))
    await database.dispose()
    assert event.occurred_at == MOMENT
    assert event.occurred_at.utcoffset() == timedelta(0)
    assert event.action == "bot.started"


async def test_a_unit_of_work_left_without_commit_writes_nothing(database_url: str) -> None:
    database = Database(database_url)
    async with database.unit_of_work() as uow:
        await uow.audit.record(AuditEvent(occurred_at=MOMENT, action="staff.refused"))
    async with database.unit_of_work() as uow:
        assert await uow.audit.since(MOMENT - timedelta(days=1)) == []
    await database.dispose()


async def test_a_naive_time_is_refused_instead_of_stored_in_an_unknown_zone(
    database_url: str,
) -> None:
    database = Database(database_url)
    naive = MOMENT.replace(tzinfo=None)
    with pytest.raises(Exception, match="naive datetime"):
        async with database.unit_of_work() as uow:
            await uow.audit.record(AuditEvent(occurred_at=naive, action="x"))
    await database.dispose()
