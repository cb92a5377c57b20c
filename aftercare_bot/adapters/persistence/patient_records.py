"""Everything stored about one patient: gathered for /mydata, erased or anonymised for /delete.

A patient who asks to be erased while an incident of theirs is open *leaves*: everything but
their code (and the incident's timers) goes at once, and the code goes when the incident is
resolved (`services.retention`).
"""

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from aftercare_bot.adapters.persistence.tables import (
    audit_events,
    check_ins,
    consent_events,
    courses,
    enrollment_links,
    held_updates,
    incidents,
    patient_messages,
    patients,
    relay_drafts,
    scheduled_messages,
    staff_tasks,
    treatment_sessions,
)
from aftercare_bot.domain.check_in_answers import stored_answers
from aftercare_bot.domain.outbox import (
    GOODBYE_KIND,
    INCIDENT_SAFETY_NET,
    INCIDENT_TIMERS,
    MessageState,
)
from aftercare_bot.domain.patients import PatientStatus
from aftercare_bot.domain.plan_model import StepKind

ANONYMOUS_PREFIX = "X-"
# What the patient was sent as messages: plan steps and the goodbye. Everything else in the
# outbox is a timer (incident pages, check-in expiry and abandon, nudges) or a staff relay.
PATIENT_MESSAGE_KINDS = (*(kind.value for kind in StepKind), GOODBYE_KIND)
# Rows the patient's own data lives in, apart from check-ins, courses and the patient row.
_PERSONAL_TABLES = (consent_events, enrollment_links, patient_messages, staff_tasks)


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _rows(result: Any) -> list[dict[str, Any]]:
    return [{key: _iso(value) for key, value in row._mapping.items()} for row in result]


class PatientRecords:
    """The patient's whole record across tables, for export and erasure."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def export(self, patient_id: int) -> dict[str, Any]:
        """Everything about the patient, as plain JSON-ready values.

        Messages are the ones the patient was sent or will be (no timers), with their
        `message_key` and `kind` for a front end to title; check-in answers are read
        tolerantly (a photo is a yes or no, never its file).
        """
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
        return {
            "patient": patient,
            "courses": course_rows,
            "sessions": sessions,
            "messages": await self._messages(patient_id),
            "check_ins": await self._check_ins(patient_id),
            "incidents": await self._incidents(patient_id),
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

    async def _messages(self, patient_id: int) -> list[dict[str, Any]]:
        return _rows(
            await self._session.execute(
                select(
                    scheduled_messages.c.message_key,
                    scheduled_messages.c.kind,
                    scheduled_messages.c.state,
                    scheduled_messages.c.due_at,
                    scheduled_messages.c.sent_at,
                )
                .where(
                    scheduled_messages.c.patient_id == patient_id,
                    scheduled_messages.c.kind.in_(PATIENT_MESSAGE_KINDS),
                )
                .order_by(scheduled_messages.c.due_at, scheduled_messages.c.id)
            )
        )

    async def _check_ins(self, patient_id: int) -> list[dict[str, Any]]:
        rows = _rows(
            await self._session.execute(
                select(
                    check_ins.c.opened_at,
                    check_ins.c.state,
                    check_ins.c.answered_at,
                    check_ins.c.missed_at,
                    check_ins.c.left_unfinished_at,
                    check_ins.c.answers,
                    check_ins.c.urgency.label("result"),
                )
                .where(check_ins.c.patient_id == patient_id)
                .order_by(check_ins.c.opened_at, check_ins.c.id)
            )
        )
        for row in rows:
            row["answers"] = stored_answers(row["answers"]).to_json()
        return rows

    async def _incidents(self, patient_id: int) -> list[dict[str, Any]]:
        return _rows(
            await self._session.execute(
                select(
                    incidents.c.opened_at,
                    incidents.c.urgency,
                    incidents.c.state,
                    incidents.c.acknowledged_at,
                    incidents.c.resolved_at,
                    incidents.c.outcome,
                )
                .where(incidents.c.patient_id == patient_id)
                .order_by(incidents.c.opened_at, incidents.c.id)
            )
        )

    async def add_message(
        self, patient_id: int, text: str, now: datetime, awaiting_post: bool = False
    ) -> None:
        """Keep something the patient wrote (`awaiting_post`: held for a bundled post)."""
        await self._session.execute(
            insert(patient_messages).values(
                patient_id=patient_id, received_at=now, text=text, awaiting_post=awaiting_post
            )
        )

    async def messages_awaiting_post(self, patient_id: int) -> list[tuple[int, str]]:
        """The patient's held messages (id, text), oldest first."""
        rows = await self._session.execute(
            select(patient_messages.c.id, patient_messages.c.text)
            .where(
                patient_messages.c.patient_id == patient_id,
                patient_messages.c.awaiting_post.is_(True),
            )
            .order_by(patient_messages.c.id)
        )
        return [(row.id, row.text) for row in rows]

    async def mark_posted(self, message_ids: list[int]) -> None:
        """These held messages have reached staff."""
        if message_ids:
            await self._session.execute(
                update(patient_messages)
                .where(patient_messages.c.id.in_(message_ids))
                .values(awaiting_post=False)
            )

    async def erase(self, patient_id: int, code: str) -> None:
        """Delete the patient and everything hanging off them (cascades), and their code from
        the audit trail. Their incidents stay for the adverse-event log, without the summary
        that named them or any note."""
        await self._forget_incident_texts(patient_id)
        await self._blank_relay_drafts(patient_id)
        await self._forget_held_updates(patient_id)
        await self._session.execute(delete(patients).where(patients.c.id == patient_id))
        await self._scrub_audit(code)

    async def anonymise(self, patient_id: int, code: str) -> None:
        """Keep only what clinic statistics need (courses, sessions, check-ins, incidents'
        outcomes) with no name, chat or code; delete everything else."""
        await self._delete_personal(patient_id, keep_incident_timers=False)
        await self._forget_incident_texts(patient_id)
        await self._blank_relay_drafts(patient_id)
        await self._forget_held_updates(patient_id)
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

    async def leave(self, patient_id: int, *, keep_for_statistics: bool) -> None:
        """The patient asked to be erased while an incident was open: everything goes now but
        their code (which names the incident to staff) and the incident's escalation timers;
        the patient's safety net is cancelled, since the bot can no longer write to them.
        With `keep_for_statistics` (the clinic anonymises), courses, sessions and check-ins
        stay, as anonymising keeps them."""
        await self._delete_personal(patient_id, keep_incident_timers=True)
        if not keep_for_statistics:
            for table in (check_ins, courses):  # sessions go with their course
                await self._session.execute(delete(table).where(table.c.patient_id == patient_id))
        await self._blank_relay_drafts(patient_id)
        await self._forget_held_updates(patient_id)
        await self._session.execute(
            update(patients)
            .where(patients.c.id == patient_id)
            .values(
                display_name="",
                chat_id=None,
                import_key=None,
                enrolled_by=None,
                practitioner="",
                status=PatientStatus.LEFT,
            )
        )

    async def kept_for_statistics(self, patient_id: int) -> bool:
        """Whether the patient still has courses or check-ins: a patient who left keeps them
        only when the clinic anonymises, so they are anonymised, not erased, in the end."""
        for table in (courses, check_ins):
            if await self._session.scalar(select(exists().where(table.c.patient_id == patient_id))):
                return True
        return False

    async def _delete_personal(self, patient_id: int, *, keep_incident_timers: bool) -> None:
        for table in _PERSONAL_TABLES:
            await self._session.execute(delete(table).where(table.c.patient_id == patient_id))
        messages = delete(scheduled_messages).where(scheduled_messages.c.patient_id == patient_id)
        if keep_incident_timers:
            messages = messages.where(scheduled_messages.c.kind.not_in(list(INCIDENT_TIMERS)))
            await self._session.execute(
                update(scheduled_messages)
                .where(
                    scheduled_messages.c.patient_id == patient_id,
                    scheduled_messages.c.kind == INCIDENT_SAFETY_NET,
                    scheduled_messages.c.state == MessageState.PENDING,
                )
                .values(state=MessageState.CANCELLED)
                .execution_options(synchronize_session=False)
            )
        await self._session.execute(messages)

    async def _forget_incident_texts(self, patient_id: int) -> None:
        """The staff summary names the patient and quotes their answers; a note may too."""
        await self._session.execute(
            update(incidents)
            .where(incidents.c.patient_id == patient_id)
            .values(post_text=None, outcome_note=None)
            .execution_options(synchronize_session=False)
        )

    async def _forget_held_updates(self, patient_id: int) -> None:
        """What the patient sent that a stop left unhandled goes with the rest of their data."""
        chat = select(patients.c.chat_id).where(patients.c.id == patient_id).scalar_subquery()
        await self._session.execute(delete(held_updates).where(held_updates.c.chat_id == chat))

    async def _blank_relay_drafts(self, patient_id: int) -> None:
        """Staff messages to the patient are their health conversation; the drafts stay (a
        later Send is refused) without the text or the chat."""
        await self._session.execute(
            update(relay_drafts)
            .where(relay_drafts.c.patient_id == patient_id, relay_drafts.c.text.is_not(None))
            .values(text="")
            .execution_options(synchronize_session=False)
        )
        await self._session.execute(
            update(relay_drafts)
            .where(relay_drafts.c.patient_id == patient_id)
            .values(patient_chat_id=None)
            .execution_options(synchronize_session=False)
        )

    async def _scrub_audit(self, code: str) -> None:
        await self._session.execute(
            update(audit_events).where(audit_events.c.subject == code).values(subject=None)
        )
