"""What staff ask of the bot outside incidents, through the staff-request use cases alone (no
Telegram): membership, the staff group, finding a patient, links, sessions, appointments and
discharge, on the real database and on the fake."""

import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib.resources import files

import pytest

from aftercare_bot.clock import ManualClock
from aftercare_bot.domain.enrollment_links import LinkProblem
from aftercare_bot.domain.incidents import IncidentOutcome, IncidentUrgency
from aftercare_bot.domain.outbox import GOODBYE_KIND, INCIDENT_PAGE, MessageState
from aftercare_bot.domain.patients import Enrollment, Patient, PatientStatus
from aftercare_bot.domain.plans import Plan, parse_plans
from aftercare_bot.services import escalation
from aftercare_bot.services.courses import CourseComplete, SessionRecorded
from aftercare_bot.services.enrollment import enroll_patient
from aftercare_bot.services.escalation import PagingRules
from aftercare_bot.services.linking import LinkOpened, Opening, accept_consent, open_link
from aftercare_bot.services.staff_requests import StaffRequests
from tests.fakes.notices import FakeStaff
from tests.fakes.unit_of_work import Units
from tests.fakes.wakes import Wakes

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
LIFETIME = timedelta(days=7)
PLAN = "scalp-mesotherapy"
ADMIN, NINA, OLGA = 1, 21, 22
GROUP, OTHER_GROUP = -100, -200
GONE = 999_999
RULES = PagingRules(timedelta(minutes=15), 3, timedelta(hours=4), timedelta(minutes=30))


def shipped_plans() -> dict[str, Plan]:
    """The plans the bot ships with (default_plans.toml)."""
    text = (files("aftercare_bot") / "default_plans.toml").read_text(encoding="utf-8")
    return parse_plans(
        tomllib.loads(text)["plans"],
        known_messages={
            "plan.aftercare",
            "plan.evening",
            "plan.checkin",
            "plan.appointment_tomorrow",
            "plan.appointment_soon",
        },
        default_valid_for=timedelta(hours=6),
    )


PLANS = shipped_plans()


@dataclass
class Desk:
    """The staff-request use cases with what a test looks at beside them."""

    units: Units
    clock: ManualClock
    wakes: Wakes
    requests: StaffRequests


def desk_for(units: Units, configured_group: int | None = None) -> Desk:
    clock, wakes = ManualClock(NOW), Wakes()
    requests = StaffRequests(units, clock, wakes, PLANS, None, LIFETIME, configured_group)
    return Desk(units, clock, wakes, requests)


@pytest.fixture
def desk(units: Units) -> Desk:
    return desk_for(units)


async def enrolled(desk: Desk, name: str = "Anna") -> tuple[Patient, str]:
    """A patient enrolled after a session held now, not linked yet: (patient, link token)."""
    async with desk.units.unit_of_work() as uow:
        done = await enroll_patient(
            uow,
            Enrollment(name, desk.clock.now(), "Grey", PLAN, "Europe/London", enrolled_by=ADMIN),
            PLANS[PLAN],
            desk.clock.now(),
            LIFETIME,
        )
    return done.patient, done.token


async def opened(desk: Desk, token: str, chat_id: int, at: datetime | None = None) -> LinkOpened:
    async with desk.units.unit_of_work() as uow:
        return await open_link(uow, token, chat_id, "Someone", at or desk.clock.now())


async def linked(desk: Desk, name: str = "Anna", chat_id: int = 5001) -> Patient:
    """A patient enrolled now who opened their link and agreed: their plan is scheduled."""
    patient, token = await enrolled(desk, name)
    link = await opened(desk, token, chat_id)
    assert link.outcome == Opening.ASK_CONSENT and link.link_id is not None
    async with desk.units.unit_of_work() as uow:
        given = await accept_consent(
            uow, link.link_id, chat_id, "en", PLANS, None, desk.clock.now()
        )
    assert not isinstance(given, LinkProblem) and given.patient.id == patient.id
    return given.patient


async def rows(desk: Desk, patient: Patient) -> list[tuple[int | None, str, str, datetime]]:
    """(session id, plan step or else kind, state, due) of every scheduled row."""
    assert patient.id is not None
    async with desk.units.unit_of_work() as uow:
        messages = await uow.outbox.for_patient(patient.id)
    return [
        (
            m.session_id,
            (m.step_key or "") if m.session_id else m.kind,
            m.state.value,
            m.due_at.astimezone(UTC),
        )
        for m in messages
    ]


async def pending(desk: Desk, patient: Patient) -> list[tuple[int | None, str, datetime]]:
    return [
        (session, step, due)
        for session, step, state, due in await rows(desk, patient)
        if state == MessageState.PENDING.value
    ]


async def status_of(desk: Desk, patient: Patient) -> PatientStatus:
    async with desk.units.unit_of_work() as uow:
        stored = await uow.patients.by_id(patient.id)
    assert stored is not None
    return stored.status


# Staff membership


async def test_an_invitation_opens_until_its_expiry_and_makes_a_member(desk: Desk) -> None:
    first = await desk.requests.invite(ADMIN)
    assert first.expires_at == NOW + LIFETIME
    late = await desk.requests.invite(ADMIN)
    assert (await opened(desk, late.token, OLGA, at=late.expires_at)).problem == (
        LinkProblem.EXPIRED
    )
    just_in_time = late.expires_at - timedelta(seconds=1)
    assert (await opened(desk, first.token, NINA, at=just_in_time)).outcome == (
        Opening.STAFF_JOINED
    )
    assert [m.telegram_user_id for m in await desk.requests.members()] == [NINA]
    assert desk.wakes.count == 0  # nothing scheduled


async def test_removing_a_member_twice_says_not_staff_the_second_time(desk: Desk) -> None:
    invitation = await desk.requests.invite(ADMIN)
    await opened(desk, invitation.token, NINA)
    desk.clock.advance(timedelta(hours=1))
    removed = await desk.requests.remove(ADMIN, NINA)
    assert removed is not None and removed.telegram_user_id == NINA
    assert removed.removed_at == NOW + timedelta(hours=1)
    assert await desk.requests.members() == []
    assert await desk.requests.remove(ADMIN, NINA) is None
    assert await desk.requests.remove(ADMIN, OLGA) is None  # never was staff


# The staff group


async def test_binding_a_group_says_whether_it_moved_the_escalations(desk: Desk) -> None:
    assert await desk.requests.bind_group(ADMIN, GROUP) is True  # none before
    assert await desk.requests.bind_group(ADMIN, GROUP) is False  # the same one again
    assert await desk.requests.bind_group(ADMIN, OTHER_GROUP) is True  # moved


async def test_binding_the_configured_group_is_not_a_move(units: Units) -> None:
    desk = desk_for(units, configured_group=GROUP)
    assert await desk.requests.bind_group(ADMIN, GROUP) is False
    assert await desk.requests.bind_group(ADMIN, OTHER_GROUP) is True


async def test_moving_the_group_reposts_every_open_incident_and_no_resolved_one(
    desk: Desk,
) -> None:
    incidents: list[int] = []
    for name, chat_id in (("Anna", 5001), ("Boris", 5002), ("Clara", 5003)):
        patient = await linked(desk, name, chat_id)
        async with desk.units.unit_of_work() as uow:
            reported = await escalation.report(
                uow, patient, IncidentUrgency.ROUTINE, NOW, f"{name} is worried"
            )
        assert reported.incident.id is not None
        incidents.append(reported.incident.id)
    await escalation.resolve(
        desk.units, FakeStaff(), incidents[2], NINA, "Nina", IncidentOutcome.PHONED, NOW
    )
    await desk.requests.bind_group(ADMIN, GROUP)
    assert await desk.requests.bind_group(ADMIN, OTHER_GROUP) is True
    notifier = FakeStaff()
    assert await desk.requests.repost_open(notifier) == 2
    assert sorted(notifier.posted) == sorted(incidents[:2])
    assert (notifier.pages, notifier.threads, notifier.refreshed) == ([], [], [])  # posted afresh


# Finding a patient


async def test_a_patient_is_found_by_code_in_any_spelling(desk: Desk) -> None:
    anna, _token = await enrolled(desk, "Anna")
    await enrolled(desk, "Boris")
    for typed in (anna.code, anna.code.lower(), anna.code.replace("-", "")):
        found = await desk.requests.find(typed)
        assert found.patient is not None and found.patient.id == anna.id
    patient = await desk.requests.patient(anna.code)
    assert patient is not None and patient.display_name == "Anna"
    assert await desk.requests.patient("P-ZZZZ") is None


async def test_a_name_matching_one_patient_finds_her(desk: Desk) -> None:
    await enrolled(desk, "Anna")
    boris, _token = await enrolled(desk, "Boris")
    found = await desk.requests.find("bor")
    assert found.patient is not None and found.patient.id == boris.id
    assert found.candidates == ()


async def test_a_name_matching_several_patients_gives_them_to_pick_from(desk: Desk) -> None:
    anna, _token = await enrolled(desk, "Anna")
    annabel, _token = await enrolled(desk, "Annabel")
    await enrolled(desk, "Boris")
    found = await desk.requests.find("ann")
    assert found.patient is None
    assert sorted(p.id or 0 for p in found.candidates) == sorted([anna.id or 0, annabel.id or 0])
    nobody = await desk.requests.find("zoe")
    assert nobody.patient is None and list(nobody.candidates) == []


# Links


async def test_a_new_link_works_and_the_earlier_unused_one_no_longer_opens(desk: Desk) -> None:
    patient, old_token = await enrolled(desk)
    assert patient.id is not None
    desk.clock.advance(timedelta(hours=2))
    fresh = await desk.requests.new_link(patient.id, NINA)
    assert fresh is not None
    assert fresh.expires_at == NOW + timedelta(hours=2) + LIFETIME
    assert fresh.token != old_token
    refused = await opened(desk, old_token, 5001)
    assert refused.outcome == Opening.PROBLEM and refused.problem == LinkProblem.EXPIRED
    accepted = await opened(desk, fresh.token, 5001)
    assert accepted.outcome == Opening.ASK_CONSENT
    assert accepted.patient is not None and accepted.patient.id == patient.id
    assert desk.wakes.count == 0


async def test_a_new_link_for_a_patient_who_is_gone_is_none(desk: Desk) -> None:
    assert await desk.requests.new_link(GONE, NINA) is None


# Sessions


async def test_recording_a_session_replans_aftercare_from_it(desk: Desk) -> None:
    patient = await linked(desk)
    first_plan = await pending(desk, patient)
    [first_session] = {session for session, _step, _due in first_plan}
    assert len(first_plan) == 5  # aftercare, evening and three check-ins; no appointment
    desk.clock.advance(timedelta(days=2))
    held_at = desk.clock.now()
    assert patient.id is not None
    outcome = await desk.requests.record_session(patient.id, held_at, NINA)
    assert isinstance(outcome, SessionRecorded)
    assert (outcome.session.number, outcome.course.sessions_planned) == (2, 4)
    assert desk.wakes.count == 1
    cancelled = sorted(
        step
        for session, step, state, _due in await rows(desk, patient)
        if session == first_session and state == MessageState.CANCELLED.value
    )
    assert cancelled == sorted(step for _session, step, _due in first_plan)
    new_plan = {step: due for s, step, due in await pending(desk, patient) if s != first_session}
    assert new_plan == {
        "aftercare": held_at,
        "evening": datetime(2026, 11, 28, 19, 0, tzinfo=UTC),
        "checkin-day1": datetime(2026, 11, 29, 10, 0, tzinfo=UTC),
        "checkin-day3": datetime(2026, 12, 1, 10, 0, tzinfo=UTC),
        "checkin-day7": datetime(2026, 12, 5, 10, 0, tzinfo=UTC),
    }


async def test_a_session_past_the_planned_ones_reports_the_course_complete(desk: Desk) -> None:
    patient = await linked(desk)
    assert patient.id is not None
    for number in (2, 3, 4):
        desk.clock.advance(timedelta(weeks=3))
        recorded = await desk.requests.record_session(patient.id, desk.clock.now(), NINA)
        assert isinstance(recorded, SessionRecorded) and recorded.session.number == number
    last_plan = await pending(desk, patient)
    desk.clock.advance(timedelta(weeks=3))
    outcome = await desk.requests.record_session(patient.id, desk.clock.now(), NINA)
    assert isinstance(outcome, CourseComplete)
    assert outcome.course.sessions_planned == 4
    assert await pending(desk, patient) == last_plan  # the fourth session's aftercare goes on


async def test_the_same_session_recorded_twice_is_kept_once_with_one_plan(desk: Desk) -> None:
    """Two presses on one read-back (or two staff at once, one after the other) record one
    session, and its aftercare is planned once."""
    patient = await linked(desk)
    assert patient.id is not None
    desk.clock.advance(timedelta(days=2))
    held_at = desk.clock.now()
    first = await desk.requests.record_session(patient.id, held_at, NINA)
    plan = await pending(desk, patient)
    again = await desk.requests.record_session(patient.id, held_at, ADMIN)
    assert isinstance(first, SessionRecorded) and isinstance(again, SessionRecorded)
    assert again.session.number == first.session.number == 2
    assert await pending(desk, patient) == plan


async def test_a_session_for_a_patient_who_is_gone_is_none(desk: Desk) -> None:
    assert await desk.requests.record_session(GONE, NOW, NINA) is None
    assert desk.wakes.count == 0


# Appointments


async def test_an_appointment_gets_its_reminders_and_moving_it_replaces_them(
    desk: Desk,
) -> None:
    patient = await linked(desk)
    assert patient.id is not None
    first = datetime(2026, 12, 17, 15, 0, tzinfo=UTC)  # London is on UTC in December
    assert await desk.requests.set_appointment(patient.id, first, NINA) is True
    assert desk.wakes.count == 1
    reminders = {s: d for _, s, d in await pending(desk, patient) if s.startswith("reminder")}
    assert reminders == {
        "reminder-day-before": datetime(2026, 12, 16, 15, 0, tzinfo=UTC),
        "reminder-2h": datetime(2026, 12, 17, 13, 0, tzinfo=UTC),
    }
    moved = datetime(2026, 12, 18, 11, 0, tzinfo=UTC)
    assert await desk.requests.set_appointment(patient.id, moved, NINA) is True
    assert desk.wakes.count == 2
    reminders = {s: d for _, s, d in await pending(desk, patient) if s.startswith("reminder")}
    assert reminders == {
        "reminder-day-before": datetime(2026, 12, 17, 11, 0, tzinfo=UTC),
        "reminder-2h": datetime(2026, 12, 18, 9, 0, tzinfo=UTC),
    }
    cancelled = sorted(
        due
        for _, step, state, due in await rows(desk, patient)
        if step.startswith("reminder") and state == MessageState.CANCELLED.value
    )
    assert cancelled == [datetime(2026, 12, 16, 15, 0, tzinfo=UTC), first - timedelta(hours=2)]
    assert "checkin-day1" in {step for _, step, _due in await pending(desk, patient)}


async def test_an_appointment_for_a_patient_who_is_gone_is_refused(desk: Desk) -> None:
    assert await desk.requests.set_appointment(GONE, NOW + timedelta(days=20), NINA) is False
    assert desk.wakes.count == 0


# Discharge


async def test_discharge_cancels_everything_pending_and_queues_one_goodbye(desk: Desk) -> None:
    patient = await linked(desk)
    assert patient.id is not None
    await desk.requests.set_appointment(patient.id, datetime(2026, 12, 17, 15, 0, tzinfo=UTC), 1)
    desk.clock.advance(timedelta(hours=1))
    assert await desk.requests.discharge(patient.id, NINA) is True
    assert desk.wakes.count == 2
    assert await pending(desk, patient) == [(None, GOODBYE_KIND, NOW + timedelta(hours=1))]
    assert await status_of(desk, patient) == PatientStatus.DISCHARGED
    assert await desk.requests.discharge(patient.id, NINA) is False  # nothing left to close
    assert [step for _, step, _due in await pending(desk, patient)] == [GOODBYE_KIND]


async def test_discharge_never_silences_an_open_incident(desk: Desk) -> None:
    patient = await linked(desk)
    assert patient.id is not None
    async with desk.units.unit_of_work() as uow:
        await escalation.report(uow, patient, IncidentUrgency.URGENT, NOW, "bleeding", rules=RULES)
    assert await desk.requests.discharge(patient.id, NINA) is True
    left = [step for _, step, _due in await pending(desk, patient)]
    assert left.count(INCIDENT_PAGE) == 4 and left.count(GOODBYE_KIND) == 1
    assert "checkin-day1" not in left


async def test_after_discharge_the_course_takes_no_session_or_appointment(desk: Desk) -> None:
    patient = await linked(desk)
    assert patient.id is not None
    await desk.requests.discharge(patient.id, NINA)
    assert await desk.requests.record_session(patient.id, NOW, NINA) is None
    assert await desk.requests.set_appointment(patient.id, NOW + timedelta(days=20), 1) is False
    assert [step for _, step, _due in await pending(desk, patient)] == [GOODBYE_KIND]


async def test_discharging_a_patient_who_is_gone_is_refused(desk: Desk) -> None:
    assert await desk.requests.discharge(GONE, NINA) is False
    assert desk.wakes.count == 0
