"""Read-only queries across patients for the staff's digest, lists and statistics.

Named by what staff ask ("who has not linked yet", "today's appointments"); they return
domain values, never rows, and never change anything.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from aftercare_bot.adapters.persistence.tables import (
    check_ins,
    consent_events,
    courses,
    incidents,
    patients,
    scheduled_messages,
    staff_tasks,
    treatment_sessions,
)
from aftercare_bot.domain.check_ins import CheckInState
from aftercare_bot.domain.clinical_records import ClinicalRecords, RecordIncident, RecordPatient
from aftercare_bot.domain.consent import ConsentChange
from aftercare_bot.domain.digest import (
    Appointment,
    CheckInDay,
    OpenIncident,
    OpenTask,
    PatientRef,
)
from aftercare_bot.domain.incidents import IncidentState, IncidentUrgency
from aftercare_bot.domain.outbox import ACTED_ON_KINDS, MessageState
from aftercare_bot.domain.patient_summary import (
    LISTED_STATUSES,
    EventKind,
    PatientSummary,
    TimelineEvent,
    newest_first,
)
from aftercare_bot.domain.patients import PatientStatus
from aftercare_bot.domain.safety_signal import BatchCount
from aftercare_bot.domain.statistics import CheckInRow, IncidentRecord
from aftercare_bot.domain.triage import Urgency

TRIAGED = tuple(urgency.value for urgency in Urgency)


def session_of_check_in() -> ColumnElement[int]:
    """The treatment session a check-in follows: the patient's latest one held before it."""
    return (
        select(treatment_sessions.c.id)
        .join(courses, courses.c.id == treatment_sessions.c.course_id)
        .where(
            courses.c.patient_id == check_ins.c.patient_id,
            treatment_sessions.c.held_at <= check_ins.c.opened_at,
        )
        .order_by(treatment_sessions.c.held_at.desc(), treatment_sessions.c.id.desc())
        .limit(1)
        .correlate(check_ins)
        .scalar_subquery()
    )


class ClinicOverview:
    """Queries across all patients."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def patients_in(self, *statuses: PatientStatus) -> list[PatientRef]:
        """Patients in one of these states, in order of enrollment."""
        rows = await self._session.execute(
            select(patients.c.code, patients.c.display_name)
            .where(patients.c.status.in_(statuses))
            .order_by(patients.c.enrolled_at, patients.c.id)
        )
        return [PatientRef(code, name) for code, name in rows]

    async def check_in_day(self, start: datetime, end: datetime) -> CheckInDay:
        """Check-ins that fell due, were answered, or were missed between `start` and `end`."""

        def count(column: ColumnElement[datetime]) -> Select[Any]:
            return select(func.count()).where(column >= start, column < end)

        session = self._session
        return CheckInDay(
            due=int(await session.scalar(count(check_ins.c.opened_at)) or 0),
            answered=int(await session.scalar(count(check_ins.c.answered_at)) or 0),
            missed=int(await session.scalar(count(check_ins.c.missed_at)) or 0),
        )

    async def open_incidents(self) -> list[OpenIncident]:
        """Incidents not resolved yet, with their patients."""
        rows = await self._session.execute(
            select(
                patients.c.code,
                patients.c.display_name,
                incidents.c.urgency,
                incidents.c.opened_at,
                incidents.c.acknowledged_by_name,
            )
            .join(patients, patients.c.id == incidents.c.patient_id)
            .where(incidents.c.state != IncidentState.RESOLVED)
            .order_by(incidents.c.opened_at, incidents.c.id)
        )
        return [
            OpenIncident(PatientRef(code, name), urgency == IncidentUrgency.URGENT, opened, owner)
            for code, name, urgency, opened, owner in rows
        ]

    async def open_tasks(self) -> list[OpenTask]:
        """Tasks not done yet, oldest first."""
        rows = await self._session.execute(
            select(staff_tasks.c.id, staff_tasks.c.kind, patients.c.code, patients.c.display_name)
            .outerjoin(patients, patients.c.id == staff_tasks.c.patient_id)
            .where(staff_tasks.c.done_at.is_(None))
            .order_by(staff_tasks.c.created_at, staff_tasks.c.id)
        )
        return [
            OpenTask(task_id, str(kind), PatientRef(code, name) if code else None)
            for task_id, kind, code, name in rows
        ]

    async def appointments_between(self, start: datetime, end: datetime) -> list[Appointment]:
        """Booked sessions in [start, end) of patients still followed, in time order."""
        rows = await self._session.execute(
            select(
                patients.c.code,
                patients.c.display_name,
                courses.c.next_appointment_at,
                courses.c.appointment_confirmed_at,
            )
            .join(patients, patients.c.id == courses.c.patient_id)
            .where(
                courses.c.closed_at.is_(None),
                courses.c.next_appointment_at >= start,
                courses.c.next_appointment_at < end,
                patients.c.status.not_in([PatientStatus.ANONYMISED, PatientStatus.DECLINED]),
            )
            .order_by(courses.c.next_appointment_at)
        )
        return [
            Appointment(PatientRef(code, name), at, confirmed is not None)
            for code, name, at, confirmed in rows
        ]

    async def batch_counts(self, since: datetime) -> list[BatchCount]:
        """Per product batch, triaged check-ins since `since` and how many were urgent."""
        batch = (
            select(treatment_sessions.c.batch)
            .where(treatment_sessions.c.id == session_of_check_in())
            .scalar_subquery()
        )
        per_check_in = (
            select(batch.label("batch"), check_ins.c.urgency.label("urgency"))
            .where(
                and_(
                    check_ins.c.state == CheckInState.ANSWERED,
                    check_ins.c.answered_at >= since,
                    check_ins.c.urgency.in_(TRIAGED),
                )
            )
            .subquery()
        )
        urgent = func.sum(case((per_check_in.c.urgency == Urgency.URGENT.value, 1), else_=0))
        rows = await self._session.execute(
            select(per_check_in.c.batch, urgent, func.count())
            .where(per_check_in.c.batch.is_not(None))
            .group_by(per_check_in.c.batch)
            .order_by(per_check_in.c.batch)
        )
        return [BatchCount(name, int(hits or 0), int(total)) for name, hits, total in rows]

    async def patient_summaries(
        self,
        offset: int,
        limit: int,
        search: str | None = None,
        status: PatientStatus | None = None,
        practitioner: str | None = None,
        plan: str | None = None,
    ) -> tuple[list[PatientSummary], int]:
        """One page of the patients staff follow (newest first), and how many there are;
        only those in `status`, seen by `practitioner`, on `plan`, when given."""
        condition: ColumnElement[bool] = patients.c.status.in_(
            [status] if status in LISTED_STATUSES else LISTED_STATUSES
        )
        if practitioner:
            condition = and_(condition, patients.c.practitioner == practitioner)
        if plan:
            on_plan = (
                select(courses.c.id)
                .where(
                    courses.c.patient_id == patients.c.id,
                    or_(
                        courses.c.plan_name == plan,
                        courses.c.plan_name.startswith(f"{plan}@", autoescape=True),
                    ),
                )
                .exists()
            )
            condition = and_(condition, on_plan)
        if search:
            pattern = f"%{search.strip().lower()}%"
            condition = and_(
                condition,
                or_(
                    func.lower(patients.c.display_name).like(pattern),
                    func.lower(patients.c.code).like(pattern),
                ),
            )
        course = (
            select(courses.c.id)
            .where(courses.c.patient_id == patients.c.id)
            .order_by(courses.c.started_at.desc(), courses.c.id.desc())
            .limit(1)
            .correlate(patients)
            .scalar_subquery()
        )
        # The page's ids first (sorting and skipping ids is cheap), then their summaries: an
        # OFFSET over the full query would work out every skipped row's subqueries too.
        # The count rides along with the ids (one scan, not two).
        page = (
            await self._session.execute(
                select(patients.c.id, func.count().over())
                .where(condition)
                .order_by(patients.c.enrolled_at.desc(), patients.c.id.desc())
                .offset(offset)
                .limit(limit)
            )
        ).all()
        ids = [patient_id for patient_id, _total in page]
        total = (
            int(page[0][1])
            if page
            else int(await self._session.scalar(select(func.count()).where(condition)) or 0)
        )
        rows = await self._session.execute(
            select(
                patients.c.code,
                patients.c.display_name,
                patients.c.status,
                select(func.max(treatment_sessions.c.number))
                .where(treatment_sessions.c.course_id == course)
                .scalar_subquery(),
                select(courses.c.sessions_planned).where(courses.c.id == course).scalar_subquery(),
                select(func.max(check_ins.c.answered_at))
                .where(check_ins.c.patient_id == patients.c.id)
                .scalar_subquery(),
                select(func.count())
                .where(
                    incidents.c.patient_id == patients.c.id,
                    incidents.c.state != IncidentState.RESOLVED,
                )
                .scalar_subquery(),
            )
            .where(patients.c.id.in_(ids))
            .order_by(patients.c.enrolled_at.desc(), patients.c.id.desc())
        )
        return [
            PatientSummary(code, name, PatientStatus(status), number, planned, last, int(open_))
            for code, name, status, number, planned, last, open_ in rows
        ], total

    async def practitioners(self) -> list[str]:
        """The practitioners named on the patients staff follow, in order, at most 200."""
        rows = await self._session.execute(
            select(patients.c.practitioner)
            .where(patients.c.status.in_(LISTED_STATUSES))
            .group_by(patients.c.practitioner)
            .order_by(patients.c.practitioner)
            .limit(200)
        )
        return [name for (name,) in rows]

    async def timeline(self, patient_id: int) -> list[TimelineEvent]:
        """Everything that happened in one patient's follow-up, newest first."""
        run = self._session.execute
        events: list[TimelineEvent] = []
        for enrolled, practitioner in await run(
            select(patients.c.enrolled_at, patients.c.practitioner).where(
                patients.c.id == patient_id
            )
        ):
            events.append(TimelineEvent(enrolled, EventKind.ENROLLED, {"who": practitioner}))
        for number, held, who, product, batch in await run(
            select(
                treatment_sessions.c.number,
                treatment_sessions.c.held_at,
                treatment_sessions.c.practitioner,
                treatment_sessions.c.product,
                treatment_sessions.c.batch,
            )
            .join(courses, courses.c.id == treatment_sessions.c.course_id)
            .where(courses.c.patient_id == patient_id)
        ):
            product_text = " ".join(part for part in (product, batch) if part)
            events.append(
                TimelineEvent(
                    held,
                    EventKind.SESSION,
                    {"number": str(number), "who": who, "product": product_text},
                )
            )
        for step, kind, sent in await run(
            select(
                scheduled_messages.c.step_key,
                scheduled_messages.c.kind,
                scheduled_messages.c.sent_at,
            ).where(
                scheduled_messages.c.patient_id == patient_id,
                scheduled_messages.c.state == MessageState.SENT,
                scheduled_messages.c.kind.not_in(list(ACTED_ON_KINDS)),
                scheduled_messages.c.sent_at.is_not(None),
            )
        ):
            events.append(TimelineEvent(sent, EventKind.MESSAGE, {"step": step or kind}))
        for state, answered, missed, answers, urgency in await run(
            select(
                check_ins.c.state,
                check_ins.c.answered_at,
                check_ins.c.missed_at,
                check_ins.c.answers,
                check_ins.c.urgency,
            ).where(check_ins.c.patient_id == patient_id)
        ):
            if state == CheckInState.ANSWERED and answered is not None:
                events.append(
                    TimelineEvent(
                        answered,
                        EventKind.CHECK_IN,
                        {"answers": answers or "", "urgency": urgency or ""},
                    )
                )
            elif missed is not None:
                events.append(TimelineEvent(missed, EventKind.CHECK_IN_MISSED))
        for urgency, opened, ack_by, ack_at, resolved_at, outcome in await run(
            select(
                incidents.c.urgency,
                incidents.c.opened_at,
                incidents.c.acknowledged_by_name,
                incidents.c.acknowledged_at,
                incidents.c.resolved_at,
                incidents.c.outcome,
            ).where(incidents.c.patient_id == patient_id)
        ):
            events.append(TimelineEvent(opened, EventKind.INCIDENT, {"urgency": str(urgency)}))
            if ack_at is not None:
                events.append(TimelineEvent(ack_at, EventKind.ACKNOWLEDGED, {"who": ack_by or ""}))
            if resolved_at is not None:
                events.append(
                    TimelineEvent(resolved_at, EventKind.RESOLVED, {"outcome": outcome or ""})
                )
        for appointment, confirmed in await run(
            select(courses.c.next_appointment_at, courses.c.appointment_confirmed_at).where(
                courses.c.patient_id == patient_id, courses.c.next_appointment_at.is_not(None)
            )
        ):
            events.append(
                TimelineEvent(
                    appointment,
                    EventKind.APPOINTMENT,
                    {"confirmed": "yes" if confirmed is not None else "no"},
                )
            )
        for occurred, change in await run(
            select(consent_events.c.occurred_at, consent_events.c.change).where(
                consent_events.c.patient_id == patient_id
            )
        ):
            events.append(TimelineEvent(occurred, EventKind.CONSENT, {"change": str(change)}))
        return newest_first(events)

    async def check_ins_since(self, since: datetime) -> list[CheckInRow]:
        """Check-ins opened since `since`, each with the session it follows."""
        session = session_of_check_in()
        held = select(treatment_sessions.c.held_at).where(treatment_sessions.c.id == session)
        who = select(treatment_sessions.c.practitioner).where(treatment_sessions.c.id == session)
        batch = select(treatment_sessions.c.batch).where(treatment_sessions.c.id == session)
        rows = await self._session.execute(
            select(
                check_ins.c.patient_id,
                patients.c.code,
                check_ins.c.opened_at,
                check_ins.c.state,
                check_ins.c.answered_at,
                check_ins.c.missed_at,
                check_ins.c.urgency,
                check_ins.c.answers,
                held.scalar_subquery(),
                who.scalar_subquery(),
                batch.scalar_subquery(),
            )
            .join(patients, patients.c.id == check_ins.c.patient_id)
            .where(check_ins.c.opened_at >= since)
            .order_by(check_ins.c.opened_at, check_ins.c.id)
        )
        return [CheckInRow(*row) for row in rows]

    async def clinical_records(self, since: datetime) -> ClinicalRecords:
        """The patients the clinic follows (not erased, not anonymised, not left) with their
        consents and next appointment, and their check-ins and incidents since `since`."""
        hidden = (PatientStatus.ANONYMISED, PatientStatus.LEFT)
        rows = await self._session.execute(
            select(patients.c.id, patients.c.code, patients.c.language)
            .where(patients.c.status.not_in(hidden))
            .order_by(patients.c.id)
        )
        found = {pid: (code, language) for pid, code, language in rows.all()}
        if not found:
            return ClinicalRecords()
        ids = list(found)
        consents: dict[int, list[tuple[ConsentChange, datetime]]] = {}
        for pid, change, at in await self._session.execute(
            select(
                consent_events.c.patient_id, consent_events.c.change, consent_events.c.occurred_at
            )
            .where(consent_events.c.patient_id.in_(ids))
            .order_by(consent_events.c.occurred_at, consent_events.c.id)
        ):
            consents.setdefault(pid, []).append((ConsentChange(change), at))
        appointments = dict(
            (
                await self._session.execute(
                    select(courses.c.patient_id, courses.c.next_appointment_at).where(
                        courses.c.patient_id.in_(ids),
                        courses.c.closed_at.is_(None),
                        courses.c.next_appointment_at.is_not(None),
                    )
                )
            ).all()
        )
        records = [
            RecordPatient(pid, code, language, tuple(consents.get(pid, [])), appointments.get(pid))
            for pid, (code, language) in found.items()
        ]
        check_in_rows = [
            row for row in await self.check_ins_since(since) if row.patient_id in found
        ]
        incident_rows = await self._session.execute(
            select(
                incidents.c.id,
                incidents.c.patient_id,
                incidents.c.urgency,
                incidents.c.state,
                incidents.c.opened_at,
                incidents.c.acknowledged_at,
                incidents.c.resolved_at,
                incidents.c.outcome,
            )
            .where(incidents.c.patient_id.in_(ids), incidents.c.opened_at >= since)
            .order_by(incidents.c.opened_at, incidents.c.id)
        )
        return ClinicalRecords(
            records,
            check_in_rows,
            [
                RecordIncident(iid, pid, str(urgency), str(state), opened, acked, resolved, outcome)
                for iid, pid, urgency, state, opened, acked, resolved, outcome in incident_rows
            ],
        )

    async def incidents_since(self, since: datetime) -> list[IncidentRecord]:
        """Incidents opened since `since`, with when they were acknowledged."""
        rows = await self._session.execute(
            select(
                incidents.c.opened_at,
                incidents.c.acknowledged_at,
                incidents.c.urgency,
                incidents.c.outcome,
            )
            .where(incidents.c.opened_at >= since)
            .order_by(incidents.c.opened_at)
        )
        return [
            IncidentRecord(opened, acked, str(urgency), outcome)
            for opened, acked, urgency, outcome in rows
        ]

    async def incidents_for_export(self, since: datetime) -> list[tuple[Any, ...]]:
        """Incidents opened since `since`: code, urgency, opened, acknowledged by/at, resolved,
        outcome. An incident whose patient was erased stays, without a code (adverse events)."""
        rows = await self._session.execute(
            select(
                patients.c.code,
                incidents.c.urgency,
                incidents.c.opened_at,
                incidents.c.acknowledged_by_name,
                incidents.c.acknowledged_at,
                incidents.c.resolved_at,
                incidents.c.outcome,
            )
            .outerjoin(patients, patients.c.id == incidents.c.patient_id)
            .where(incidents.c.opened_at >= since)
            .order_by(incidents.c.opened_at, incidents.c.id)
        )
        return [tuple(row) for row in rows]
