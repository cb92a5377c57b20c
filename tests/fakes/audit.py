"""The fake of `AuditRepository`: the audit trail, append-only."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from aftercare_bot.domain.audit import AuditEvent
from tests.fakes.store import FakeSession


@dataclass
class AuditRow:
    """A row of `audit_events`."""

    id: int
    occurred_at: datetime
    action: str
    actor_telegram_id: int | None
    subject: str | None
    detail: str | None


class FakeAuditRepository:
    """Append-only record of who did what, in memory."""

    def __init__(self, session: FakeSession) -> None:
        self._session = session

    async def record(self, event: AuditEvent) -> None:
        """Append one event (committed with the unit of work)."""
        row_id = self._session.new_id("audit_events")
        self._session.table("audit_events")[row_id] = AuditRow(
            row_id,
            event.occurred_at,
            event.action,
            event.actor_telegram_id,
            event.subject,
            event.detail,
        )

    async def since(self, moment: datetime) -> Sequence[AuditEvent]:
        """Events at or after `moment`, oldest first."""
        rows = sorted(
            (
                row
                for row in self._session.table("audit_events").values()
                if row.occurred_at >= moment
            ),
            key=lambda row: (row.occurred_at, row.id),
        )
        return [
            AuditEvent(row.occurred_at, row.action, row.actor_telegram_id, row.subject, row.detail)
            for row in rows
        ]

    async def recent(self, since: datetime, limit: int, offset: int = 0) -> Sequence[AuditEvent]:
        """`limit` events at or after `since`, newest first, after skipping `offset`."""
        return list(reversed(await self.since(since)))[offset : offset + limit]
