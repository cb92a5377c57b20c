"""The audit trail: queries named by what they are for."""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from aftercare_bot.adapters.persistence.tables import audit_events
from aftercare_bot.domain.audit import AuditEvent


class AuditRepository:
    """Append-only record of who did what."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, event: AuditEvent) -> None:
        """Append one event (committed with the unit of work)."""
        await self._session.execute(
            insert(audit_events).values(
                occurred_at=event.occurred_at,
                action=event.action,
                actor_telegram_id=event.actor_telegram_id,
                subject=event.subject,
                detail=event.detail,
            )
        )

    async def since(self, moment: datetime) -> Sequence[AuditEvent]:
        """Events at or after `moment`, oldest first."""
        rows = await self._session.execute(
            select(audit_events)
            .where(audit_events.c.occurred_at >= moment)
            .order_by(audit_events.c.occurred_at, audit_events.c.id)
        )
        return _events(rows)

    async def recent(self, since: datetime, limit: int, offset: int = 0) -> Sequence[AuditEvent]:
        """`limit` events at or after `since`, newest first, after skipping `offset`."""
        rows = await self._session.execute(
            select(audit_events)
            .where(audit_events.c.occurred_at >= since)
            .order_by(audit_events.c.occurred_at.desc(), audit_events.c.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return _events(rows)


def _events(rows: Iterable[Any]) -> list[AuditEvent]:
    return [
        AuditEvent(
            occurred_at=row.occurred_at,
            action=row.action,
            actor_telegram_id=row.actor_telegram_id,
            subject=row.subject,
            detail=row.detail,
        )
        for row in rows
    ]
