"""The figures `bot.py status` judges, read in one short transaction."""

from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from aftercare_bot.adapters.persistence.tables import (
    incidents,
    leases,
    patients,
    scheduled_messages,
)
from aftercare_bot.domain.health import OVERDUE_AFTER, Snapshot
from aftercare_bot.domain.incidents import IncidentState, IncidentUrgency
from aftercare_bot.domain.leadership import LEADER
from aftercare_bot.domain.outbox import INCIDENT_KINDS, MessageState
from aftercare_bot.domain.patients import PatientStatus


async def read_snapshot(session: AsyncSession, now: datetime) -> Snapshot:
    """Pending and overdue messages, open incidents, the last send and the leader."""
    pending = scheduled_messages.c.state == MessageState.PENDING
    late = now - OVERDUE_AFTER
    overdue = and_(
        pending,
        scheduled_messages.c.due_at < late,
        or_(scheduled_messages.c.retry_at.is_(None), scheduled_messages.c.retry_at < late),
        # Messages of stopped or unreachable patients wait on purpose.
        or_(
            patients.c.status == PatientStatus.LINKED,
            scheduled_messages.c.kind.in_(list(INCIDENT_KINDS)),
        ),
    )
    joined = scheduled_messages.join(patients, patients.c.id == scheduled_messages.c.patient_id)
    lease = (
        await session.execute(
            select(leases.c.holder, leases.c.expires_at).where(leases.c.name == LEADER)
        )
    ).first()
    return Snapshot(
        now=now,
        pending=int(await session.scalar(select(func.count()).where(pending)) or 0),
        overdue=int(
            await session.scalar(select(func.count()).select_from(joined).where(overdue)) or 0
        ),
        open_incidents=int(
            await session.scalar(
                select(func.count()).where(incidents.c.state != IncidentState.RESOLVED)
            )
            or 0
        ),
        unacknowledged_urgent_since=await session.scalar(
            select(func.min(incidents.c.opened_at)).where(
                incidents.c.state == IncidentState.OPEN,
                incidents.c.urgency == IncidentUrgency.URGENT,
            )
        ),
        last_sent_at=await session.scalar(select(func.max(scheduled_messages.c.sent_at))),
        leader=lease.holder if lease else None,
        leader_until=lease.expires_at if lease else None,
    )
