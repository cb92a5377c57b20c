"""Escalation use cases with no Telegram: a real database, fake staff and patient ports."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from aftercare_bot.domain.check_in_steps import Step
from aftercare_bot.domain.check_ins import CheckInState
from aftercare_bot.domain.incidents import (
    Incident,
    IncidentOutcome,
    IncidentState,
    IncidentUrgency,
)
from aftercare_bot.domain.outbox import INCIDENT_PAGE, INCIDENT_SAFETY_NET, MessageState
from aftercare_bot.domain.patients import Patient, PatientStatus
from aftercare_bot.domain.triage import TriageRules, Urgency
from aftercare_bot.services import escalation
from aftercare_bot.services.check_in_flow import begin, close_unfinished, press
from aftercare_bot.services.check_ins import CheckInTiming
from aftercare_bot.services.escalation import AlreadyHandled, PagingRules, StaffRoster, Taken
from tests.fakes.notices import FakePatients, FakeStaff
from tests.fakes.unit_of_work import Units

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
RULES = PagingRules(timedelta(minutes=15), 3, timedelta(hours=4), timedelta(minutes=30))
TIMING = CheckInTiming(timedelta(hours=8), timedelta(hours=24), timedelta(hours=2))
CHAT = 5001


@pytest.fixture
async def database(units: Units) -> AsyncIterator[Units]:
    database = units
    yield database
    await database.dispose()


async def a_patient(database: Units, chat_id: int = CHAT) -> Patient:
    async with database.unit_of_work() as uow:
        patient = Patient(
            code=f"P-{chat_id:04d}"[:8],
            display_name="Anna",
            timezone="Europe/London",
            practitioner="Grey",
            enrolled_at=NOW - timedelta(days=1),
            status=PatientStatus.LINKED,
            chat_id=chat_id,
        )
        uow.patients.add(patient)
        await uow.patients.flush()
        await uow.commit()
    return patient


async def urgent_incident(
    database: Units, staff: FakeStaff, patients: FakePatients
) -> tuple[Patient, Incident]:
    patient = await a_patient(database)
    assert patient.id is not None
    reported = await escalation.escalate(
        database, staff, patients, patient.id, IncidentUrgency.URGENT, "summary", RULES, NOW
    )
    assert reported is not None
    return patient, reported.incident


async def pending_kinds(database: Units, patient_id: int) -> list[str]:
    async with database.unit_of_work() as uow:
        return sorted(
            m.kind
            for m in await uow.outbox.for_patient(patient_id)
            if m.state == MessageState.PENDING
        )


async def test_an_urgent_report_is_stored_posted_and_its_pages_armed(database: Units) -> None:
    staff, patients = FakeStaff(), FakePatients()
    patient, incident = await urgent_incident(database, staff, patients)
    assert staff.posted == [incident.id]
    assert patient.id is not None
    kinds = await pending_kinds(database, patient.id)
    assert kinds.count(INCIDENT_PAGE) == 4 and kinds.count(INCIDENT_SAFETY_NET) == 1
    assert patients.safety_nets == []


async def test_when_no_staff_member_can_be_reached_the_patient_gets_the_safety_net_at_once(
    database: Units,
) -> None:
    staff, patients = FakeStaff(reachable=False), FakePatients()
    patient, _incident = await urgent_incident(database, staff, patients)
    assert patients.safety_nets == [patient.code]


async def test_a_second_report_joins_the_incident_under_its_post(database: Units) -> None:
    staff, patients = FakeStaff(), FakePatients()
    patient, incident = await urgent_incident(database, staff, patients)
    assert patient.id is not None and incident.id is not None
    async with database.unit_of_work() as uow:
        await escalation.record_post(uow, incident.id, -100, 77)
    await escalation.escalate(
        database, staff, patients, patient.id, IncidentUrgency.ROUTINE, "more", RULES, NOW
    )
    assert staff.posted == [incident.id]
    assert staff.threads == [(incident.id, "more")]


async def test_two_staff_acknowledging_at_once_get_one_winner(database: Units) -> None:
    staff, patients = FakeStaff(), FakePatients()
    _patient, incident = await urgent_incident(database, staff, patients)
    assert incident.id is not None
    results = await asyncio.gather(
        escalation.acknowledge(database, staff, patients, incident.id, 1, "Nina", RULES, NOW),
        escalation.acknowledge(database, staff, patients, incident.id, 2, "Olga", RULES, NOW),
    )
    winners = [r for r in results if isinstance(r, Taken)]
    losers = [r for r in results if isinstance(r, AlreadyHandled)]
    assert len(winners) == 1 and len(losers) == 1
    assert losers[0].incident.acknowledged_by_name == winners[0].incident.acknowledged_by_name
    assert len(patients.seen) == 1
    assert staff.refreshed == [(incident.id, IncidentState.ACKNOWLEDGED.value)]


async def test_acknowledging_stops_pages_and_arms_one_reminder(database: Units) -> None:
    staff, patients = FakeStaff(), FakePatients()
    patient, incident = await urgent_incident(database, staff, patients)
    assert incident.id is not None and patient.id is not None
    await escalation.acknowledge(database, staff, patients, incident.id, 1, "Nina", RULES, NOW)
    assert await pending_kinds(database, patient.id) == ["incident_ack_reminder"]


async def test_resolving_records_the_outcome_and_a_second_resolve_says_who(
    database: Units,
) -> None:
    staff, patients = FakeStaff(), FakePatients()
    patient, incident = await urgent_incident(database, staff, patients)
    assert incident.id is not None and patient.id is not None
    later = NOW + timedelta(minutes=5)
    first = await escalation.resolve(
        database, staff, incident.id, 1, "Nina", IncidentOutcome.PHONED, later
    )
    second = await escalation.resolve(
        database, staff, incident.id, 2, "Olga", IncidentOutcome.NO_ACTION, later
    )
    assert isinstance(first, Taken) and isinstance(second, AlreadyHandled)
    assert second.incident.resolved_by_name == "Nina"
    assert second.incident.outcome == IncidentOutcome.PHONED.value
    assert await pending_kinds(database, patient.id) == []
    noted = await escalation.add_outcome_note(database, incident.id, 1, " advised ", later)
    assert noted is not None and noted.outcome_note == "advised"


async def test_pages_go_to_the_group_and_the_on_call_then_the_admins(database: Units) -> None:
    staff, patients = FakeStaff(), FakePatients()
    roster = StaffRoster(-100, (1, 2), (7,))
    assert escalation.page_recipients(roster, -100, None, 1) == [-100, 7]
    assert escalation.page_recipients(roster, None, None, 2) == [7]
    assert escalation.page_recipients(roster, -100, "7", escalation.ADMIN_ROUND) == (1, 2)
    no_oncall = StaffRoster(None, (1,), ())
    assert escalation.page_recipients(no_oncall, None, "9", 1) == [9]
    assert escalation.page_recipients(no_oncall, None, None, 1) == [1]
    del staff, patients


async def test_an_acknowledged_incident_is_not_paged(database: Units) -> None:
    staff, patients = FakeStaff(), FakePatients()
    patient, incident = await urgent_incident(database, staff, patients)
    assert incident.id is not None and patient.id is not None
    async with database.unit_of_work() as uow:
        timers = [m for m in await uow.outbox.for_patient(patient.id) if m.kind == INCIDENT_PAGE]
    roster = StaffRoster(-100, (1,), ())
    await escalation.act_on_timer(database, staff, patients, timers[0], roster, NOW)
    assert staff.pages == [(incident.id, (-100, 1), 1)]
    await escalation.acknowledge(database, staff, patients, incident.id, 1, "Nina", RULES, NOW)
    await escalation.act_on_timer(database, staff, patients, timers[1], roster, NOW)
    assert len(staff.pages) == 1


async def test_the_first_severe_tap_is_urgent_at_once_and_only_once(database: Units) -> None:
    patient = await a_patient(database)
    rules = TriageRules()
    async with database.unit_of_work() as uow:
        check_in = await begin(uow, patient, NOW)
        await uow.commit()
    assert check_in.id is not None
    async with database.unit_of_work() as uow:
        first = await press(uow, check_in.id, Step.REDNESS, "severe", CHAT, rules, NOW, TIMING)
    assert first is not None and first.urgent_now is not None
    assert first.urgent_now.urgency == Urgency.URGENT
    async with database.unit_of_work() as uow:
        incident = Incident(patient.id or 0, IncidentUrgency.URGENT, NOW)
        uow.incidents.add(incident)
        await uow.incidents.flush()
        stored = await uow.check_ins.by_id(check_in.id)
        assert stored is not None
        stored.incident_id = incident.id
        await uow.commit()
    async with database.unit_of_work() as uow:
        second = await press(uow, check_in.id, Step.SWELLING, "severe", CHAT, rules, NOW, TIMING)
    assert second is not None and second.urgent_now is None and second.reported
    async with database.unit_of_work() as uow:
        third = await press(uow, check_in.id, Step.BRUISING, "none", CHAT, rules, NOW, TIMING)
    assert third is not None and third.urgent_now is None and third.urgent_more is None


async def test_a_check_in_left_halfway_is_closed_and_triaged_as_of_its_last_answer(
    database: Units,
) -> None:
    patient = await a_patient(database)
    rules = TriageRules()
    async with database.unit_of_work() as uow:
        check_in = await begin(uow, patient, NOW)
        await uow.commit()
    assert check_in.id is not None and patient.id is not None
    async with database.unit_of_work() as uow:
        await press(uow, check_in.id, Step.REDNESS, "moderate", CHAT, rules, NOW, TIMING)
    assert await pending_kinds(database, patient.id) == ["checkin_abandon"]
    later = NOW + timedelta(hours=2)
    async with database.unit_of_work() as uow:
        closed = await close_unfinished(uow, check_in.id, rules, later)
    assert closed is not None and closed.left_unfinished and closed.result is not None
    async with database.unit_of_work() as uow:
        stored = await uow.check_ins.by_id(check_in.id)
    assert stored is not None and stored.state == CheckInState.ANSWERED
    assert stored.answered_at == NOW and stored.left_unfinished_at == later
    async with database.unit_of_work() as uow:
        assert await close_unfinished(uow, check_in.id, rules, later) is None  # once only


async def test_two_reports_at_once_open_one_incident(database: Units) -> None:
    staff, patients = FakeStaff(), FakePatients()
    patient = await a_patient(database)
    assert patient.id is not None
    results = await asyncio.gather(
        escalation.escalate(
            database, staff, patients, patient.id, IncidentUrgency.URGENT, "tap", RULES, NOW
        ),
        escalation.escalate(
            database, staff, patients, patient.id, IncidentUrgency.ROUTINE, "task", RULES, NOW
        ),
    )
    ids = {r.incident.id for r in results if r is not None}
    assert len(ids) == 1
    async with database.unit_of_work() as uow:
        assert len(await uow.incidents.of_patient(patient.id)) == 1
