"""The outbox in memory: the fake of `adapters.persistence.outbox.OutboxRepository`."""

from collections.abc import Callable, MutableMapping, Sequence
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from aftercare_bot.domain.outbox import (
    ACTED_ON_KINDS,
    CHECK_IN_TIMERS,
    GOODBYE_KIND,
    PLAN_ROW_PREFIX,
    MessageState,
    ScheduledMessage,
)
from aftercare_bot.domain.patients import Patient, PatientStatus
from tests.fakes.store import FakeSession, detached_copy

TABLE = "scheduled_messages"
PENDING, SENDING, CANCELLED = MessageState.PENDING, MessageState.SENDING, MessageState.CANCELLED


class FakeOutboxRepository:
    """Scheduled messages, kept as `ScheduledMessage` rows by id."""

    def __init__(self, session: FakeSession) -> None:
        self._session = session

    @property
    def _rows(self) -> MutableMapping[int, ScheduledMessage]:
        return self._session.table(TABLE)

    def _patient(self, message: ScheduledMessage) -> Patient | None:
        patient: Patient | None = self._session.table("patients").get(message.patient_id)
        return patient

    def _add(self, message: ScheduledMessage) -> None:
        """Insert a row, refused as the unique index on `unique_key` refuses it."""
        if message.id is not None and self._rows.get(message.id) is message:
            return
        if self._by_key(message.unique_key) is not None:
            raise IntegrityError("INSERT INTO scheduled_messages", None, ValueError("unique_key"))
        if message.id is None:
            message.id = self._session.new_id(TABLE)
        self._rows[message.id] = message

    def _by_key(self, unique_key: str) -> ScheduledMessage | None:
        """The row with this key in this unit, or one another unit committed since this unit
        read the table (the database would find it), brought into this unit."""
        for row in self._rows.values():
            if row.unique_key == unique_key:
                return row
        for key, row in self._session.committed(TABLE).items():
            if row.unique_key == unique_key and key not in self._rows:
                copy: ScheduledMessage = detached_copy(row)
                self._rows[key] = copy
                return copy
        return None

    def _taken_elsewhere(self, row: ScheduledMessage) -> bool:
        """Another unit has claimed or finished the row since this unit read it: an UPDATE on
        the database sees that, so it is left as the other unit left it."""
        committed = self._session.committed(TABLE).get(row.id)
        return (
            committed is not None
            and committed.state != row.state
            and committed.state not in (PENDING, CANCELLED)
        )

    def _claimable(self, row: ScheduledMessage) -> bool:
        """Pending, and for a linked patient unless the kind goes to anyone (joined to patients)."""
        patient = self._patient(row)
        return (
            patient is not None
            and row.state == PENDING
            and (
                patient.status == PatientStatus.LINKED
                or row.kind in {GOODBYE_KIND, *ACTED_ON_KINDS}
            )
        )

    def _rows_in(
        self, state: MessageState, where: Callable[[ScheduledMessage], bool]
    ) -> list[ScheduledMessage]:
        """The rows an UPDATE ... WHERE state = `state` AND `where` changes."""
        return [
            row
            for row in self._rows.values()
            if row.state == state and where(row) and not self._taken_elsewhere(row)
        ]

    async def add_unless_present(self, message: ScheduledMessage) -> bool:
        """Stage a message unless its key exists (a cancelled one is revived); True if so."""
        return await self.add_all_unless_present([message]) == 1

    def add_new(self, messages: Sequence[ScheduledMessage]) -> None:
        """Stage messages whose unique keys cannot exist yet."""
        for message in messages:
            self._add(message)

    async def add_all_unless_present(self, messages: Sequence[ScheduledMessage]) -> int:
        """`add_unless_present` for several messages; how many were added or revived."""
        existing = {m.unique_key: self._by_key(m.unique_key) for m in messages}
        added = 0
        for message in messages:
            row = existing.get(message.unique_key)
            if row is None:
                self._add(message)
            elif row.state == CANCELLED and not self._taken_elsewhere(row):
                row.state, row.attempts = message.state, 0
                row.due_at, row.valid_until = message.due_at, message.valid_until
            else:
                continue
            added += 1
        return added

    async def due(self, now: datetime, limit: int) -> Sequence[ScheduledMessage]:
        """Claimable rows due by `now` (and past any retry time), by priority, due time, id."""
        rows = [
            row
            for row in self._rows.values()
            if self._claimable(row)
            and not self._taken_elsewhere(row)
            and row.due_at <= now
            and (row.retry_at is None or row.retry_at <= now)
        ]
        rows.sort(key=lambda row: (row.priority, row.due_at, row.id or 0))
        return rows[:limit]

    async def put_timer(self, message: ScheduledMessage) -> None:
        """Stage a timer, or move a pending or cancelled one with its key to the new time."""
        existing = self._by_key(message.unique_key)
        if existing is None:
            self._add(message)
        elif existing.state in (PENDING, CANCELLED) and not self._taken_elsewhere(existing):
            existing.state, existing.attempts = PENDING, 0
            existing.due_at, existing.valid_until = message.due_at, message.valid_until

    async def release_interrupted(self) -> int:
        """Rows left `sending` go back to pending; returns how many."""
        rows = self._rows_in(SENDING, lambda row: True)
        for row in rows:
            row.state = PENDING
        return len(rows)

    async def bring_forward(self, kind: str, now: datetime) -> int:
        """Pending rows of `kind` due after `now` become due now; returns how many."""
        rows = self._rows_in(PENDING, lambda row: row.kind == kind and row.due_at > now)
        for row in rows:
            row.due_at = now
        return len(rows)

    async def next_wake_after(self, moment: datetime) -> datetime | None:
        """The first due time after `moment`, or a retry time after it of a row due by then."""
        claimable = [row for row in self._rows.values() if self._claimable(row)]
        times = [row.due_at for row in claimable if row.due_at > moment]
        times += [
            row.retry_at
            for row in claimable
            if row.due_at <= moment and row.retry_at is not None and row.retry_at > moment
        ]
        return min(times, default=None)

    async def by_id(self, message_id: int) -> ScheduledMessage | None:
        """The scheduled message with this id."""
        return self._rows.get(message_id)

    async def for_patient(self, patient_id: int) -> Sequence[ScheduledMessage]:
        """Every scheduled message of a patient, in due order."""
        rows = [row for row in self._rows.values() if row.patient_id == patient_id]
        return sorted(rows, key=lambda row: (row.due_at, row.id or 0))

    async def cancel_pending_for_session(self, session_id: int) -> None:
        """Cancel what is still pending from a session's plan."""
        self._cancel(lambda row: row.session_id == session_id and row.kind not in CHECK_IN_TIMERS)

    async def cancel_pending_plan_rows(self, session_id: int) -> None:
        """Cancel a session's pending plan messages only."""
        self._cancel(
            lambda row: row.session_id == session_id and row.unique_key.startswith(PLAN_ROW_PREFIX)
        )

    async def cancel_pending_reminders(self, session_id: int) -> None:
        """Cancel a session's pending appointment reminders."""
        self._cancel(lambda row: row.session_id == session_id and row.kind == "appointment")

    async def listing(self, patient_id: int | None) -> Sequence[tuple[str, ScheduledMessage, str]]:
        """(patient code, message, time zone) for every row or one patient's, by due time."""
        listed = []
        for row in sorted(self._rows.values(), key=lambda row: (row.due_at, row.id or 0)):
            patient = self._patient(row)
            if patient is not None and (patient_id is None or row.patient_id == patient_id):
                listed.append((patient.code, row, patient.timezone))
        return listed

    async def cancel_pending(self, unique_keys: list[str]) -> None:
        """Cancel these rows if they are still pending."""
        self._cancel(lambda row: row.unique_key in unique_keys)

    async def cancel_pending_plan_messages(self, session_id: int, kinds: tuple[str, ...]) -> None:
        """Cancel a session's pending plan messages of these kinds."""
        self._cancel(lambda row: row.session_id == session_id and row.kind in kinds)

    async def cancel_all_pending(self, patient_id: int) -> None:
        """Cancel everything pending for a patient except the kinds acted on for staff."""
        self._cancel(lambda row: row.patient_id == patient_id and row.kind not in ACTED_ON_KINDS)

    async def cancel_pending_of_kinds(self, patient_id: int, kinds: frozenset[str]) -> None:
        """Cancel a patient's pending timers of these kinds."""
        self._cancel(lambda row: row.patient_id == patient_id and row.kind in kinds)

    def _cancel(self, where: Callable[[ScheduledMessage], bool]) -> None:
        for row in self._rows_in(PENDING, where):
            row.state = CANCELLED
