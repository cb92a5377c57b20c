"""Incidents, found by id or as a patient's open episode."""

from collections.abc import Sequence

from sqlalchemy import case, select
from sqlalchemy.ext.asyncio import AsyncSession

from aftercare_bot.adapters.persistence.tables import incidents
from aftercare_bot.domain.incidents import Incident, IncidentState, IncidentUrgency


class IncidentRepository:
    """Incidents."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, incident: Incident) -> None:
        """Stage a new incident."""
        self._session.add(incident)

    async def flush(self) -> None:
        """Write staged incidents so they get their ids."""
        await self._session.flush()

    async def by_id(self, incident_id: int) -> Incident | None:
        """The incident with this id."""
        return await self._session.get(Incident, incident_id)

    async def open_incidents(self) -> Sequence[Incident]:
        """Open and acknowledged incidents: urgent first, then oldest first."""
        rows = await self._session.scalars(
            select(Incident)
            .where(incidents.c.state != IncidentState.RESOLVED)
            .order_by(
                case((incidents.c.urgency == IncidentUrgency.URGENT, 0), else_=1),
                incidents.c.opened_at,
                incidents.c.id,
            )
        )
        return list(rows)

    async def open_for_patient(self, patient_id: int) -> Incident | None:
        """The patient's open (or acknowledged) incident, if any."""
        return await self._session.scalar(
            select(Incident)
            .where(
                incidents.c.patient_id == patient_id,
                incidents.c.state != IncidentState.RESOLVED,
            )
            .order_by(incidents.c.id.desc())
            .limit(1)
        )
