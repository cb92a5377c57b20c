"""A patient's whole record, on SQL and on the fake: exported, held messages, and forgotten
(erased, anonymised, or left while an incident is open)."""

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from aftercare_bot.adapters.persistence.held_updates import HeldUpdate
from aftercare_bot.domain.audit import AuditEvent
from aftercare_bot.domain.check_in_answers import Answers, Level, Symptom, WarningSign
from aftercare_bot.domain.check_ins import CheckIn, CheckInState
from aftercare_bot.domain.consent import ConsentChange, ConsentEvent
from aftercare_bot.domain.enrollment_links import EnrollmentLink, LinkPurpose
from aftercare_bot.domain.incidents import Incident, IncidentState, IncidentUrgency
from aftercare_bot.domain.outbox import (
    INCIDENT_PAGE,
    INCIDENT_SAFETY_NET,
    MessageState,
    ScheduledMessage,
)
from aftercare_bot.domain.patients import Course, Patient, PatientStatus, TreatmentSession
from aftercare_bot.domain.relay import DraftState, RelayDraft
from aftercare_bot.domain.tasks import StaffTask, TaskKind

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
DAY = timedelta(days=1)
SUMMARY = "URGENT check-in: patient P-AAAA (Anna), redness severe"
ANSWERS = Answers({Symptom.REDNESS: Level.SEVERE}, frozenset({WarningSign.FEVER}))


@dataclass
class Stored:
    """The ids of what `a_followed_patient` stored."""

    patient: int
    course: int
    session: int
    check_in: int
    incident: int
    task: int
    link: int
    drafts: tuple[int, int]


def a_message(patient_id: int, key: str, kind: str, due_at: datetime, **fields: Any) -> Any:
    return ScheduledMessage(
        unique_key=f"{patient_id}:{key}",
        patient_id=patient_id,
        kind=kind,
        message_key=key,
        due_at=due_at,
        valid_until=due_at + DAY,
        **fields,
    )


async def a_followed_patient(units: Any, code: str = "P-AAAA", chat_id: int = 5001) -> Stored:
    """A linked patient with something in every table that holds their data."""
    async with units.unit_of_work() as uow:
        patient = Patient(code, "Anna", "Europe/London", "Dr Grey", NOW - DAY, language="en")
        patient.status, patient.chat_id, patient.enrolled_by = PatientStatus.LINKED, chat_id, 1
        patient.import_key = f"row-{code}"
        uow.patients.add(patient)
        await uow.patients.flush()
        pid = patient.id
        course = Course(pid, "scalp-mesotherapy", 4, timedelta(weeks=3), NOW - DAY, NOW + DAY)
        earlier = Course(pid, "old-plan", 1, timedelta(weeks=4), NOW - 60 * DAY)
        earlier.closed_at = NOW - 30 * DAY
        uow.patients.add(course)
        uow.patients.add(earlier)
        await uow.patients.flush()
        session = TreatmentSession(course.id, 1, NOW - DAY, "Dr Grey", "HSR", "L-42")
        uow.patients.add(session)
        uow.patients.add(TreatmentSession(earlier.id, 1, NOW - 60 * DAY, "Dr Blue"))
        uow.patients.add(ConsentEvent(pid, NOW, ConsentChange.STOPPED))
        uow.patients.add(ConsentEvent(pid, NOW - DAY, ConsentChange.ACCEPTED, chat_id=chat_id))
        link = EnrollmentLink(f"hash-{code}", LinkPurpose.PATIENT, NOW - DAY, NOW + DAY, pid)
        uow.links.add(link)
        await uow.patients.flush()
        checkin = a_message(pid, "plan.checkin", "checkin", NOW - DAY, session_id=session.id)
        for message in (
            a_message(pid, "plan.evening", "info", NOW + DAY, session_id=session.id),
            checkin,
            a_message(pid, "incident.page", INCIDENT_PAGE, NOW + DAY),
            a_message(pid, "incident.safety_net", INCIDENT_SAFETY_NET, NOW + DAY),
            a_message(pid, "goodbye", "goodbye", NOW + 2 * DAY, state=MessageState.SENT),
        ):
            assert await uow.outbox.add_unless_present(message)
        await uow.patients.flush()
        answers = json.dumps(ANSWERS.with_note("hot").with_photo().to_json())
        check_in = CheckIn(pid, NOW - DAY, CheckInState.ANSWERED, checkin.id, NOW, answers=answers)
        check_in.photo_file_id, check_in.urgency = "AgAD-secret-photo", "urgent"
        uow.check_ins.add(check_in)
        uow.check_ins.add(CheckIn(pid, NOW - 3 * DAY, CheckInState.MISSED, missed_at=NOW - DAY))
        incident = Incident(pid, IncidentUrgency.URGENT, NOW, post_text=SUMMARY)
        incident.outcome_note = "she is fine"
        uow.incidents.add(incident)
        uow.incidents.add(
            Incident(
                pid,
                IncidentUrgency.ROUTINE,
                NOW - 5 * DAY,
                IncidentState.RESOLVED,
                resolved_at=NOW - 4 * DAY,
                outcome="phoned",
            )
        )
        task = StaffTask(f"task:{code}", TaskKind.SOMETHING_CHANGED, pid, NOW, "new pills")
        assert await uow.tasks.open_unless_present(task)
        await uow.records.add_message(pid, "my scalp itches", NOW)
        await uow.records.add_message(pid, "it is worse", NOW + DAY, awaiting_post=True)
        drafts = [
            RelayDraft(1, "Nina", -100, NOW, NOW, DraftState.READY.value, text="Come in"),
            RelayDraft(1, "Nina", -100, NOW, NOW),
        ]
        for draft in drafts:
            draft.patient_id, draft.patient_chat_id = pid, chat_id
            uow.relay_drafts.add(draft)
        await uow.held_updates.keep([HeldUpdate(chat_id, chat_id, "{}")], NOW)
        await uow.audit.record(AuditEvent(NOW, "patient.enrolled", 1, subject=code))
        await uow.patients.flush()
        await uow.commit()
    return Stored(
        pid,
        course.id,
        session.id,
        check_in.id,
        incident.id,
        task.id,
        link.id,
        (drafts[0].id, drafts[1].id),
    )


EXPORT = {
    "patient": {
        "code": "P-AAAA",
        "display_name": "Anna",
        "language": "en",
        "timezone": "Europe/London",
        "practitioner": "Dr Grey",
        "status": "linked",
        "enrolled_at": "2026-11-25T10:00:00+00:00",
    },
    "courses": [
        {
            "plan_name": "scalp-mesotherapy",
            "sessions_planned": 4,
            "started_at": "2026-11-25T10:00:00+00:00",
            "next_appointment_at": "2026-11-27T10:00:00+00:00",
            "appointment_confirmed_at": None,
            "closed_at": None,
        },
        {
            "plan_name": "old-plan",
            "sessions_planned": 1,
            "started_at": "2026-09-27T10:00:00+00:00",
            "next_appointment_at": None,
            "appointment_confirmed_at": None,
            "closed_at": "2026-10-27T10:00:00+00:00",
        },
    ],
    "sessions": [
        {
            "number": 1,
            "held_at": "2026-09-27T10:00:00+00:00",
            "practitioner": "Dr Blue",
            "product": None,
            "batch": None,
        },
        {
            "number": 1,
            "held_at": "2026-11-25T10:00:00+00:00",
            "practitioner": "Dr Grey",
            "product": "HSR",
            "batch": "L-42",
        },
    ],
    "messages": [
        {
            "message_key": "plan.checkin",
            "kind": "checkin",
            "state": "pending",
            "due_at": "2026-11-25T10:00:00+00:00",
            "sent_at": None,
        },
        {
            "message_key": "plan.evening",
            "kind": "info",
            "state": "pending",
            "due_at": "2026-11-27T10:00:00+00:00",
            "sent_at": None,
        },
        {
            "message_key": "goodbye",
            "kind": "goodbye",
            "state": "sent",
            "due_at": "2026-11-28T10:00:00+00:00",
            "sent_at": None,
        },
    ],
    "check_ins": [
        {
            "opened_at": "2026-11-23T10:00:00+00:00",
            "state": "missed",
            "answered_at": None,
            "missed_at": "2026-11-25T10:00:00+00:00",
            "left_unfinished_at": None,
            "answers": {"levels": {}, "signs": [], "note": None, "photo": False},
            "result": None,
        },
        {
            "opened_at": "2026-11-25T10:00:00+00:00",
            "state": "answered",
            "answered_at": "2026-11-26T10:00:00+00:00",
            "missed_at": None,
            "left_unfinished_at": None,
            "answers": {
                "levels": {"redness": "severe"},
                "signs": ["fever"],
                "note": "hot",
                "photo": True,
            },
            "result": "urgent",
        },
    ],
    "incidents": [
        {
            "opened_at": "2026-11-21T10:00:00+00:00",
            "urgency": "routine",
            "state": "resolved",
            "acknowledged_at": None,
            "resolved_at": "2026-11-22T10:00:00+00:00",
            "outcome": "phoned",
        },
        {
            "opened_at": "2026-11-26T10:00:00+00:00",
            "urgency": "urgent",
            "state": "open",
            "acknowledged_at": None,
            "resolved_at": None,
            "outcome": None,
        },
    ],
    "consent": [
        {
            "occurred_at": "2026-11-25T10:00:00+00:00",
            "change": "accepted",
            "text_version": "2026-11-25",
        },
        {
            "occurred_at": "2026-11-26T10:00:00+00:00",
            "change": "stopped",
            "text_version": "2026-11-25",
        },
    ],
    "messages_from_you": [
        {"received_at": "2026-11-26T10:00:00+00:00", "text": "my scalp itches"},
        {"received_at": "2026-11-27T10:00:00+00:00", "text": "it is worse"},
    ],
}


async def export(units: Any, patient_id: int) -> dict[str, Any]:
    async with units.unit_of_work() as uow:
        data: dict[str, Any] = await uow.records.export(patient_id)
    json.dumps(data)  # JSON-ready
    return data


async def test_the_export_has_everything_about_the_patient_as_json_ready_values(
    units: Any,
) -> None:
    stored = await a_followed_patient(units)
    await a_followed_patient(units, "P-BBBB", 5002)
    data = await export(units, stored.patient)
    assert data == EXPORT
    assert "AgAD-secret-photo" not in json.dumps(data) and SUMMARY not in json.dumps(data)


async def test_exporting_a_patient_who_is_not_stored_fails(units: Any) -> None:
    with pytest.raises(LookupError):
        await export(units, 1)


async def test_held_messages_come_back_oldest_first_until_posted(units: Any) -> None:
    stored = await a_followed_patient(units)
    other = await a_followed_patient(units, "P-BBBB", 5002)
    async with units.unit_of_work() as uow:
        await uow.records.add_message(stored.patient, "and now", NOW + 2 * DAY, awaiting_post=True)
        await uow.commit()
    async with units.unit_of_work() as uow:
        held = await uow.records.messages_awaiting_post(stored.patient)
        assert [text for _, text in held] == ["it is worse", "and now"]
        assert held[0][0] < held[1][0]
        await uow.records.mark_posted([held[0][0]])
        await uow.records.mark_posted([])
        await uow.commit()
    async with units.unit_of_work() as uow:
        assert await uow.records.messages_awaiting_post(stored.patient) == [held[1]]
        assert [text for _, text in await uow.records.messages_awaiting_post(other.patient)] == [
            "it is worse"
        ]


async def test_a_message_kept_in_a_unit_that_does_not_commit_is_gone(units: Any) -> None:
    stored = await a_followed_patient(units)
    async with units.unit_of_work() as uow:
        await uow.records.add_message(stored.patient, "lost", NOW, awaiting_post=True)
    async with units.unit_of_work() as uow:
        held = await uow.records.messages_awaiting_post(stored.patient)
    assert [text for _, text in held] == ["it is worse"]


async def what_is_left(units: Any, stored: Stored) -> dict[str, Any]:
    """What the public queries still find of a patient's rows."""
    async with units.unit_of_work() as uow:
        patient = await uow.patients.by_id(stored.patient)
        check_in = await uow.check_ins.by_id(stored.check_in)
        incident = await uow.incidents.by_id(stored.incident)
        drafts = [await uow.relay_drafts.by_id(draft_id) for draft_id in stored.drafts]
        return {
            "patient": patient,
            "course": await uow.patients.current_course(stored.patient) is not None,
            "session": await uow.patients.latest_session(stored.course),
            "timers": [(m.kind, m.state) for m in await uow.outbox.for_patient(stored.patient)],
            "check_ins": len(await uow.check_ins.of_patient(stored.patient)),
            "check_in_message": None if check_in is None else check_in.scheduled_message_id,
            "incident": None
            if incident is None
            else (incident.patient_id, incident.post_text, incident.outcome_note),
            "incidents": len(await uow.incidents.of_patient(stored.patient)),
            "task": await uow.tasks.by_id(stored.task),
            "link": await uow.links.by_id(stored.link),
            "drafts": [(d.patient_id, d.patient_chat_id, d.text) for d in drafts if d],
            "held_chats": [update.chat_id for update in await uow.held_updates.all()],
            "audit_subjects": [event.subject for event in await uow.audit.since(NOW - DAY)],
            "kept_for_statistics": await uow.records.kept_for_statistics(stored.patient),
        }


async def test_erasing_deletes_the_patient_and_all_their_rows_but_keeps_incidents_bare(
    units: Any,
) -> None:
    stored = await a_followed_patient(units)
    other = await a_followed_patient(units, "P-BBBB", 5002)
    others_export = await export(units, other.patient)
    async with units.unit_of_work() as uow:
        await uow.records.erase(stored.patient, "P-AAAA")
        await uow.commit()
    left = await what_is_left(units, stored)
    assert left == {
        "patient": None,
        "course": False,
        "session": None,
        "timers": [],
        "check_ins": 0,
        "check_in_message": None,
        "incident": (None, None, None),
        "incidents": 0,
        "task": None,
        "link": None,
        "drafts": [(None, None, ""), (None, None, None)],
        "held_chats": [5002],
        "audit_subjects": [None, "P-BBBB"],
        "kept_for_statistics": False,
    }
    assert await export(units, other.patient) == others_export


async def test_anonymising_keeps_what_statistics_need_and_nothing_that_names_the_patient(
    units: Any,
) -> None:
    stored = await a_followed_patient(units)
    await a_followed_patient(units, "P-BBBB", 5002)
    async with units.unit_of_work() as uow:
        await uow.records.anonymise(stored.patient, "P-AAAA")
        await uow.commit()
    left = await what_is_left(units, stored)
    patient = left.pop("patient")
    assert patient.code.startswith("X-") and len(patient.code) == 8
    assert patient == Patient(
        patient.code,
        "",
        "Europe/London",
        "",
        NOW - DAY,
        language="en",
        status=PatientStatus.ANONYMISED,
        id=stored.patient,
    )
    assert left == {
        "course": True,
        "session": TreatmentSession(
            stored.course, 1, NOW - DAY, "Dr Grey", "HSR", "L-42", id=stored.session
        ),
        "timers": [],
        "check_ins": 2,
        "check_in_message": None,
        "incident": (stored.patient, None, None),
        "incidents": 2,
        "task": None,
        "link": None,
        "drafts": [(stored.patient, None, ""), (stored.patient, None, None)],
        "held_chats": [5002],
        "audit_subjects": [None, "P-BBBB"],
        "kept_for_statistics": True,
    }
    data = await export(units, stored.patient)
    assert (data["consent"], data["messages"], data["messages_from_you"]) == ([], [], [])
    assert (data["courses"], data["sessions"]) == (EXPORT["courses"], EXPORT["sessions"])
    assert len(data["check_ins"]) == len(data["incidents"]) == 2


async def test_leaving_keeps_the_code_and_the_incident_timers_and_cancels_the_safety_net(
    units: Any,
) -> None:
    stored = await a_followed_patient(units)
    await a_followed_patient(units, "P-BBBB", 5002)
    async with units.unit_of_work() as uow:
        await uow.records.leave(stored.patient, keep_for_statistics=False)
        await uow.commit()
    left = await what_is_left(units, stored)
    assert left == {
        "patient": Patient(
            "P-AAAA",
            "",
            "Europe/London",
            "",
            NOW - DAY,
            language="en",
            status=PatientStatus.LEFT,
            id=stored.patient,
        ),
        "course": False,
        "session": None,
        "timers": [
            (INCIDENT_PAGE, MessageState.PENDING),
            (INCIDENT_SAFETY_NET, MessageState.CANCELLED),
        ],
        "check_ins": 0,
        "check_in_message": None,
        "incident": (stored.patient, SUMMARY, "she is fine"),
        "incidents": 2,
        "task": None,
        "link": None,
        "drafts": [(stored.patient, None, ""), (stored.patient, None, None)],
        "held_chats": [5002],
        "audit_subjects": ["P-AAAA", "P-BBBB"],
        "kept_for_statistics": False,
    }
    data = await export(units, stored.patient)
    assert (data["courses"], data["sessions"], data["check_ins"]) == ([], [], [])


async def test_leaving_for_statistics_keeps_courses_sessions_and_check_ins(units: Any) -> None:
    stored = await a_followed_patient(units)
    async with units.unit_of_work() as uow:
        await uow.records.leave(stored.patient, keep_for_statistics=True)
        await uow.commit()
    left = await what_is_left(units, stored)
    assert (left["course"], left["check_ins"], left["check_in_message"]) == (True, 2, None)
    assert left["session"] is not None and left["kept_for_statistics"]
    assert left["patient"].status == PatientStatus.LEFT
    assert [kind for kind, _ in left["timers"]] == [INCIDENT_PAGE, INCIDENT_SAFETY_NET]


async def test_a_patient_is_kept_for_statistics_while_they_have_a_course_or_a_check_in(
    units: Any,
) -> None:
    async with units.unit_of_work() as uow:
        patient = Patient("P-AAAA", "Anna", "Europe/London", "Dr Grey", NOW)
        uow.patients.add(patient)
        await uow.patients.flush()
        await uow.commit()
    async with units.unit_of_work() as uow:
        assert not await uow.records.kept_for_statistics(patient.id)
        uow.check_ins.add(CheckIn(patient.id, NOW))
        assert await uow.records.kept_for_statistics(patient.id)
    async with units.unit_of_work() as uow:
        assert not await uow.records.kept_for_statistics(patient.id)
        uow.patients.add(Course(patient.id, "scalp-mesotherapy", 4, timedelta(weeks=3), NOW))
        await uow.commit()
    async with units.unit_of_work() as uow:
        assert await uow.records.kept_for_statistics(patient.id)
