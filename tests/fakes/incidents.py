"""Incidents in memory: the fake of `adapters.persistence.incidents.IncidentRepository`."""

from collections.abc import MutableMapping, Sequence
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from aftercare_bot.domain.incidents import (
    CARD_COPY,
    POST_COPY,
    Incident,
    IncidentCopy,
    IncidentState,
    IncidentUrgency,
)
from tests.fakes.store import FakeSession

TABLE, COPIES = "incidents", "incident_copies"
# What a compare-and-set writes: after losing one, this unit sees what the winner wrote.
_TAKEN = (
    "state",
    "acknowledged_by",
    "acknowledged_by_name",
    "acknowledged_at",
    "resolved_by",
    "resolved_by_name",
    "resolved_at",
    "outcome",
)


class FakeIncidentRepository:
    """Incidents and their copies, kept as `Incident` and `IncidentCopy` rows by id."""

    def __init__(self, session: FakeSession) -> None:
        self._session = session

    @property
    def _rows(self) -> MutableMapping[int, Incident]:
        return self._session.table(TABLE)

    @property
    def _copies(self) -> MutableMapping[int, IncidentCopy]:
        return self._session.table(COPIES)

    def _still(self, incident_id: int, states: set[IncidentState]) -> Incident | None:
        """The incident if it is in `states` both in this unit and as committed, so that of
        two units racing only the first to commit wins, as with an UPDATE ... WHERE state.
        After losing to another unit, this unit's copy shows what the winner wrote."""
        row = self._rows.get(incident_id)
        committed = self._session.committed(TABLE).get(incident_id)
        if row is None or row.state not in states:
            return None
        if committed is not None and committed.state not in states:
            for name in _TAKEN:
                setattr(row, name, getattr(committed, name))
            return None
        return row

    def add(self, incident: Incident) -> None:
        """Stage a new incident (its id is given now rather than on flush)."""
        if incident.id is not None and self._rows.get(incident.id) is incident:
            return
        if incident.id is None:
            incident.id = self._session.new_id(TABLE)
        self._rows[incident.id] = incident

    async def flush(self) -> None:
        """Nothing to write: incidents get their ids when staged."""

    async def by_id(self, incident_id: int) -> Incident | None:
        """The incident with this id."""
        return self._rows.get(incident_id)

    async def open_incidents(self) -> Sequence[Incident]:
        """Open and acknowledged incidents: urgent first, then oldest first."""
        rows = [row for row in self._rows.values() if row.state != IncidentState.RESOLVED]
        return sorted(
            rows,
            key=lambda row: (row.urgency != IncidentUrgency.URGENT, row.opened_at, row.id or 0),
        )

    async def open_for_patient(self, patient_id: int) -> Incident | None:
        """The patient's open (or acknowledged) incident with the highest id, if any."""
        rows = [
            row
            for row in self._rows.values()
            if row.patient_id == patient_id and row.state != IncidentState.RESOLVED
        ]
        return max(rows, key=lambda row: row.id or 0, default=None)

    async def lock_patient(self, patient_id: int) -> None:
        """Nothing to lock: fake units run on one event loop and a fake call never yields to
        another unit, so two reports cannot interleave inside one."""

    async def of_patient(self, patient_id: int) -> Sequence[Incident]:
        """Every incident of the patient, oldest first."""
        rows = [row for row in self._rows.values() if row.patient_id == patient_id]
        return sorted(rows, key=lambda row: row.id or 0)

    async def acknowledge_if_open(
        self, incident_id: int, staff_id: int, staff_name: str, now: datetime
    ) -> bool:
        """Take the incident if nobody has: True for the one caller that did."""
        row = self._still(incident_id, {IncidentState.OPEN})
        if row is None:
            return False
        row.state = IncidentState.ACKNOWLEDGED
        row.acknowledged_by, row.acknowledged_by_name, row.acknowledged_at = (
            staff_id,
            staff_name,
            now,
        )
        return True

    async def resolve_if_unresolved(
        self,
        incident_id: int,
        staff_id: int,
        staff_name: str,
        outcome: str,
        now: datetime,
    ) -> bool:
        """Close the incident with its outcome unless someone already has: True for the winner."""
        row = self._still(incident_id, {IncidentState.OPEN, IncidentState.ACKNOWLEDGED})
        if row is None:
            return False
        row.state, row.outcome = IncidentState.RESOLVED, outcome
        row.resolved_by, row.resolved_by_name, row.resolved_at = staff_id, staff_name, now
        return True

    def add_copy(self, copy: IncidentCopy) -> None:
        """Remember a message that shows an incident (one per chat and message)."""
        if copy.id is not None and self._copies.get(copy.id) is copy:
            return
        if any((c.chat_id, c.message_id) == (copy.chat_id, copy.message_id) for c in self._all()):
            raise IntegrityError("INSERT INTO incident_copies", None, ValueError("chat, message"))
        if copy.id is None:
            copy.id = self._session.new_id(COPIES)
        self._copies[copy.id] = copy

    def _all(self) -> list[IncidentCopy]:
        """This unit's copies and those other units committed since (the unique key's view)."""
        committed = self._session.committed(COPIES)
        return [*self._copies.values(), *(c for k, c in committed.items() if k not in self._copies)]

    async def copies(self, incident_id: int) -> Sequence[IncidentCopy]:
        """Every message that shows the incident, oldest first."""
        rows = [copy for copy in self._copies.values() if copy.incident_id == incident_id]
        return sorted(rows, key=lambda copy: copy.id or 0)

    async def has_post(self, incident_id: int) -> bool:
        """Whether the incident has been posted anywhere (the group, or admins' chats)."""
        return any(
            copy.incident_id == incident_id and copy.kind == POST_COPY
            for copy in self._copies.values()
        )

    async def copy_at(self, chat_id: int, message_id: int) -> IncidentCopy | None:
        """The incident message at this place, if it is one."""
        found = (
            copy
            for copy in self._copies.values()
            if (copy.chat_id, copy.message_id) == (chat_id, message_id)
        )
        return next(found, None)

    async def forget_cards(self, incident_id: int, chat_id: int) -> None:
        """Stop keeping the older /incidents cards of an incident in one chat up to date."""
        for key, copy in list(self._copies.items()):
            if (copy.incident_id, copy.chat_id, copy.kind) == (incident_id, chat_id, CARD_COPY):
                del self._copies[key]

    async def forget_copy(self, copy: IncidentCopy) -> None:
        """A copy that can no longer be edited (deleted, chat gone) is not tried again."""
        self._copies.pop(copy.id or 0, None)
