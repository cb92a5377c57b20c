"""Everything stored about one patient: gathered for /mydata, erased or anonymised for /delete."""

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from aftercare_bot.adapters.persistence.tables import (
    audit_events,
    check_ins,
    consent_events,
    courses,
    enrollment_links,
    patient_messages,
    patients,
    scheduled_messages,
    staff_tasks,
    treatment_sessions,
)
from aftercare_bot.domain.patients import PatientStatus

ANONYMOUS_PREFIX = "X-"


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _rows(result: Any) -> list[dict[str, Any]]:
    return [{key: _iso(value) for key, value in row._mapping.items()} for row in result]


class PatientRecords:
    """The patient's whole record across tables, for export and erasure."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def export(self, patient_id: int) -> dict[str, Any]:
        """Everything about the patient, as plain JSON-ready values."""
        run = self._session.execute
        patient = _rows(
            await run(
                select(
                    patients.c.code,
                    patients.c.display_name,
                    patients.c.language,
                    patients.c.timezone,
                    patients.c.practitioner,
                    patients.c.status,
                    patients.c.enrolled_at,
                ).where(patients.c.id == patient_id)
            )
        )[0]
        course_rows = _rows(
            await run(
                select(
                    courses.c.id,
                    courses.c.plan_name,
                    courses.c.sessions_planned,
                    courses.c.started_at,
                    courses.c.next_appointment_at,
                    courses.c.appointment_confirmed_at,
                    courses.c.closed_at,
                ).where(courses.c.patient_id == patient_id)
            )
        )
        sessions = _rows(
            await run(
                select(
                    treatment_sessions.c.number,
                    treatment_sessions.c.held_at,
                    treatment_sessions.c.practitioner,
                    treatment_sessions.c.product,
                    treatment_sessions.c.batch,
                )
                .join(courses, courses.c.id == treatment_sessions.c.course_id)
                .where(courses.c.patient_id == patient_id)
                .order_by(treatment_sessions.c.held_at)
            )
        )
        messages = _rows(
            await run(
                select(
                    scheduled_messages.c.step_key.label("step"),
                    scheduled_messages.c.kind,
                    scheduled_messages.c.state,
                    scheduled_messages.c.due_at,
                    scheduled_messages.c.sent_at,
                )
                .where(scheduled_messages.c.patient_id == patient_id)
                .order_by(scheduled_messages.c.due_at)
            )
        )
        return {
            "patient": patient,
            "courses": [
                {key: value for key, value in row.items() if key != "id"} for row in course_rows
            ],
            "sessions": sessions,
            "messages": messages,
            "check_ins": _rows(
                await run(
                    select(
                        check_ins.c.opened_at,
                        check_ins.c.state,
                        check_ins.c.answered_at,
                        check_ins.c.missed_at,
                    )
                    .where(check_ins.c.patient_id == patient_id)
                    .order_by(check_ins.c.opened_at)
                )
            ),
            "consent": _rows(
                await run(
                    select(
                        consent_events.c.occurred_at,
                        consent_events.c.change,
                        consent_events.c.text_version,
                    )
                    .where(consent_events.c.patient_id == patient_id)
                    .order_by(consent_events.c.occurred_at, consent_events.c.id)
                )
            ),
            "messages_from_you": _rows(
                await run(
                    select(patient_messages.c.received_at, patient_messages.c.text)
                    .where(patient_messages.c.patient_id == patient_id)
                    .order_by(patient_messages.c.received_at)
                )
            ),
        }

    async def add_message(self, patient_id: int, text: str, now: datetime) -> None:
        """Keep something the patient wrote."""
        await self._session.execute(
            insert(patient_messages).values(patient_id=patient_id, received_at=now, text=text)
        )

    async def erase(self, patient_id: int, code: str) -> None:
        """Delete the patient and everything hanging off them (cascades), and their code from
        the audit trail."""
        await self._session.execute(delete(patients).where(patients.c.id == patient_id))
        await self._scrub_audit(code)

    async def anonymise(self, patient_id: int, code: str) -> None:
        """Keep only what clinic statistics need (courses, sessions, check-ins) with no name,
        chat or code; delete everything else."""
        for table in (
            consent_events,
            scheduled_messages,
            enrollment_links,
            patient_messages,
            staff_tasks,
        ):
            await self._session.execute(delete(table).where(table.c.patient_id == patient_id))
        await self._session.execute(
            update(patients)
            .where(patients.c.id == patient_id)
            .values(
                code=ANONYMOUS_PREFIX + secrets.token_hex(3).upper(),
                display_name="",
                chat_id=None,
                import_key=None,
                enrolled_by=None,
                practitioner="",
                status=PatientStatus.ANONYMISED,
            )
        )
        await self._scrub_audit(code)

    async def _scrub_audit(self, code: str) -> None:
        await self._session.execute(
            update(audit_events).where(audit_events.c.subject == code).values(subject=None)
        )
