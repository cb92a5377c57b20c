"""Incidents, found by id or as a patient's open episode; who takes one is decided by the
database (compare-and-set), so two staff pressing at once, on two instances too, get one winner."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import case, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from aftercare_bot.adapters.persistence.tables import incident_copies, incidents, patients
from aftercare_bot.domain.incidents import (
    CARD_COPY,
    POST_COPY,
    Incident,
    IncidentCopy,
    IncidentState,
    IncidentUrgency,
)


class IncidentRepository:
    """Incidents and the messages that show them."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, incident: Incident) -> None:
        """Stage a new incident."""
        self._session.add(incident)

    async def flush(self) -> None:
        """Write staged incidents so they get their ids."""
        await self._session.flush()

    async def by_id(self, incident_id: int) -> Incident | None:
        """The incident with this id, as the database has it now."""
        return await self._session.get(Incident, incident_id, populate_existing=True)

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

    async def lock_patient(self, patient_id: int) -> None:
        """Hold the patient's row until commit (PostgreSQL; SQLite has one writer anyway), so two
        reports at once, on two instances too, open one incident and never overwrite a
        concurrent acknowledgement."""
        await self._session.execute(
            select(patients.c.id).where(patients.c.id == patient_id).with_for_update()
        )

    async def of_patient(self, patient_id: int) -> Sequence[Incident]:
        """Every incident of the patient, oldest first."""
        rows = await self._session.scalars(
            select(Incident).where(incidents.c.patient_id == patient_id).order_by(incidents.c.id)
        )
        return list(rows)

    async def acknowledge_if_open(
        self, incident_id: int, staff_id: int, staff_name: str, now: datetime
    ) -> bool:
        """Take the incident if nobody has: True for the one caller that did."""
        result = await self._session.execute(
            update(incidents)
            .where(incidents.c.id == incident_id, incidents.c.state == IncidentState.OPEN)
            .values(
                state=IncidentState.ACKNOWLEDGED,
                acknowledged_by=staff_id,
                acknowledged_by_name=staff_name,
                acknowledged_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0) == 1

    async def resolve_if_unresolved(
        self,
        incident_id: int,
        staff_id: int,
        staff_name: str,
        outcome: str,
        now: datetime,
    ) -> bool:
        """Close the incident with its outcome unless someone already has: True for the winner."""
        result = await self._session.execute(
            update(incidents)
            .where(incidents.c.id == incident_id, incidents.c.state != IncidentState.RESOLVED)
            .values(
                state=IncidentState.RESOLVED,
                resolved_by=staff_id,
                resolved_by_name=staff_name,
                resolved_at=now,
                outcome=outcome,
            )
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0) == 1

    def add_copy(self, copy: IncidentCopy) -> None:
        """Remember a message that shows an incident."""
        self._session.add(copy)

    async def copies(self, incident_id: int) -> Sequence[IncidentCopy]:
        """Every message that shows the incident, oldest first."""
        rows = await self._session.scalars(
            select(IncidentCopy)
            .where(incident_copies.c.incident_id == incident_id)
            .order_by(incident_copies.c.id)
        )
        return list(rows)

    async def has_post(self, incident_id: int) -> bool:
        """Whether the incident has been posted anywhere (the group, or admins' chats)."""
        found = await self._session.scalar(
            select(incident_copies.c.id)
            .where(
                incident_copies.c.incident_id == incident_id, incident_copies.c.kind == POST_COPY
            )
            .limit(1)
        )
        return found is not None

    async def copy_at(self, chat_id: int, message_id: int) -> IncidentCopy | None:
        """The incident message at this place, if it is one."""
        return await self._session.scalar(
            select(IncidentCopy).where(
                incident_copies.c.chat_id == chat_id, incident_copies.c.message_id == message_id
            )
        )

    async def forget_cards(self, incident_id: int, chat_id: int) -> None:
        """Stop keeping the older /incidents cards of an incident in one chat up to date."""
        await self._session.execute(
            delete(incident_copies).where(
                incident_copies.c.incident_id == incident_id,
                incident_copies.c.chat_id == chat_id,
                incident_copies.c.kind == CARD_COPY,
            )
        )

    async def forget_copy(self, copy: IncidentCopy) -> None:
        """A copy that can no longer be edited (deleted, chat gone) is not tried again."""
        await self._session.delete(copy)
