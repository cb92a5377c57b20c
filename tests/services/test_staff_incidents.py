"""Incidents as staff meet them, through the staff-incident use cases alone (no Telegram): a
report, taking it, resolving it, its note, the open list, the prompts and going on call, on the
real database and on the fake."""

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from aftercare_bot.clock import ManualClock
from aftercare_bot.domain.incidents import (
    NOTE_PROMPT,
    POST_COPY,
    IncidentOutcome,
    IncidentState,
    IncidentUrgency,
)
from aftercare_bot.domain.outbox import (
    INCIDENT_ACK_REMINDER,
    INCIDENT_PAGE,
    INCIDENT_POST,
    INCIDENT_SAFETY_NET,
    MessageState,
)
from aftercare_bot.domain.patients import Patient, PatientStatus
from aftercare_bot.services import escalation
from aftercare_bot.services.escalation import (
    ADMIN_ROUND,
    AlreadyHandled,
    PagingRules,
    StaffRoster,
    Taken,
)
from aftercare_bot.services.incident_copies import IncidentCopies
from aftercare_bot.services.relay import begin_draft, record_prompt
from aftercare_bot.services.staff_incidents import StaffIncidents
from tests.fakes.notices import FakePatients, FakeStaff
from tests.fakes.unit_of_work import Units
from tests.fakes.wakes import Wakes

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
RULES = PagingRules(timedelta(minutes=15), 3, timedelta(hours=4), timedelta(minutes=30))
GROUP = -100
ADMINS = (1, 2)
NINA, OLGA = 21, 22
CHATS = {"Anna": 5001, "Boris": 5002, "Clara": 5003}
GONE = 999_999


@dataclass
class Desk:
    """The incident use cases with the fakes a test looks at."""

    units: Units
    clock: ManualClock
    wakes: Wakes
    staff: FakeStaff
    patients: FakePatients
    incidents: StaffIncidents


@pytest.fixture
def desk(units: Units) -> Desk:
    clock, wakes, staff, patients = ManualClock(NOW), Wakes(), FakeStaff(), FakePatients()
    incidents = StaffIncidents(units, clock, wakes, RULES, staff, patients)
    return Desk(units, clock, wakes, staff, patients, incidents)


async def a_patient(desk: Desk, name: str = "Anna") -> Patient:
    async with desk.units.unit_of_work() as uow:
        patient = Patient(
            code=f"P-{name[:4].upper()}",
            display_name=name,
            timezone="Europe/London",
            practitioner="Grey",
            enrolled_at=NOW - timedelta(days=1),
            status=PatientStatus.LINKED,
            chat_id=CHATS[name],
        )
        uow.patients.add(patient)
        await uow.patients.flush()
        await uow.commit()
    return patient


async def reported(
    desk: Desk, urgency: IncidentUrgency = IncidentUrgency.URGENT, name: str = "Anna"
) -> tuple[Patient, int]:
    """A patient and the incident their report opened (through the use case)."""
    patient = await a_patient(desk, name)
    assert patient.id is not None
    result = await desk.incidents.report(patient.id, urgency, f"{name}: redness severe")
    assert result is not None and result.incident.id is not None
    return patient, result.incident.id


async def pending_kinds(desk: Desk, patient: Patient) -> list[str]:
    assert patient.id is not None
    async with desk.units.unit_of_work() as uow:
        return sorted(
            m.kind
            for m in await uow.outbox.for_patient(patient.id)
            if m.state == MessageState.PENDING
        )


# Reporting


async def test_a_report_is_posted_its_pages_armed_and_the_dispatcher_woken(desk: Desk) -> None:
    patient, incident_id = await reported(desk)
    assert desk.staff.posted == [incident_id]
    assert desk.wakes.count == 1
    kinds = await pending_kinds(desk, patient)
    assert kinds.count(INCIDENT_PAGE) == RULES.max_rounds + 1
    assert kinds.count(INCIDENT_SAFETY_NET) == 1
    assert INCIDENT_POST not in kinds  # posted: its safety post stood down
    incident = await desk.incidents.incident(incident_id)
    assert incident is not None and incident.state == IncidentState.OPEN
    assert incident.post_text == "Anna: redness severe"


async def test_a_report_about_a_patient_who_is_gone_is_none(desk: Desk) -> None:
    assert await desk.incidents.report(GONE, IncidentUrgency.URGENT, "?") is None
    assert desk.staff.posted == []


# Taking and resolving


async def test_taking_an_incident_stops_its_pages_and_tells_the_patient_who(desk: Desk) -> None:
    patient, incident_id = await reported(desk)
    desk.clock.advance(timedelta(minutes=3))
    taken = await desk.incidents.acknowledge(incident_id, NINA, "Nina")
    assert isinstance(taken, Taken)
    assert taken.incident.acknowledged_by_name == "Nina"
    assert taken.incident.acknowledged_at == NOW + timedelta(minutes=3)
    assert desk.wakes.count == 2
    assert await pending_kinds(desk, patient) == [INCIDENT_ACK_REMINDER]
    assert desk.patients.seen == [(patient.code, "Nina")]
    assert desk.staff.refreshed == [(incident_id, IncidentState.ACKNOWLEDGED.value)]


async def test_two_staff_taking_an_incident_at_once_get_one_winner(desk: Desk) -> None:
    patient, incident_id = await reported(desk)
    results = await asyncio.gather(
        desk.incidents.acknowledge(incident_id, NINA, "Nina"),
        desk.incidents.acknowledge(incident_id, OLGA, "Olga"),
    )
    [winner] = [r for r in results if isinstance(r, Taken)]
    [loser] = [r for r in results if isinstance(r, AlreadyHandled)]
    assert loser.incident.acknowledged_by_name == winner.incident.acknowledged_by_name
    assert desk.patients.seen == [(patient.code, winner.incident.acknowledged_by_name)]
    assert await pending_kinds(desk, patient) == [INCIDENT_ACK_REMINDER]


async def test_taking_an_unknown_incident_is_none(desk: Desk) -> None:
    assert await desk.incidents.acknowledge(GONE, NINA, "Nina") is None


async def test_resolving_closes_it_once_and_a_second_resolve_says_who(desk: Desk) -> None:
    patient, incident_id = await reported(desk)
    await desk.incidents.acknowledge(incident_id, NINA, "Nina")
    wakes = desk.wakes.count
    first = await desk.incidents.resolve(incident_id, NINA, "Nina", IncidentOutcome.PHONED)
    assert isinstance(first, Taken) and first.incident.state == IncidentState.RESOLVED
    assert desk.wakes.count == wakes + 1
    assert await pending_kinds(desk, patient) == []  # no reminder left to nag Nina
    second = await desk.incidents.resolve(incident_id, OLGA, "Olga", IncidentOutcome.NO_ACTION)
    assert isinstance(second, AlreadyHandled)
    assert second.incident.resolved_by_name == "Nina"
    assert second.incident.outcome == IncidentOutcome.PHONED.value
    assert desk.staff.refreshed[-1] == (incident_id, IncidentState.RESOLVED.value)


async def test_a_note_is_kept_only_once_the_incident_is_resolved(desk: Desk) -> None:
    _patient, incident_id = await reported(desk)
    assert await desk.incidents.add_note(incident_id, NINA, "called her") is None
    await desk.incidents.resolve(incident_id, NINA, "Nina", IncidentOutcome.PHONED)
    wakes = desk.wakes.count
    noted = await desk.incidents.add_note(incident_id, NINA, "  called her, advised ice  ")
    assert noted is not None and noted.outcome_note == "called her, advised ice"
    stored = await desk.incidents.incident(incident_id)
    assert stored is not None and stored.outcome_note == "called her, advised ice"
    assert desk.wakes.count == wakes  # a note schedules nothing
    assert await desk.incidents.add_note(GONE, NINA, "lost") is None


# The open list


async def test_open_incidents_are_urgent_first_then_oldest_and_resolved_ones_leave(
    desk: Desk,
) -> None:
    _anna, routine = await reported(desk, IncidentUrgency.ROUTINE, "Anna")
    desk.clock.advance(timedelta(minutes=5))
    _boris, older_urgent = await reported(desk, IncidentUrgency.URGENT, "Boris")
    desk.clock.advance(timedelta(minutes=5))
    _clara, newer_urgent = await reported(desk, IncidentUrgency.URGENT, "Clara")
    listed = [i.id for i in await desk.incidents.open_incidents()]
    assert listed == [older_urgent, newer_urgent, routine]
    await desk.incidents.acknowledge(newer_urgent, NINA, "Nina")
    assert [i.id for i in await desk.incidents.open_incidents()] == listed  # still open
    await desk.incidents.resolve(older_urgent, NINA, "Nina", IncidentOutcome.ADVICE_GIVEN)
    assert [i.id for i in await desk.incidents.open_incidents()] == [newer_urgent, routine]


# Remembered messages and prompts


async def test_a_remembered_message_is_found_and_a_note_prompt_names_its_incident(
    desk: Desk,
) -> None:
    _patient, incident_id = await reported(desk)
    copies = IncidentCopies(desk.units, desk.clock, GROUP)
    await copies.remember(incident_id, GROUP, 70, POST_COPY)
    await copies.remember(incident_id, NINA, 71, NOTE_PROMPT)
    post = await desk.incidents.copy_at(GROUP, 70)
    assert post is not None and (post.incident_id, post.kind) == (incident_id, POST_COPY)
    assert await desk.incidents.copy_at(GROUP, 72) is None
    assert await desk.incidents.note_prompt_at(NINA, 71) == incident_id
    assert await desk.incidents.note_prompt_at(GROUP, 70) is None  # a post, not a prompt
    assert await desk.incidents.note_prompt_at(NINA, 72) is None


async def test_note_prompts_and_relay_prompts_are_staff_prompts_other_messages_not(
    desk: Desk,
) -> None:
    _patient, incident_id = await reported(desk)
    copies = IncidentCopies(desk.units, desk.clock, GROUP)
    await copies.remember(incident_id, GROUP, 70, POST_COPY)
    await copies.remember(incident_id, NINA, 71, NOTE_PROMPT)
    async with desk.units.unit_of_work() as uow:
        draft = await begin_draft(uow, incident_id, OLGA, "Olga", OLGA, NOW)
    assert draft is not None and draft.id is not None
    async with desk.units.unit_of_work() as uow:
        await record_prompt(uow, draft.id, 80)
    assert await desk.incidents.is_staff_prompt(NINA, 71) is True
    assert await desk.incidents.is_staff_prompt(OLGA, 80) is True
    assert await desk.incidents.is_staff_prompt(GROUP, 70) is False
    assert await desk.incidents.is_staff_prompt(OLGA, 81) is False
    assert await desk.incidents.is_staff_prompt(NINA, 80) is False  # another chat's message 80


# On call


async def first_round_and_admin_round(desk: Desk, patient: Patient) -> None:
    """Fire the incident's first page and its admins' round, as the dispatcher would."""
    assert patient.id is not None
    async with desk.units.unit_of_work() as uow:
        timers = [m for m in await uow.outbox.for_patient(patient.id) if m.kind == INCIDENT_PAGE]
    roster = StaffRoster(GROUP, ADMINS, ())
    for timer in timers:
        round_text = (timer.step_key or "").partition(":")[2]
        if round_text in ("1", str(ADMIN_ROUND)):
            await escalation.act_on_timer(
                desk.units, desk.staff, desk.patients, timer, roster, timer.due_at
            )


async def test_going_on_call_makes_the_next_urgent_pages_reach_that_member(desk: Desk) -> None:
    anna, before = await reported(desk, name="Anna")
    await first_round_and_admin_round(desk, anna)
    assert (before, (GROUP, *ADMINS), 1) in desk.staff.pages  # nobody on call: the admins
    wakes = desk.wakes.count
    await desk.incidents.go_on_call(NINA)
    assert desk.wakes.count == wakes  # nothing scheduled
    boris, after = await reported(desk, name="Boris")
    await first_round_and_admin_round(desk, boris)
    pages = {number: chats for incident, chats, number in desk.staff.pages if incident == after}
    assert pages == {1: (GROUP, NINA), ADMIN_ROUND: ADMINS}
