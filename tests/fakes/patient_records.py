"""The fake of `PatientRecords`: one patient's whole record across tables, for export and
erasure, with the database's ON DELETE rules applied by hand."""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aftercare_bot.adapters.persistence.patient_records import (
    ANONYMOUS_PREFIX,
    PATIENT_MESSAGE_KINDS,
)
from aftercare_bot.domain.check_in_answers import stored_answers
from aftercare_bot.domain.outbox import INCIDENT_SAFETY_NET, INCIDENT_TIMERS, MessageState
from aftercare_bot.domain.patients import PatientStatus
from tests.fakes.store import FakeSession

CASCADE, SET_NULL = True, False
# What deleting a row of a table does to the rows that refer to it (tables.py's foreign keys).
REFERENCES: dict[str, tuple[tuple[str, str, bool], ...]] = {
    "patients": (
        ("courses", "patient_id", CASCADE),
        ("enrollment_links", "patient_id", CASCADE),
        ("consent_events", "patient_id", CASCADE),
        ("scheduled_messages", "patient_id", CASCADE),
        ("check_ins", "patient_id", CASCADE),
        ("patient_messages", "patient_id", CASCADE),
        ("staff_tasks", "patient_id", CASCADE),
        ("incidents", "patient_id", SET_NULL),
        ("relay_drafts", "patient_id", SET_NULL),
    ),
    "courses": (("treatment_sessions", "course_id", CASCADE),),
    "treatment_sessions": (("scheduled_messages", "session_id", CASCADE),),
    "scheduled_messages": (("check_ins", "scheduled_message_id", SET_NULL),),
}
PERSONAL_TABLES = ("consent_events", "enrollment_links", "patient_messages", "staff_tasks")


@dataclass
class PatientMessageRow:
    """A row of `patient_messages`."""

    id: int
    patient_id: int
    received_at: datetime
    text: str
    awaiting_post: bool = False


def _iso(value: Any) -> Any:
    return value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value


def _picked(row: Any, columns: str) -> dict[str, Any]:
    """Some columns of a row, as the SQL export gives them (datetimes in ISO form; an enum
    member or its string value, which compare and serialise alike)."""
    return {name: _iso(getattr(row, name)) for name in columns.split()}


class FakePatientRecords:
    """The patient's whole record across tables, in memory."""

    def __init__(self, session: FakeSession) -> None:
        self._session = session

    async def export(self, patient_id: int) -> dict[str, Any]:
        """Everything about the patient, as plain JSON-ready values (LookupError if none)."""
        patient = self._session.table("patients")[patient_id]
        courses = self._of("courses", patient_id, key=lambda course: course.id)
        course_ids = {course.id for course in courses}
        sessions = self._rows(
            "treatment_sessions",
            lambda session: session.course_id in course_ids,
            key=lambda session: (session.held_at, session.id),
        )
        messages = self._rows(
            "scheduled_messages",
            lambda message: (
                message.patient_id == patient_id and message.kind in PATIENT_MESSAGE_KINDS
            ),
            key=lambda message: (message.due_at, message.id),
        )
        check_ins = self._of("check_ins", patient_id, key=lambda row: (row.opened_at, row.id))
        incidents = self._of("incidents", patient_id, key=lambda row: (row.opened_at, row.id))
        consent = self._of("consent_events", patient_id, key=lambda e: (e.occurred_at, e.id))
        written = self._of("patient_messages", patient_id, key=lambda m: (m.received_at, m.id))
        return {
            "patient": _picked(
                patient, "code display_name language timezone practitioner status enrolled_at"
            ),
            "courses": [
                _picked(
                    course,
                    "plan_name sessions_planned started_at next_appointment_at"
                    " appointment_confirmed_at closed_at",
                )
                for course in courses
            ],
            "sessions": [_picked(s, "number held_at practitioner product batch") for s in sessions],
            "messages": [_picked(m, "message_key kind state due_at sent_at") for m in messages],
            "check_ins": [
                {
                    **_picked(row, "opened_at state answered_at missed_at left_unfinished_at"),
                    "answers": stored_answers(row.answers).to_json(),
                    "result": row.urgency,
                }
                for row in check_ins
            ],
            "incidents": [
                _picked(row, "opened_at urgency state acknowledged_at resolved_at outcome")
                for row in incidents
            ],
            "consent": [_picked(event, "occurred_at change text_version") for event in consent],
            "messages_from_you": [_picked(m, "received_at text") for m in written],
        }

    async def add_message(
        self, patient_id: int, text: str, now: datetime, awaiting_post: bool = False
    ) -> None:
        """Keep something the patient wrote (`awaiting_post`: held for a bundled post)."""
        row_id = self._session.new_id("patient_messages")
        self._session.table("patient_messages")[row_id] = PatientMessageRow(
            row_id, patient_id, now, text, awaiting_post
        )

    async def messages_awaiting_post(self, patient_id: int) -> list[tuple[int, str]]:
        """The patient's held messages (id, text), oldest first."""
        held = self._of("patient_messages", patient_id, key=lambda row: row.id)
        return [(row.id, row.text) for row in held if row.awaiting_post]

    async def mark_posted(self, message_ids: list[int]) -> None:
        """These held messages have reached staff."""
        table = self._session.table("patient_messages")
        for message_id in message_ids:
            if message_id in table:
                table[message_id].awaiting_post = False

    async def erase(self, patient_id: int, code: str) -> None:
        """Delete the patient and everything hanging off them (cascades), and their code from
        the audit trail; their incidents stay without the summary or any note."""
        self._forget_incident_texts(patient_id)
        self._blank_relay_drafts(patient_id)
        self._forget_held_updates(patient_id)
        self._delete("patients", [patient_id])
        self._scrub_audit(code)

    async def anonymise(self, patient_id: int, code: str) -> None:
        """Keep only what clinic statistics need, with no name, chat or code."""
        self._delete_personal(patient_id, keep_incident_timers=False)
        self._forget_incident_texts(patient_id)
        self._blank_relay_drafts(patient_id)
        self._forget_held_updates(patient_id)
        self._blank_patient(patient_id, PatientStatus.ANONYMISED)
        patient = self._session.table("patients").get(patient_id)
        if patient is not None:
            patient.code = ANONYMOUS_PREFIX + secrets.token_hex(3).upper()
        self._scrub_audit(code)

    async def leave(self, patient_id: int, *, keep_for_statistics: bool) -> None:
        """Everything goes now but the patient's code and their incident's escalation timers
        (the safety net is cancelled); courses, sessions and check-ins stay with
        `keep_for_statistics`."""
        self._delete_personal(patient_id, keep_incident_timers=True)
        if not keep_for_statistics:
            for name in ("check_ins", "courses"):
                self._delete_where(name, lambda row: row.patient_id == patient_id)
        self._blank_relay_drafts(patient_id)
        self._forget_held_updates(patient_id)
        self._blank_patient(patient_id, PatientStatus.LEFT)

    async def kept_for_statistics(self, patient_id: int) -> bool:
        """Whether the patient still has courses or check-ins."""
        return any(
            row.patient_id == patient_id
            for name in ("courses", "check_ins")
            for row in self._session.table(name).values()
        )

    def _rows(self, name: str, test: Callable[[Any], bool], key: Callable[[Any], Any]) -> list[Any]:
        return sorted((row for row in self._session.table(name).values() if test(row)), key=key)

    def _of(self, name: str, patient_id: int, key: Callable[[Any], Any]) -> list[Any]:
        return self._rows(name, lambda row: row.patient_id == patient_id, key)

    def _delete_where(self, name: str, test: Callable[[Any], bool]) -> None:
        self._delete(name, [key for key, row in self._session.table(name).items() if test(row)])

    def _delete(self, name: str, keys: list[Any]) -> None:
        """Delete rows, then what refers to them as the foreign keys say."""
        table = self._session.table(name)
        for key in keys:
            table.pop(key, None)
        for child, column, cascade in REFERENCES.get(name, ()):
            rows = self._session.table(child)
            hit = [k for k, row in rows.items() if getattr(row, column) in keys]
            if cascade:
                self._delete(child, hit)
            else:
                for k in hit:
                    setattr(rows[k], column, None)

    def _delete_personal(self, patient_id: int, *, keep_incident_timers: bool) -> None:
        for name in PERSONAL_TABLES:
            self._delete_where(name, lambda row: row.patient_id == patient_id)
        messages = [
            m
            for m in self._session.table("scheduled_messages").values()
            if m.patient_id == patient_id
        ]
        if keep_incident_timers:
            for message in messages:
                if message.kind == INCIDENT_SAFETY_NET and message.state == MessageState.PENDING:
                    message.state = MessageState.CANCELLED
            messages = [m for m in messages if m.kind not in INCIDENT_TIMERS]
        self._delete("scheduled_messages", [message.id for message in messages])

    def _forget_incident_texts(self, patient_id: int) -> None:
        for incident in self._of("incidents", patient_id, key=lambda row: row.id):
            incident.post_text = incident.outcome_note = None

    def _forget_held_updates(self, patient_id: int) -> None:
        patient = self._session.table("patients").get(patient_id)
        if patient is not None and patient.chat_id is not None:
            chat_id = patient.chat_id
            self._delete_where("held_updates", lambda row: row.chat_id == chat_id)

    def _blank_relay_drafts(self, patient_id: int) -> None:
        for draft in self._of("relay_drafts", patient_id, key=lambda row: row.id):
            draft.text = None if draft.text is None else ""
            draft.patient_chat_id = None

    def _blank_patient(self, patient_id: int, status: PatientStatus) -> None:
        patient = self._session.table("patients").get(patient_id)
        if patient is not None:
            patient.display_name = patient.practitioner = ""
            patient.chat_id = patient.import_key = patient.enrolled_by = None
            patient.status = status

    def _scrub_audit(self, code: str) -> None:
        for row in self._session.table("audit_events").values():
            if row.subject == code:
                row.subject = None
