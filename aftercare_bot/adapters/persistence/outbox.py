"""The outbox: scheduled messages, claimed when due and marked with what happened."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from aftercare_bot.adapters.persistence.tables import patients, scheduled_messages
from aftercare_bot.domain.outbox import (
    ACTED_ON_KINDS,
    CHECK_IN_TIMERS,
    GOODBYE_KIND,
    PLAN_ROW_PREFIX,
    MessageState,
    ScheduledMessage,
)
from aftercare_bot.domain.patients import PatientStatus


def _claimable() -> ColumnElement[bool]:
    """Pending rows the dispatcher may act on, whenever they are ready (joined to patients)."""
    return and_(
        scheduled_messages.c.state == MessageState.PENDING,
        # A discharged patient still gets their goodbye; nobody else who left gets anything.
        or_(
            patients.c.status == PatientStatus.LINKED,
            scheduled_messages.c.kind.in_([GOODBYE_KIND, *ACTED_ON_KINDS]),
        ),
    )


class OutboxRepository:
    """Scheduled messages."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add_unless_present(self, message: ScheduledMessage) -> bool:
        """Stage a message unless one with its unique key exists; True if it was added.

        A cancelled one comes back to life with the new times (an appointment moved away
        and back again still gets its reminders); any other is left as it is, so nothing
        is ever sent twice.
        """
        return await self.add_all_unless_present([message]) == 1

    def add_new(self, messages: Sequence[ScheduledMessage]) -> None:
        """Stage messages whose unique keys cannot exist yet (the caller knows why)."""
        self._session.add_all(messages)

    async def add_all_unless_present(self, messages: Sequence[ScheduledMessage]) -> int:
        """`add_unless_present` for several messages with one look-up (a check-in's nudge and
        expiry are armed in front of the patient's first question); returns how many were
        added or revived."""
        keys = [message.unique_key for message in messages]
        found = await self._session.scalars(
            select(ScheduledMessage)
            .where(scheduled_messages.c.unique_key.in_(keys))
            .execution_options(populate_existing=True)
        )
        existing = {row.unique_key: row for row in found}
        added = 0
        for message in messages:
            row = existing.get(message.unique_key)
            if row is None:
                self._session.add(message)
            elif row.state == MessageState.CANCELLED:
                row.state, row.attempts = message.state, 0
                row.due_at, row.valid_until = message.due_at, message.valid_until
            else:
                continue
            added += 1
        return added

    async def due(self, now: datetime, limit: int) -> Sequence[ScheduledMessage]:
        """Pending messages due by `now` for reachable patients, most urgent first, then
        oldest; locked against other dispatchers where the database can (PostgreSQL)."""
        rows = await self._session.scalars(
            select(ScheduledMessage)
            .join(patients, patients.c.id == scheduled_messages.c.patient_id)
            .where(
                _claimable(),
                scheduled_messages.c.due_at <= now,
                or_(scheduled_messages.c.retry_at.is_(None), scheduled_messages.c.retry_at <= now),
            )
            .order_by(
                scheduled_messages.c.priority,
                scheduled_messages.c.due_at,
                scheduled_messages.c.id,
            )
            .limit(limit)
            .with_for_update(of=scheduled_messages, skip_locked=True)
        )
        return list(rows)

    async def put_timer(self, message: ScheduledMessage) -> None:
        """Stage a timer, or move a pending one with the same key to the new time (a check-in
        answered again pushes its abandon timer back); one that already fired stays as it is."""
        existing = await self._by_key(message.unique_key)
        if existing is None:
            self._session.add(message)
        elif existing.state in (MessageState.PENDING, MessageState.CANCELLED):
            existing.state, existing.attempts = MessageState.PENDING, 0
            existing.due_at, existing.valid_until = message.due_at, message.valid_until

    async def _by_key(self, unique_key: str) -> ScheduledMessage | None:
        return await self._session.scalar(
            select(ScheduledMessage)
            .where(scheduled_messages.c.unique_key == unique_key)
            .execution_options(populate_existing=True)
        )

    async def release_interrupted(self) -> int:
        """Messages left `sending` by a stopped instance go back to pending, to be sent again;
        returns how many.

        They were claimed, not necessarily sent: most of a claimed batch is still waiting for
        its turn, and no row records whether its request reached Telegram. Some may have been
        delivered before the stop: a repeated reminder is less harmful than a lost one (README
        states this window).
        """
        result = await self._session.execute(
            update(scheduled_messages)
            .where(scheduled_messages.c.state == MessageState.SENDING)
            .values(state=MessageState.PENDING)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def bring_forward(self, kind: str, now: datetime) -> int:
        """Pending rows of `kind` due later become due now; returns how many."""
        result = await self._session.execute(
            update(scheduled_messages)
            .where(
                scheduled_messages.c.state == MessageState.PENDING,
                scheduled_messages.c.kind == kind,
                scheduled_messages.c.due_at > now,
            )
            .values(due_at=now)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def next_wake_after(self, moment: datetime) -> datetime | None:
        """The first moment after `moment` at which `due` may return a message: the next due
        time, or a retry time (deferred, or held by quiet hours) if that comes first.

        Both read an index range, not every pending row: the due times after `moment`, and
        the retry times of rows already due by then (a deferred row is due). A row not yet due
        whose retry time is later still (rare) wakes at its due time, then at its retry time.
        """
        due_at, retry_at = scheduled_messages.c.due_at, scheduled_messages.c.retry_at
        next_due: datetime | None = await self._session.scalar(
            select(due_at)
            .join(patients, patients.c.id == scheduled_messages.c.patient_id)
            .where(_claimable(), due_at > moment)
            .order_by(due_at)
            .limit(1)
        )
        next_retry: datetime | None = await self._session.scalar(
            select(func.min(retry_at))
            .select_from(scheduled_messages)
            .join(patients, patients.c.id == scheduled_messages.c.patient_id)
            .where(_claimable(), due_at <= moment, retry_at > moment)
        )
        return min((t for t in (next_due, next_retry) if t is not None), default=None)

    async def by_id(self, message_id: int) -> ScheduledMessage | None:
        """The scheduled message with this id."""
        return await self._session.get(ScheduledMessage, message_id)

    async def for_patient(self, patient_id: int) -> Sequence[ScheduledMessage]:
        """Every scheduled message of a patient, in due order."""
        rows = await self._session.scalars(
            select(ScheduledMessage)
            .where(scheduled_messages.c.patient_id == patient_id)
            .order_by(scheduled_messages.c.due_at, scheduled_messages.c.id)
        )
        return list(rows)

    async def cancel_pending_for_session(self, session_id: int) -> None:
        """Cancel what is still pending from a session's plan (a new session replaces it);
        an open check-in's timers stay."""
        await self._cancel_pending(
            scheduled_messages.c.session_id == session_id,
            scheduled_messages.c.kind.not_in(CHECK_IN_TIMERS),
        )

    async def cancel_pending_plan_rows(self, session_id: int) -> None:
        """Cancel a session's pending plan messages only: its check-in and incident timers,
        and staff's messages, stay (the patient moves to another version of her plan)."""
        await self._cancel_pending(
            scheduled_messages.c.session_id == session_id,
            scheduled_messages.c.unique_key.startswith(PLAN_ROW_PREFIX, autoescape=True),
        )

    async def cancel_pending_reminders(self, session_id: int) -> None:
        """Cancel a session's pending appointment reminders (the appointment moved)."""
        await self._cancel_pending(
            scheduled_messages.c.session_id == session_id,
            scheduled_messages.c.kind == "appointment",
        )

    async def listing(self, patient_id: int | None) -> Sequence[tuple[str, ScheduledMessage, str]]:
        """(patient code, message, time zone) for every row or one patient's, by due time."""
        query = (
            select(patients.c.code, ScheduledMessage, patients.c.timezone)
            .join(patients, patients.c.id == scheduled_messages.c.patient_id)
            .order_by(scheduled_messages.c.due_at, scheduled_messages.c.id)
        )
        if patient_id is not None:
            query = query.where(scheduled_messages.c.patient_id == patient_id)
        rows = await self._session.execute(query)
        return [(row[0], row[1], row[2]) for row in rows]

    async def cancel_pending(self, unique_keys: list[str]) -> None:
        """Cancel these rows if they are still pending (a check-in was answered)."""
        await self._cancel_pending(scheduled_messages.c.unique_key.in_(unique_keys))

    async def cancel_pending_plan_messages(self, session_id: int, kinds: tuple[str, ...]) -> None:
        """Cancel a session's pending plan messages of these kinds (to re-plan them)."""
        await self._cancel_pending(
            scheduled_messages.c.session_id == session_id, scheduled_messages.c.kind.in_(kinds)
        )

    async def cancel_all_pending(self, patient_id: int) -> None:
        """Cancel everything still pending for a patient (discharge), except what keeps a
        report in front of staff (an incident's post, re-pages, reminder and tasks; a half-done
        check-in's triage): a discharge never silences a report."""
        await self._cancel_pending(
            scheduled_messages.c.patient_id == patient_id,
            scheduled_messages.c.kind.not_in(list(ACTED_ON_KINDS)),
        )

    async def cancel_pending_of_kinds(self, patient_id: int, kinds: frozenset[str]) -> None:
        """Cancel a patient's pending timers of these kinds (an incident was acknowledged)."""
        await self._cancel_pending(
            scheduled_messages.c.patient_id == patient_id, scheduled_messages.c.kind.in_(kinds)
        )

    async def _cancel_pending(self, *conditions: ColumnElement[bool]) -> None:
        """Cancel the pending rows matching every condition (one UPDATE, no rows loaded)."""
        await self._session.execute(
            update(scheduled_messages)
            .where(scheduled_messages.c.state == MessageState.PENDING, *conditions)
            .values(state=MessageState.CANCELLED)
            .execution_options(synchronize_session=False)
        )
