"""Forgetting patients with no Telegram: a real database; an open incident is never hidden."""

import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Table, select

from aftercare_bot.adapters.persistence.database import Database
from aftercare_bot.adapters.persistence.tables import (
    check_ins,
    consent_events,
    courses,
    enrollment_links,
    patient_messages,
    patients,
    relay_drafts,
    scheduled_messages,
    staff_tasks,
    treatment_sessions,
)
from aftercare_bot.domain.audit import AuditEvent
from aftercare_bot.domain.check_in_answers import Answers, Level, Symptom, WarningSign
from aftercare_bot.domain.check_ins import CheckIn, CheckInState
from aftercare_bot.domain.consent import ConsentChange, ConsentEvent
from aftercare_bot.domain.enrollment_links import EnrollmentLink, LinkPurpose
from aftercare_bot.domain.incidents import Incident, IncidentOutcome, IncidentState, IncidentUrgency
from aftercare_bot.domain.outbox import (
    INCIDENT_PAGE,
    INCIDENT_SAFETY_NET,
    MessageState,
    ScheduledMessage,
)
from aftercare_bot.domain.patients import Course, Patient, PatientStatus, TreatmentSession
from aftercare_bot.domain.privacy import DeleteMode
from aftercare_bot.domain.relay import DraftState, RelayDraft
from aftercare_bot.domain.tasks import StaffTask, TaskKind
from aftercare_bot.services import escalation
from aftercare_bot.services.escalation import PagingRules
from aftercare_bot.services.retention import finish_erasure, forget, forget_expired
from aftercare_bot.services.tasks import open_task

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
RULES = PagingRules(timedelta(minutes=15), 3, timedelta(hours=4), timedelta(minutes=30))
A_YEAR = timedelta(weeks=52)
CHAT = 5001
SUMMARY = "URGENT check-in: patient P-AAAA (Anna), redness severe"
# What is left of a patient who left: the code, and nothing that names or reaches them.
PSEUDONYMISED = (
    "code",
    "display_name",
    "chat_id",
    "practitioner",
    "import_key",
    "enrolled_by",
    "status",
)


@dataclass
class FakeStaff:
    """Staff who see whatever they are shown; only what resolving does is recorded."""

    refreshed: list[int] = field(default_factory=list)

    async def post(self, incident: Incident) -> bool:
        return True

    async def page(self, incident: Incident, chat_ids: Sequence[int], round_number: int) -> None:
        """Not used here."""

    async def remind_owner(self, incident: Incident) -> None:
        """Not used here."""

    async def refresh(self, incident: Incident) -> None:
        assert incident.id is not None
        self.refreshed.append(incident.id)

    async def reply_under(self, incident: Incident, text: str) -> None:
        """Not used here."""


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


async def a_followed_patient(database: Database, closed_at: datetime | None = None) -> Patient:
    """A linked patient with something in every table: a course and session, a plan message,
    consent, a link, a message of theirs, a staff task, a check-in with a photo, a relay draft."""
    async with database.unit_of_work() as uow:
        patient = Patient(
            code="P-AAAA",
            display_name="Anna",
            timezone="Europe/London",
            practitioner="Dr Grey",
            enrolled_at=NOW - timedelta(days=1),
            language="en",
            status=PatientStatus.LINKED,
            chat_id=CHAT,
            enrolled_by=1,
            import_key="row-7",
        )
        uow.patients.add(patient)
        await uow.patients.flush()
        assert patient.id is not None
        course = Course(patient.id, "scalp-mesotherapy", 4, timedelta(weeks=3), NOW, None)
        course.closed_at = closed_at
        uow.patients.add(course)
        await uow.patients.flush()
        assert course.id is not None
        session = TreatmentSession(course.id, 1, NOW - timedelta(days=1), "Dr Grey", "HSR", "L-42")
        uow.patients.add(session)
        uow.patients.add(ConsentEvent(patient.id, NOW - timedelta(days=1), ConsentChange.ACCEPTED))
        uow.links.add(
            EnrollmentLink("hash", LinkPurpose.PATIENT, NOW, NOW + timedelta(days=7), patient.id)
        )
        await uow.patients.flush()
        await uow.outbox.add_unless_present(
            ScheduledMessage(
                unique_key="plan:evening",
                patient_id=patient.id,
                kind="info",
                message_key="plan.evening",
                due_at=NOW + timedelta(hours=9),
                valid_until=NOW + timedelta(hours=12),
                session_id=session.id,
                step_key="evening",
            )
        )
        await uow.records.add_message(patient.id, "my scalp itches", NOW)
        await open_task(
            uow, StaffTask("task:1", TaskKind.SOMETHING_CHANGED, patient.id, NOW, "new pills")
        )
        answers = Answers({Symptom.REDNESS: Level.SEVERE}, frozenset({WarningSign.FEVER}))
        uow.check_ins.add(
            CheckIn(
                patient.id,
                NOW,
                CheckInState.ANSWERED,
                answered_at=NOW,
                answers=json.dumps(answers.with_note("hot").with_photo().to_json()),
                photo_file_id="AgAD-secret-photo",
                urgency="urgent",
            )
        )
        uow.relay_drafts.add(
            RelayDraft(
                staff_id=1,
                staff_name="Nina",
                prompt_chat_id=-100,
                created_at=NOW,
                updated_at=NOW,
                state=DraftState.READY.value,
                patient_id=patient.id,
                patient_chat_id=CHAT,
                text="Please come in today, Anna",
            )
        )
        await uow.commit()
    return patient


async def an_urgent_incident(database: Database, patient: Patient) -> Incident:
    """Reported and posted, with its pages and the patient's safety net armed."""
    async with database.unit_of_work() as uow:
        stored = await uow.patients.by_id(patient.id)
        assert stored is not None
        reported = await escalation.report(uow, stored, IncidentUrgency.URGENT, NOW, SUMMARY)
    incident = reported.incident
    assert incident.id is not None
    async with database.unit_of_work() as uow:
        await escalation.arm_pages(uow, incident, RULES, NOW)
    async with database.unit_of_work() as uow:
        await escalation.record_post(uow, incident.id, -100, 77)
    return incident


async def forget_now(database: Database, mode: DeleteMode = DeleteMode.ERASE) -> Incident | None:
    async with database.unit_of_work() as uow:
        patient = await uow.patients.by_code("P-AAAA")
        assert patient is not None
        forgotten = await forget(uow, patient, mode, NOW, "at the patient's request")
        await uow.commit()
    assert forgotten.code == "P-AAAA" and forgotten.chat_id == CHAT
    return forgotten.incident


async def resolve(database: Database, incident: Incident, when: datetime) -> None:
    assert incident.id is not None
    await escalation.resolve(
        database, FakeStaff(), incident.id, 1, "Nina", IncidentOutcome.PHONED, when
    )


async def rows(database: Database, table: Table) -> list[dict[str, Any]]:
    async with database.unit_of_work() as uow:
        return [dict(row._mapping) for row in await uow.session.execute(select(table))]


async def timers(database: Database) -> list[tuple[str, str]]:
    async with database.unit_of_work() as uow:
        found = await uow.session.execute(
            select(scheduled_messages.c.kind, scheduled_messages.c.state)
        )
        return sorted((kind, str(state)) for kind, state in found)


async def audit(database: Database) -> list[AuditEvent]:
    async with database.unit_of_work() as uow:
        return list(await uow.audit.since(NOW - timedelta(days=2)))


async def the_incident(database: Database, incident_id: int | None) -> Incident:
    async with database.unit_of_work() as uow:
        assert incident_id is not None
        found = await uow.incidents.by_id(incident_id)
    assert found is not None
    return found


async def test_forgetting_a_patient_with_an_open_incident_keeps_only_their_code(
    database: Database,
) -> None:
    patient = await a_followed_patient(database)
    incident = await an_urgent_incident(database, patient)
    left = await forget_now(database)
    assert left is not None and left.id == incident.id
    [row] = await rows(database, patients)
    assert {key: row[key] for key in PSEUDONYMISED} == {
        "code": "P-AAAA",
        "display_name": "",
        "chat_id": None,
        "practitioner": "",
        "import_key": None,
        "enrolled_by": None,
        "status": PatientStatus.LEFT,
    }
    for table in (
        consent_events,
        enrollment_links,
        patient_messages,
        staff_tasks,
        check_ins,
        courses,
        treatment_sessions,
    ):
        assert await rows(database, table) == [], table.name
    # The pages still come; the patient's safety net is replaced by what they were told.
    pending = [kind for kind, state in await timers(database) if state == "pending"]
    assert pending == [INCIDENT_PAGE] * 4
    assert (INCIDENT_SAFETY_NET, MessageState.CANCELLED.value) in await timers(database)
    kept = await the_incident(database, incident.id)
    assert kept.state == IncidentState.OPEN and kept.patient_id == patient.id
    assert kept.patient_left_at == NOW
    # Pseudonymised to its code: the name goes, the clinical summary stays until resolve.
    assert kept.post_text == "URGENT check-in: patient P-AAAA, redness severe"


async def test_a_draft_to_a_patient_who_left_keeps_its_patient_but_loses_its_text(
    database: Database,
) -> None:
    patient = await a_followed_patient(database)
    await an_urgent_incident(database, patient)
    await forget_now(database)
    async with database.unit_of_work() as uow:
        found = await uow.session.execute(
            select(relay_drafts.c.patient_id, relay_drafts.c.patient_chat_id, relay_drafts.c.text)
        )
        assert [tuple(row) for row in found] == [(patient.id, None, "")]


async def test_leaving_is_audited_by_code_and_incident_id_with_no_health_text(
    database: Database,
) -> None:
    patient = await a_followed_patient(database)
    incident = await an_urgent_incident(database, patient)
    await forget_now(database)
    [left] = [event for event in await audit(database) if event.action == "patient.left"]
    assert left.subject == "P-AAAA"
    assert left.detail == f"incident {incident.id}: at the patient's request"


async def test_resolving_the_incident_erases_the_patient_and_keeps_the_adverse_event(
    database: Database,
) -> None:
    patient = await a_followed_patient(database)
    incident = await an_urgent_incident(database, patient)
    await forget_now(database)
    await resolve(database, incident, NOW + timedelta(hours=1))
    assert await rows(database, patients) == []
    assert await rows(database, scheduled_messages) == []
    kept = await the_incident(database, incident.id)
    assert kept.patient_id is None and kept.post_text is None and kept.outcome_note is None
    assert kept.state == IncidentState.RESOLVED and kept.outcome == IncidentOutcome.PHONED.value
    assert kept.urgency == IncidentUrgency.URGENT and kept.opened_at == NOW
    assert kept.resolved_at == NOW + timedelta(hours=1)
    events = await audit(database)
    assert not [event for event in events if event.subject == "P-AAAA"]
    [erased] = [event for event in events if event.action == "patient.erased"]
    assert erased.detail == f"incident {incident.id} resolved"


async def test_finish_erasure_leaves_a_patient_who_did_not_leave(database: Database) -> None:
    patient = await a_followed_patient(database)
    incident = await an_urgent_incident(database, patient)
    await resolve(database, incident, NOW + timedelta(hours=1))
    async with database.unit_of_work() as uow:
        resolved = await uow.incidents.by_id(incident.id or 0)
        assert resolved is not None
        assert await finish_erasure(uow, resolved) is False
        await uow.commit()
    [row] = await rows(database, patients)
    assert (row["code"], row["display_name"]) == ("P-AAAA", "Anna")
    assert (await the_incident(database, incident.id)).post_text == SUMMARY


async def test_finish_erasure_waits_for_the_incident_to_be_resolved(database: Database) -> None:
    patient = await a_followed_patient(database)
    incident = await an_urgent_incident(database, patient)
    await forget_now(database)
    async with database.unit_of_work() as uow:
        still_open = await uow.incidents.by_id(incident.id or 0)
        assert still_open is not None
        assert await finish_erasure(uow, still_open) is False
    assert len(await rows(database, patients)) == 1


async def test_anonymising_keeps_the_code_until_the_incident_is_resolved_then_anonymises(
    database: Database,
) -> None:
    patient = await a_followed_patient(database)
    incident = await an_urgent_incident(database, patient)
    await forget_now(database, DeleteMode.ANONYMISE)
    [row] = await rows(database, patients)
    assert [row[key] for key in ("code", "display_name", "chat_id", "status")] == [
        "P-AAAA",
        "",
        None,
        PatientStatus.LEFT,
    ]
    assert len(await rows(database, check_ins)) == 1  # kept for statistics, as anonymising does
    assert await rows(database, patient_messages) == []
    await resolve(database, incident, NOW + timedelta(hours=1))
    [row] = await rows(database, patients)
    assert row["code"].startswith("X-") and row["status"] == PatientStatus.ANONYMISED
    assert (row["display_name"], row["chat_id"]) == ("", None)
    kept = await the_incident(database, incident.id)
    assert kept.patient_id == patient.id and kept.post_text is None
    assert [e.action for e in await audit(database) if e.action.startswith("patient.")] == [
        "patient.left",
        "patient.anonymised",
    ]


async def test_without_an_open_incident_a_patient_is_erased_at_once_and_summaries_go(
    database: Database,
) -> None:
    patient = await a_followed_patient(database)
    incident = await an_urgent_incident(database, patient)
    await resolve(database, incident, NOW + timedelta(hours=1))
    assert await forget_now(database) is None
    assert await rows(database, patients) == []
    kept = await the_incident(database, incident.id)
    assert kept.patient_id is None and kept.post_text is None
    assert kept.outcome == IncidentOutcome.PHONED.value
    async with database.unit_of_work() as uow:
        [text] = (await uow.session.execute(select(relay_drafts.c.text))).scalars()
    assert text == ""


async def test_the_retention_sweep_skips_a_patient_with_an_open_incident(
    database: Database,
) -> None:
    patient = await a_followed_patient(database, closed_at=NOW - A_YEAR - timedelta(days=1))
    incident = await an_urgent_incident(database, patient)
    async with database.unit_of_work() as uow:
        assert await forget_expired(uow, NOW, A_YEAR, DeleteMode.ERASE) == 0
    async with database.unit_of_work() as uow:
        stored = await uow.patients.by_code("P-AAAA")
    assert stored is not None and stored.status == PatientStatus.LINKED
    assert stored.display_name == "Anna"
    await resolve(database, incident, NOW + timedelta(hours=1))
    async with database.unit_of_work() as uow:
        assert await forget_expired(uow, NOW, A_YEAR, DeleteMode.ERASE) == 1
    assert await rows(database, patients) == []


async def test_the_export_has_answers_and_incidents_and_no_timers_or_photo_files(
    database: Database,
) -> None:
    patient = await a_followed_patient(database)
    await an_urgent_incident(database, patient)
    assert patient.id is not None
    async with database.unit_of_work() as uow:
        data = await uow.records.export(patient.id)
    assert [(m["message_key"], m["kind"]) for m in data["messages"]] == [("plan.evening", "info")]
    [check_in] = data["check_ins"]
    assert check_in["answers"] == {
        "levels": {"redness": "severe"},
        "signs": ["fever"],
        "note": "hot",
        "photo": True,
    }
    assert check_in["result"] == "urgent"
    [incident] = data["incidents"]
    assert (incident["state"], incident["urgency"], incident["outcome"]) == (
        "open",
        "urgent",
        None,
    )
    assert incident["opened_at"] == NOW.isoformat()
    assert "AgAD-secret-photo" not in json.dumps(data)
    assert SUMMARY not in json.dumps(data)
