"""Enrollment and invitation links, on SQL and on the fake."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from aftercare_bot.domain.enrollment_links import EnrollmentLink, LinkPurpose
from aftercare_bot.domain.patients import Patient

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
WEEK = timedelta(days=7)


async def a_patient(units: Any, code: str = "P-AAAA") -> int:
    async with units.unit_of_work() as uow:
        patient = Patient(code, "Anna", "Europe/London", "Dr Grey", NOW)
        uow.patients.add(patient)
        await uow.patients.flush()
        await uow.commit()
    assert patient.id is not None
    return patient.id


async def add(units: Any, *links: EnrollmentLink) -> list[int]:
    async with units.unit_of_work() as uow:
        for link in links:
            uow.links.add(link)
        await uow.patients.flush()
        await uow.commit()
    return [link.id for link in links]


async def test_a_link_is_found_by_the_hash_of_its_token_and_by_id(units: Any) -> None:
    patient_id = await a_patient(units)
    [link_id] = await add(
        units, EnrollmentLink("hash-1", LinkPurpose.PATIENT, NOW, NOW + WEEK, patient_id, 1)
    )
    async with units.unit_of_work() as uow:
        found = await uow.links.by_token_hash("hash-1")
        assert found == EnrollmentLink(
            "hash-1", LinkPurpose.PATIENT, NOW, NOW + WEEK, patient_id, 1, id=link_id
        )
        assert await uow.links.by_id(link_id) == found
        assert await uow.links.by_token_hash("HASH-1") is None
        assert await uow.links.by_id(link_id + 1) is None


async def test_a_link_added_in_a_unit_that_does_not_commit_is_gone(units: Any) -> None:
    async with units.unit_of_work() as uow:
        uow.links.add(EnrollmentLink("hash-1", LinkPurpose.STAFF, NOW, NOW + WEEK))
        assert await uow.links.by_token_hash("hash-1") is not None
    async with units.unit_of_work() as uow:
        assert await uow.links.by_token_hash("hash-1") is None


async def test_using_a_loaded_link_is_kept_once_committed(units: Any) -> None:
    [link_id] = await add(units, EnrollmentLink("hash-1", LinkPurpose.STAFF, NOW, NOW + WEEK))
    async with units.unit_of_work() as uow:
        link = await uow.links.by_id(link_id)
        assert link is not None
        link.used_at, link.used_by_chat = NOW, 77
        await uow.commit()
    async with units.unit_of_work() as uow:
        link = await uow.links.by_id(link_id)
    assert link is not None and (link.used_at, link.used_by_chat) == (NOW, 77)


async def test_a_token_hash_already_stored_is_refused(units: Any) -> None:
    await add(units, EnrollmentLink("hash-1", LinkPurpose.STAFF, NOW, NOW + WEEK))
    with pytest.raises(IntegrityError):
        await add(units, EnrollmentLink("hash-1", LinkPurpose.STAFF, NOW, NOW + WEEK))


async def test_revoking_expires_the_patients_unused_links_of_that_purpose_only(
    units: Any,
) -> None:
    patient_id = await a_patient(units)
    other_id = await a_patient(units, "P-BBBB")
    created = NOW - timedelta(days=1)
    ids = await add(
        units,
        EnrollmentLink("unused", LinkPurpose.PATIENT, created, NOW + WEEK, patient_id),
        EnrollmentLink("used", LinkPurpose.PATIENT, created, NOW + WEEK, patient_id, used_at=NOW),
        EnrollmentLink("other-purpose", LinkPurpose.STAFF, created, NOW + WEEK, patient_id),
        EnrollmentLink("other-patient", LinkPurpose.PATIENT, created, NOW + WEEK, other_id),
    )
    async with units.unit_of_work() as uow:
        await uow.links.revoke_unused_for(patient_id, LinkPurpose.PATIENT)
        await uow.commit()
    async with units.unit_of_work() as uow:
        expiries = [(await uow.links.by_id(link_id)).expires_at for link_id in ids]
    assert expiries == [created, NOW + WEEK, NOW + WEEK, NOW + WEEK]
