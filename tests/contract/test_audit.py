"""The audit trail, on SQL and on the fake: append-only, read back oldest first."""

from datetime import UTC, datetime, timedelta
from typing import Any

from aftercare_bot.domain.audit import AuditEvent

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


async def test_events_at_or_after_a_moment_come_back_oldest_first_ties_in_recording_order(
    units: Any,
) -> None:
    async with units.unit_of_work() as uow:
        await uow.audit.record(AuditEvent(NOW, "b.second", 1, "P-AAAA", "detail"))
        await uow.audit.record(AuditEvent(NOW - timedelta(hours=1), "a.first"))
        await uow.audit.record(AuditEvent(NOW - timedelta(days=1), "too.old"))
        await uow.audit.record(AuditEvent(NOW, "c.third", 2))
        await uow.commit()
    async with units.unit_of_work() as uow:
        events = await uow.audit.since(NOW - timedelta(hours=1))
    assert list(events) == [
        AuditEvent(NOW - timedelta(hours=1), "a.first"),
        AuditEvent(NOW, "b.second", 1, "P-AAAA", "detail"),
        AuditEvent(NOW, "c.third", 2),
    ]


async def test_an_event_recorded_in_a_unit_that_does_not_commit_is_gone(units: Any) -> None:
    async with units.unit_of_work() as uow:
        await uow.audit.record(AuditEvent(NOW, "never.kept"))
        assert [event.action for event in await uow.audit.since(NOW)] == ["never.kept"]
    async with units.unit_of_work() as uow:
        assert list(await uow.audit.since(NOW - timedelta(days=1))) == []
