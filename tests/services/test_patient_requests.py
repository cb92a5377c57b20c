"""A patient's requests about their own follow-up through the use cases alone (real database,
no Telegram)."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from aftercare_bot.clock import ManualClock
from aftercare_bot.domain.outbox import Priority
from aftercare_bot.domain.patients import PatientStatus
from aftercare_bot.domain.privacy import DeleteMode
from aftercare_bot.services.patient_requests import PatientRequests
from tests.fakes.unit_of_work import Units
from tests.fakes.wakes import Wakes
from tests.services.outbox_data import add_patient_with_messages

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ANNA, NOBODY = 7, 999


@pytest.fixture
async def requests(units: Units) -> AsyncIterator[PatientRequests]:
    database = units
    await add_patient_with_messages(database, ANNA, [("welcome", Priority.PLAN, NOW)])
    yield PatientRequests(database, ManualClock(NOW), Wakes(), {}, None, DeleteMode.ERASE)
    await database.dispose()


async def test_stop_then_resume_and_each_only_once(requests: PatientRequests) -> None:
    stopped = await requests.stop(ANNA)
    assert stopped is not None and stopped.status == PatientStatus.STOPPED
    assert await requests.stop(ANNA) is None  # already stopped: staff hear of it once
    resumed = await requests.resume(ANNA)
    assert resumed is not None and resumed.status == PatientStatus.LINKED
    assert await requests.resume(ANNA) is None
    assert await requests.stop(NOBODY) is None


async def test_language_and_time_zone_are_kept(requests: PatientRequests) -> None:
    assert await requests.set_language(ANNA, "ru") is not None
    assert await requests.set_timezone(ANNA, ZoneInfo("Europe/Paris")) is not None
    patient = await requests.patient_in(ANNA)
    assert patient is not None
    assert (patient.language, patient.timezone) == ("ru", "Europe/Paris")
    assert await requests.set_language(NOBODY, "ru") is None


async def test_a_message_is_kept_in_the_copy_of_her_data_and_erasure_removes_her(
    requests: PatientRequests,
) -> None:
    patient = await requests.patient_in(ANNA)
    assert patient is not None
    await requests.keep_message(patient, "my scalp itches")
    data = await requests.my_data(ANNA)
    assert data is not None and "my scalp itches" in str(data)
    assert await requests.erase(ANNA) is not None
    assert await requests.patient_in(ANNA) is None
    assert await requests.my_data(ANNA) is None


async def test_with_course_is_the_patient_and_her_course_if_any(requests: PatientRequests) -> None:
    found = await requests.with_course(ANNA)
    assert found is not None
    patient, course = found
    assert patient.chat_id == ANNA and course is None  # enrolled here without a course
    assert await requests.with_course(NOBODY) is None
