"""Patients, courses and sessions, on SQL and on the fake."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from aftercare_bot.domain.patients import Course, Patient, PatientStatus, TreatmentSession

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def a_patient(code: str = "P-AAAA", name: str = "Anna", **fields: Any) -> Patient:
    fields.setdefault("enrolled_at", NOW)
    return Patient(code, name, "Europe/London", "Dr Grey", **fields)


def a_course(patient_id: int, **fields: Any) -> Course:
    return Course(patient_id, "scalp-mesotherapy", 4, timedelta(weeks=3), NOW, **fields)


async def add(units: Any, *items: Any) -> list[int]:
    """Add and commit, flushing each so that the next may name it; the new ids."""
    async with units.unit_of_work() as uow:
        for item in items:
            uow.patients.add(item)
            await uow.patients.flush()
        await uow.commit()
    return [item.id for item in items]


async def test_a_committed_patient_is_found_by_id_code_chat_and_import_key(units: Any) -> None:
    patient = a_patient(language="en", status=PatientStatus.LINKED, chat_id=5001)
    patient.enrolled_by, patient.import_key = 1, "row-7"
    [patient_id] = await add(units, patient)
    async with units.unit_of_work() as uow:
        found = await uow.patients.by_id(patient_id)
        assert found == patient
        assert await uow.patients.by_code("P-AAAA") == patient
        assert await uow.patients.by_chat(5001) == patient
        assert await uow.patients.by_import_key("row-7") == patient


async def test_what_is_not_stored_is_none(units: Any) -> None:
    [patient_id] = await add(units, a_patient())
    async with units.unit_of_work() as uow:
        assert await uow.patients.by_id(None) is None
        assert await uow.patients.by_id(patient_id + 1) is None
        assert await uow.patients.by_code("P-BBBB") is None
        assert await uow.patients.by_code("p-aaaa") is None  # codes are normalised first
        assert await uow.patients.by_chat(5001) is None
        assert await uow.patients.by_import_key("row-7") is None


async def test_a_patient_added_in_a_unit_that_does_not_commit_is_gone(units: Any) -> None:
    async with units.unit_of_work() as uow:
        uow.patients.add(a_patient())
        await uow.patients.flush()
        assert await uow.patients.code_taken("P-AAAA")
    async with units.unit_of_work() as uow:
        assert not await uow.patients.code_taken("P-AAAA")


async def test_a_change_to_a_loaded_patient_is_kept_once_committed(units: Any) -> None:
    [patient_id] = await add(units, a_patient())
    async with units.unit_of_work() as uow:
        patient = await uow.patients.by_id(patient_id)
        patient.chat_id, patient.status = 5001, PatientStatus.LINKED
        await uow.commit()
    async with units.unit_of_work() as uow:
        patient = await uow.patients.by_chat(5001)
    assert patient is not None and patient.status == PatientStatus.LINKED


async def test_a_detached_patient_is_no_longer_written_back(units: Any) -> None:
    [patient_id] = await add(units, a_patient())
    async with units.unit_of_work() as uow:
        patient = await uow.patients.by_id(patient_id)
        uow.patients.detach(patient)
        patient.display_name = "Stale"
        await uow.commit()
    async with units.unit_of_work() as uow:
        assert (await uow.patients.by_id(patient_id)).display_name == "Anna"


async def test_code_taken_says_whether_a_patient_has_the_code(units: Any) -> None:
    await add(units, a_patient())
    async with units.unit_of_work() as uow:
        assert await uow.patients.code_taken("P-AAAA")
        assert not await uow.patients.code_taken("P-BBBB")


@pytest.mark.parametrize(
    "second",
    [{"code": "P-AAAA", "chat_id": 2}, {"chat_id": 1}, {"import_key": "row-7"}],
    ids=["code", "chat", "import key"],
)
async def test_a_taken_code_chat_or_import_key_is_refused(
    units: Any, second: dict[str, Any]
) -> None:
    await add(units, a_patient("P-AAAA", chat_id=1, import_key="row-7"))
    with pytest.raises(IntegrityError):
        await add(units, a_patient(**{"code": "P-BBBB", **second}))
    async with units.unit_of_work() as uow:
        assert await uow.patients.by_code("P-BBBB") is None


async def test_patients_without_a_chat_or_import_key_do_not_clash(units: Any) -> None:
    await add(units, a_patient("P-AAAA"), a_patient("P-BBBB"))
    async with units.unit_of_work() as uow:
        assert await uow.patients.code_taken("P-BBBB")


async def test_a_search_matches_code_or_name_case_insensitively_newest_first(units: Any) -> None:
    await add(
        units,
        a_patient("P-AN22", "Zoe", enrolled_at=NOW - 3 * DAY),
        a_patient("P-CCCC", "Anna", enrolled_at=NOW - DAY),
        a_patient("P-DDDD", "Joanne", enrolled_at=NOW - 2 * DAY),
        a_patient("P-EEEE", "Bob", enrolled_at=NOW),
    )
    async with units.unit_of_work() as uow:
        found = [patient.code for patient in await uow.patients.matching("  aN ")]
        assert found == ["P-CCCC", "P-DDDD", "P-AN22"]
        assert [patient.code for patient in await uow.patients.matching("p-eeee")] == ["P-EEEE"]
        assert list(await uow.patients.matching("xyz")) == []


async def test_a_search_reads_percent_and_underscore_as_sql_wildcards(units: Any) -> None:
    await add(units, a_patient("P-AAAA", "Anna"), a_patient("P-BBBB", "Bob", enrolled_at=NOW - DAY))
    async with units.unit_of_work() as uow:
        assert [patient.code for patient in await uow.patients.matching("a_n")] == ["P-AAAA"]
        assert len(await uow.patients.matching("%")) == 2


async def test_a_search_returns_the_ten_newest_matches(units: Any) -> None:
    await add(
        units,
        *(a_patient(f"P-{n:04d}", "Anna", enrolled_at=NOW + n * DAY) for n in range(12)),
    )
    async with units.unit_of_work() as uow:
        found = [patient.code for patient in await uow.patients.matching("anna")]
    assert found == [f"P-{n:04d}" for n in range(11, 1, -1)]


async def test_the_current_course_is_the_newest_open_one(units: Any) -> None:
    [patient_id, other_id] = await add(units, a_patient(), a_patient("P-BBBB"))
    async with units.unit_of_work() as uow:
        assert await uow.patients.current_course(patient_id) is None
    _, newer, _, _ = await add(
        units,
        a_course(patient_id),
        a_course(patient_id),
        a_course(patient_id, closed_at=NOW),
        a_course(other_id),
    )
    async with units.unit_of_work() as uow:
        course = await uow.patients.current_course(patient_id)
        assert course is not None and course.id == newer
        assert course == a_course(patient_id, id=newer)


async def test_the_latest_session_of_a_course_is_the_one_numbered_highest(units: Any) -> None:
    [patient_id] = await add(units, a_patient())
    [course_id, empty_id] = await add(units, a_course(patient_id), a_course(patient_id))
    sessions = [
        TreatmentSession(course_id, number, NOW + number * DAY, "Dr Grey", "HSR", "L-42")
        for number in (1, 3, 2)
    ]
    await add(units, *sessions)
    async with units.unit_of_work() as uow:
        assert await uow.patients.latest_session(course_id) == sessions[1]
        assert await uow.patients.latest_session(empty_id) is None


async def test_a_course_cannot_have_two_sessions_with_one_number(units: Any) -> None:
    [patient_id] = await add(units, a_patient())
    [course_id] = await add(units, a_course(patient_id))
    await add(units, TreatmentSession(course_id, 1, NOW, "Dr Grey"))
    with pytest.raises(IntegrityError):
        await add(units, TreatmentSession(course_id, 1, NOW + DAY, "Dr Grey"))


async def test_courses_without_appointment_are_open_unbooked_courses_of_linked_patients(
    units: Any,
) -> None:
    linked = a_patient(status=PatientStatus.LINKED, chat_id=1)
    [linked_id, unlinked_id] = await add(units, linked, a_patient("P-BBBB"))
    ids = await add(
        units,
        a_course(linked_id),
        a_course(linked_id, next_appointment_at=NOW + DAY),
        a_course(linked_id, closed_at=NOW),
        a_course(unlinked_id),
        a_course(linked_id),
    )
    async with units.unit_of_work() as uow:
        found = await uow.patients.courses_without_appointment()
    assert [(course.id, patient.id) for course, patient in found] == [
        (ids[0], linked_id),
        (ids[4], linked_id),
    ]
    assert found[0][1] == linked


async def test_followed_up_before_finds_patients_all_of_whose_courses_closed_earlier(
    units: Any,
) -> None:
    done, late, still_open, _, anonymised = await add(
        units,
        a_patient("P-AAAA"),
        a_patient("P-BBBB"),
        a_patient("P-CCCC"),
        a_patient("P-DDDD"),
        a_patient("P-EEEE", status=PatientStatus.ANONYMISED),
    )
    await add(
        units,
        a_course(done, closed_at=NOW - 3 * DAY),
        a_course(done, closed_at=NOW - 2 * DAY),
        a_course(late, closed_at=NOW - 3 * DAY),
        a_course(late, closed_at=NOW),
        a_course(still_open, closed_at=NOW - 3 * DAY),
        a_course(still_open),
        a_course(anonymised, closed_at=NOW - 3 * DAY),
    )
    async with units.unit_of_work() as uow:
        found = await uow.patients.followed_up_before(NOW - DAY)
        assert [patient.id for patient in found] == [done]
        later = await uow.patients.followed_up_before(NOW + DAY)
        assert [patient.id for patient in later] == [done, late]
