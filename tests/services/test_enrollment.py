"""Enrolling a patient with no Telegram: what staff get back, what is stored, and what the
plan turns into once the patient consents; on the real database and on the fake."""

import tomllib
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from importlib.resources import files

import pytest
from sqlalchemy.exc import IntegrityError

from aftercare_bot.cli.enrollment_rows import enrollment_from_fields
from aftercare_bot.config import (
    Config,
    EnrollmentConfig,
    ScheduleConfig,
    load_config,
    load_texts_and_plans,
)
from aftercare_bot.domain.enrollment_links import (
    LinkProblem,
    LinkPurpose,
    hash_token,
    is_token_shaped,
)
from aftercare_bot.domain.outbox import MessageState, Priority
from aftercare_bot.domain.patient_names import NameProblem, NotAFirstName
from aftercare_bot.domain.patients import (
    Enrollment,
    Patient,
    PatientStatus,
    looks_like_code,
    normalise_code,
)
from aftercare_bot.domain.plans import Plan, parse_plans
from aftercare_bot.services import enrollment as enrollment_service
from aftercare_bot.services.enrollment import (
    EnrolledPatient,
    NoFreePatientCode,
    enroll_patient,
    issue_new_patient_link,
)
from aftercare_bot.services.enrollment_import import ImportedRow, enroll_one, row_key
from aftercare_bot.services.linking import Opening, accept_consent, open_link
from aftercare_bot.texts import Texts
from tests.config_files import write_config
from tests.fakes.unit_of_work import Units

# The session is at 10:00 in London, on UTC in November; the next one three weeks later.
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
NEXT_SESSION = datetime(2026, 12, 16, 10, 0, tzinfo=UTC)
STAFF = 1001
CHAT = 501


def shipped_plans() -> dict[str, Plan]:
    """The plans a clinic gets when it writes none, checked against the shipped texts."""
    text = (files("aftercare_bot") / "default_plans.toml").read_text(encoding="utf-8")
    return parse_plans(
        tomllib.loads(text)["plans"],
        known_messages=Texts.load().keys(),
        default_valid_for=ScheduleConfig().grace,
    )


PLANS = shipped_plans()
PLAN = PLANS["scalp-mesotherapy"]
QUIET = ScheduleConfig().quiet_hours  # 21:00-09:00 unless the clinic says otherwise
LIFETIME = EnrollmentConfig().link_lifetime  # 7 days unless the clinic says otherwise


def an_enrollment(name: str = "Anna", **changes: object) -> Enrollment:
    """What staff confirm at the end of /enroll."""
    enrollment = Enrollment(
        display_name=name,
        session_at=NOW,
        practitioner="Grey",
        plan_name=PLAN.name,
        timezone="Europe/London",
        language="en",
        next_appointment_at=NEXT_SESSION,
        product="Dermaheal HSR",
        batch="LOT-42",
        enrolled_by=STAFF,
    )
    return replace(enrollment, **changes)  # type: ignore[arg-type]


async def enroll(
    units: Units,
    enrollment: Enrollment | None = None,
    now: datetime = NOW,
    lifetime: timedelta = LIFETIME,
) -> EnrolledPatient:
    async with units.unit_of_work() as uow:
        return await enroll_patient(uow, enrollment or an_enrollment(), PLAN, now, lifetime)


async def stored(units: Units, code: str) -> Patient:
    async with units.unit_of_work() as uow:
        patient = await uow.patients.by_code(code)
    assert patient is not None
    return patient


async def opening(units: Units, token: str, chat_id: int, now: datetime) -> Opening | LinkProblem:
    """What the person opening the link is told: the consent question, or a refusal."""
    async with units.unit_of_work() as uow:
        opened = await open_link(uow, token, chat_id, "Anna", now)
    return opened.problem or opened.outcome


async def link_and_consent(units: Units, token: str, chat_id: int, now: datetime) -> None:
    """The patient opens their link in `chat_id` and taps Yes, I agree."""
    async with units.unit_of_work() as uow:
        opened = await open_link(uow, token, chat_id, "Anna", now)
    assert opened.outcome == Opening.ASK_CONSENT and opened.link_id is not None
    async with units.unit_of_work() as uow:
        await accept_consent(uow, opened.link_id, chat_id, "en", PLANS, QUIET, now)


async def test_an_enrolled_patient_gets_a_code_and_waits_unlinked_for_consent(
    units: Units,
) -> None:
    enrolled = await enroll(units)
    patient = await stored(units, enrolled.patient.code)
    assert looks_like_code(patient.code) and normalise_code(patient.code) == patient.code
    assert (patient.display_name, patient.practitioner, patient.timezone) == (
        "Anna",
        "Grey",
        "Europe/London",
    )
    assert (patient.language, patient.enrolled_at, patient.enrolled_by) == ("en", NOW, STAFF)
    assert (patient.status, patient.chat_id) == (PatientStatus.NOT_LINKED, None)


async def test_the_course_and_its_first_session_are_what_staff_entered_under_the_plan(
    units: Units,
) -> None:
    enrolled = await enroll(units)
    assert enrolled.patient.id is not None
    async with units.unit_of_work() as uow:
        course = await uow.patients.current_course(enrolled.patient.id)
        assert course is not None and course.id is not None
        session = await uow.patients.latest_session(course.id)
    assert (course.plan_name, course.sessions_planned, course.spacing) == (
        "scalp-mesotherapy",
        4,
        timedelta(weeks=3),
    )
    assert (course.started_at, course.next_appointment_at, course.closed_at) == (
        NOW,
        NEXT_SESSION,
        None,
    )
    assert session is not None
    assert (session.number, session.held_at, session.practitioner) == (1, NOW, "Grey")
    assert (session.product, session.batch) == ("Dermaheal HSR", "LOT-42")


async def test_the_name_is_kept_as_a_first_name_with_its_spaces_tidied(units: Units) -> None:
    enrolled = await enroll(units, an_enrollment("  María   José "))
    assert (await stored(units, enrolled.patient.code)).display_name == "María José"


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("Anna +44 7700 900123", NameProblem.PHONE),
        ("anna@example.com", NameProblem.ADDRESS),
        ("Anna 2", NameProblem.DIGITS),
        ("Anna Maria Luisa Rossi", NameProblem.TOO_MANY_WORDS),
        ("   ", NameProblem.NOT_A_NAME),
    ],
)
async def test_a_name_that_is_more_than_a_first_name_is_refused_and_nothing_is_stored(
    units: Units, name: str, problem: NameProblem
) -> None:
    with pytest.raises(NotAFirstName) as refusal:
        await enroll(units, an_enrollment(name))
    assert refusal.value.problem == problem
    async with units.unit_of_work() as uow:
        assert await uow.patients.matching("Anna") == []
        assert await uow.audit.since(NOW) == []


async def test_each_patient_gets_a_code_and_a_link_of_their_own(units: Units) -> None:
    enrolled = [await enroll(units, an_enrollment(name)) for name in ("Anna", "Boris", "Clara")]
    assert len({e.patient.code for e in enrolled}) == 3
    assert len({e.token for e in enrolled}) == 3
    async with units.unit_of_work() as uow:
        for each in enrolled:
            link = await uow.links.by_token_hash(hash_token(each.token))
            assert link is not None and link.patient_id == each.patient.id


async def test_the_links_token_is_stored_only_as_its_hash(units: Units) -> None:
    enrolled = await enroll(units)
    # It travels in t.me/<bot>?start=<token>: Telegram takes up to 64 URL-safe characters.
    assert is_token_shaped(enrolled.token)
    async with units.unit_of_work() as uow:
        link = await uow.links.by_token_hash(hash_token(enrolled.token))
        assert await uow.links.by_token_hash(enrolled.token) is None
    assert link is not None
    assert link.token_hash == hash_token(enrolled.token) != enrolled.token
    assert enrolled.token not in link.token_hash


async def test_the_link_is_the_patients_unused_and_lasts_the_clinics_link_lifetime(
    units: Units,
) -> None:
    enrolled = await enroll(units, lifetime=timedelta(days=2))
    async with units.unit_of_work() as uow:
        link = await uow.links.by_token_hash(hash_token(enrolled.token))
    assert link is not None
    assert (link.purpose, link.patient_id, link.created_by) == (
        LinkPurpose.PATIENT,
        enrolled.patient.id,
        STAFF,
    )
    assert (link.created_at, link.expires_at) == (NOW, NOW + timedelta(days=2))
    assert (link.opened_by_chat, link.used_at, link.used_by_chat) == (None, None, None)


async def test_enrolling_is_in_the_audit_trail_with_who_enrolled_whom(units: Units) -> None:
    enrolled = await enroll(units)
    async with units.unit_of_work() as uow:
        events = await uow.audit.since(NOW)
    assert [(e.action, e.actor_telegram_id, e.subject) for e in events] == [
        ("patient.enrolled", STAFF, enrolled.patient.code)
    ]


async def test_nothing_is_scheduled_before_the_patient_consents(units: Units) -> None:
    enrolled = await enroll(units)
    assert enrolled.patient.id is not None
    await opening(units, enrolled.token, CHAT, NOW + timedelta(minutes=5))
    async with units.unit_of_work() as uow:
        assert await uow.outbox.for_patient(enrolled.patient.id) == []


async def test_at_consent_the_shipped_plan_becomes_messages_due_at_the_plans_times(
    units: Units,
) -> None:
    enrolled = await enroll(units)
    assert enrolled.patient.id is not None
    linked_at = NOW + timedelta(hours=1)
    await link_and_consent(units, enrolled.token, CHAT, linked_at)
    async with units.unit_of_work() as uow:
        rows = await uow.outbox.for_patient(enrolled.patient.id)
    assert {row.step_key: row.due_at for row in rows} == {
        "aftercare": linked_at,  # on link: the instructions as soon as the patient agrees
        "evening": datetime(2026, 11, 25, 19, 0, tzinfo=UTC),  # day 0 at 19:00
        "checkin-day1": datetime(2026, 11, 26, 10, 0, tzinfo=UTC),
        "checkin-day3": datetime(2026, 11, 28, 10, 0, tzinfo=UTC),
        "checkin-day7": datetime(2026, 12, 2, 10, 0, tzinfo=UTC),
        "reminder-day-before": datetime(2026, 12, 15, 10, 0, tzinfo=UTC),
        # 2h before 10:00 is 08:00, inside the quiet hours (21:00-09:00): moved to 09:00.
        "reminder-2h": datetime(2026, 12, 16, 9, 0, tzinfo=UTC),
    }
    assert {row.state for row in rows} == {MessageState.PENDING}
    by_step = {row.step_key: row for row in rows}
    assert by_step["aftercare"].priority == Priority.REPLY
    assert by_step["checkin-day1"].priority == Priority.PLAN
    assert by_step["checkin-day1"].kind == "checkin"
    assert by_step["evening"].reassurance is True
    # Not worth sending after the appointment, however late the bot is.
    assert by_step["reminder-2h"].valid_until == NEXT_SESSION


async def test_without_a_next_appointment_no_reminder_is_planned(units: Units) -> None:
    enrolled = await enroll(units, an_enrollment(next_appointment_at=None))
    assert enrolled.patient.id is not None
    await link_and_consent(units, enrolled.token, CHAT, NOW + timedelta(hours=1))
    async with units.unit_of_work() as uow:
        rows = await uow.outbox.for_patient(enrolled.patient.id)
    assert [row.step_key for row in rows] == [
        "aftercare",
        "evening",
        "checkin-day1",
        "checkin-day3",
        "checkin-day7",
    ]


async def test_a_new_link_revokes_the_earlier_unused_one(units: Units) -> None:
    enrolled = await enroll(units)
    later = NOW + timedelta(days=1)
    async with units.unit_of_work() as uow:
        new_token = await issue_new_patient_link(uow, enrolled.patient, later, LIFETIME, STAFF)
    assert new_token != enrolled.token
    assert await opening(units, enrolled.token, CHAT, later) == LinkProblem.EXPIRED
    assert await opening(units, new_token, CHAT, later) == Opening.ASK_CONSENT
    async with units.unit_of_work() as uow:
        link = await uow.links.by_token_hash(hash_token(new_token))
        events = await uow.audit.since(later)
    assert link is not None and link.expires_at == later + LIFETIME
    assert [(e.action, e.actor_telegram_id, e.subject) for e in events] == [
        ("patient.link_issued", STAFF, enrolled.patient.code)
    ]


async def test_a_new_link_revokes_only_that_patients_links(units: Units) -> None:
    anna = await enroll(units, an_enrollment("Anna"))
    boris = await enroll(units, an_enrollment("Boris"))
    async with units.unit_of_work() as uow:
        await issue_new_patient_link(uow, anna.patient, NOW, LIFETIME, STAFF)
    assert await opening(units, boris.token, 502, NOW) == Opening.ASK_CONSENT


async def test_a_new_link_leaves_the_patient_linked_where_they_are(units: Units) -> None:
    enrolled = await enroll(units)
    await link_and_consent(units, enrolled.token, CHAT, NOW)
    later = NOW + timedelta(days=2)
    async with units.unit_of_work() as uow:
        patient = await uow.patients.by_code(enrolled.patient.code)
        assert patient is not None
        await issue_new_patient_link(uow, patient, later, LIFETIME, STAFF)
    # The used link still reassures its owner rather than saying it expired.
    assert await opening(units, enrolled.token, CHAT, later) == LinkProblem.ALREADY_YOURS
    patient = await stored(units, enrolled.patient.code)
    assert (patient.status, patient.chat_id) == (PatientStatus.LINKED, CHAT)


async def test_a_code_already_taken_is_never_given_to_a_second_patient(
    units: Units, monkeypatch: pytest.MonkeyPatch
) -> None:
    draws: Iterator[str] = iter(["P-AAAA", "P-AAAA", "P-AAAA", "P-BBBB"])
    monkeypatch.setattr(enrollment_service, "new_patient_code", lambda: next(draws))
    first = await enroll(units, an_enrollment("Anna"))
    second = await enroll(units, an_enrollment("Boris"))
    assert (first.patient.code, second.patient.code) == ("P-AAAA", "P-BBBB")
    assert (await stored(units, "P-AAAA")).display_name == "Anna"


async def test_when_no_free_code_is_drawn_enrollment_fails_and_stores_nothing(
    units: Units, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(enrollment_service, "new_patient_code", lambda: "P-AAAA")
    await enroll(units, an_enrollment("Anna"))
    with pytest.raises(NoFreePatientCode):
        await enroll(units, an_enrollment("Boris"))
    async with units.unit_of_work() as uow:
        assert [p.display_name for p in await uow.patients.matching("")] == ["Anna"]


# The CSV import: each row is validated as the command line does, keyed by its content, and
# enrolled at most once.


@pytest.fixture(scope="module")
def clinic_config(tmp_path_factory: pytest.TempPathFactory) -> Config:
    return load_config(write_config(tmp_path_factory.mktemp("clinic")))


ROW = {
    "name": "Anna",
    "session": "2026-11-25 10:00",
    "next": "2026-12-16 10:00",
    "lang": "en",
    "plan": "",
    "practitioner": "Dr Grey",
}


async def import_row(units: Units, config: Config, row: dict[str, str]) -> ImportedRow:
    """One CSV row through the steps `run_enroll` takes for it."""
    texts, plans = load_texts_and_plans(config)
    enrollment, plan = enrollment_from_fields(row, config, plans, texts.languages, NOW)
    enrollment = replace(enrollment, import_key=row_key(row))
    return await enroll_one(units, enrollment, plan, config, NOW)


async def test_a_csv_row_imported_twice_is_enrolled_once(
    units: Units, clinic_config: Config
) -> None:
    first = await import_row(units, clinic_config, ROW)
    again = await import_row(units, clinic_config, ROW)
    assert first.token is not None and is_token_shaped(first.token)
    assert again == ImportedRow(first.code, None)
    async with units.unit_of_work() as uow:
        assert [p.code for p in await uow.patients.matching("Anna")] == [first.code]
        patient = await uow.patients.by_import_key(row_key(ROW))
    assert patient is not None and patient.code == first.code


async def test_a_csv_row_differing_only_in_spaces_and_case_is_the_same_row(
    units: Units, clinic_config: Config
) -> None:
    first = await import_row(units, clinic_config, ROW)
    retyped = {**ROW, "name": "  anna ", "practitioner": "dr  GREY"}
    assert await import_row(units, clinic_config, retyped) == ImportedRow(first.code, None)


async def test_a_csv_row_with_another_session_is_a_new_patient(
    units: Units, clinic_config: Config
) -> None:
    first = await import_row(units, clinic_config, ROW)
    other = await import_row(units, clinic_config, {**ROW, "session": "2026-11-26 10:00"})
    assert other.code != first.code and other.token is not None


async def test_an_imported_row_is_enrolled_in_the_clinics_zone_under_its_default_plan(
    units: Units, clinic_config: Config
) -> None:
    imported = await import_row(units, clinic_config, {**ROW, "session": "2026-07-01 10:00"})
    patient = await stored(units, imported.code)
    assert patient.id is not None and patient.timezone == "Europe/London"
    async with units.unit_of_work() as uow:
        course = await uow.patients.current_course(patient.id)
    assert course is not None and course.plan_name == "scalp-mesotherapy"
    # 10:00 in London in summer is 09:00 UTC.
    assert course.started_at == datetime(2026, 7, 1, 9, 0, tzinfo=UTC)


async def test_the_database_refuses_a_second_patient_with_the_same_import_key(
    units: Units,
) -> None:
    """Even two imports racing past the look-up cannot enroll one row twice."""
    await enroll(units, an_enrollment("Anna", import_key="row-1"))
    with pytest.raises(IntegrityError):
        await enroll(units, an_enrollment("Anna", import_key="row-1"))
    async with units.unit_of_work() as uow:
        assert len(await uow.patients.matching("Anna")) == 1
