"""Practitioners and products as lists, through the use cases alone, on the real database and
on the fake: enrollment takes a typed name as the listed one it matches and lists a new one;
a merge makes two names one everywhere they were stored; withdrawn and expired entries are
no longer offered."""

from datetime import UTC, datetime, timedelta
from typing import Any

from aftercare_bot.clock import ManualClock
from aftercare_bot.domain.patients import Enrollment
from aftercare_bot.services.clinic_lists import ClinicLists
from aftercare_bot.services.enrollment import enroll_patient
from tests.services.test_enrollment import PLAN

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
ADMIN = 1


async def enroll(
    units: Any, practitioner: str, product: str | None = None, batch: str | None = None
) -> str:
    async with units.unit_of_work() as uow:
        done = await enroll_patient(
            uow,
            Enrollment(
                "Anna", NOW, practitioner, PLAN.name, "Europe/London", product=product, batch=batch
            ),
            PLAN,
            NOW,
            timedelta(days=7),
        )
        await uow.commit()
    return done.patient.code


async def sessions(units: Any, codes: list[str]) -> list[tuple[str, str | None, str | None]]:
    """Each patient's first session: who, which product, which batch, as stored."""
    found = []
    async with units.unit_of_work() as uow:
        for code in codes:
            patient = await uow.patients.by_code(code)
            course = await uow.patients.current_course(patient.id)
            session = await uow.patients.latest_session(course.id)
            found.append((session.practitioner, session.product, session.batch))
    return sorted(found, key=str)


async def practitioners_of(units: Any, codes: list[str]) -> set[str]:
    async with units.unit_of_work() as uow:
        return {(await uow.patients.by_code(code)).practitioner for code in codes}


async def test_a_typed_name_is_the_listed_one_and_a_new_one_joins_the_list(units: Any) -> None:
    lists = ClinicLists(units, ManualClock(NOW))
    assert await lists.add_practitioner(ADMIN, "  Dr   Petrova ") == "Dr Petrova"
    codes = [
        await enroll(units, "petrova", "dermaheal hsr", "lot-1"),
        await enroll(units, "Dr. PETROVA", "Dermaheal HSR", "LOT-1"),
        await enroll(units, "Nina"),
    ]
    offered = await lists.offered(NOW.date())
    assert [entry.name for entry in offered.practitioners] == ["Dr Petrova", "Nina"]
    assert [choice.label for choice in offered.products] == ["dermaheal hsr, lot-1"]
    assert await sessions(units, codes) == [
        ("Dr Petrova", "dermaheal hsr", "lot-1"),
        ("Dr Petrova", "dermaheal hsr", "lot-1"),
        ("Nina", None, None),
    ]


async def test_merging_near_duplicates_makes_them_one_in_every_record(units: Any) -> None:
    lists = ClinicLists(units, ManualClock(NOW))
    codes = [
        await enroll(units, "Dr Petrova", "Dermaheal HSR", "LOT-1"),
        await enroll(units, "Anna Petrova", "Dermaheal-HSR 5ml", "LOT-1"),
        await enroll(units, "Anna Petrova", "Dermaheal-HSR 5ml", "LOT-2"),
    ]
    overview = await lists.overview()
    pairs = [(a.name, b.name) for a, b in overview.practitioner_pairs]
    assert pairs == [("Anna Petrova", "Dr Petrova")]
    first, second = overview.practitioner_pairs[0]
    assert first.id is not None and second.id is not None
    assert await lists.merge_practitioners(ADMIN, first.id, second.id) == (
        "Anna Petrova",
        "Dr Petrova",
        2,
    )
    products = {listed.product.name: listed.product for listed in overview.products}
    merged, into = products["Dermaheal-HSR 5ml"], products["Dermaheal HSR"]
    assert merged.id is not None and into.id is not None
    assert await lists.merge_products(ADMIN, merged.id, into.id) is not None
    assert await sessions(units, codes) == [
        ("Dr Petrova", "Dermaheal HSR", "LOT-1"),
        ("Dr Petrova", "Dermaheal HSR", "LOT-1"),
        ("Dr Petrova", "Dermaheal HSR", "LOT-2"),
    ]
    after = await lists.overview()
    assert [(entry.name, uses) for entry, uses in after.practitioners] == [("Dr Petrova", 3)]
    assert [
        (listed.product.name, [batch.lot for batch in listed.batches]) for listed in after.products
    ] == [("Dermaheal HSR", ["LOT-1", "LOT-2"])]
    assert await practitioners_of(units, codes) == {"Dr Petrova"}
    async with units.unit_of_work() as uow:
        events = await uow.audit.since(NOW)
    assert [event.action for event in events][-2:] == [
        "lists.practitioners_merged",
        "lists.products_merged",
    ]
    # pressed again (a second tab, an old page): the merged one is gone, nothing happens
    assert await lists.merge_practitioners(ADMIN, first.id, second.id) is None


async def test_withdrawn_and_expired_entries_are_no_longer_offered(units: Any) -> None:
    lists = ClinicLists(units, ManualClock(NOW))
    await lists.add_practitioner(ADMIN, "Dr Lee")
    await lists.add_batch(ADMIN, "Dermaheal HSR", "LOT-1", NOW.date())
    await lists.add_batch(ADMIN, "Dermaheal HSR", "LOT-2", None)
    await lists.add_batch(ADMIN, "Hair Cocktail", "", None)
    overview = await lists.overview()
    lee = overview.practitioners[0][0]
    lot_2 = next(b for listed in overview.products for b in listed.batches if b.lot == "LOT-2")
    assert lee.id is not None and lot_2.id is not None
    assert await lists.set_active(ADMIN, "practitioner", lee.id, False)
    assert await lists.set_active(ADMIN, "batch", lot_2.id, False)
    assert not await lists.set_active(ADMIN, "practitioner", 999_999, False)
    assert not await lists.set_active(ADMIN, "patient", lee.id, False)
    today = await lists.offered(NOW.date())
    tomorrow = await lists.offered(NOW.date() + timedelta(days=1))
    assert today.practitioners == ()
    assert [c.label for c in today.products] == ["Dermaheal HSR, LOT-1", "Hair Cocktail"]
    assert [c.label for c in tomorrow.products] == ["Dermaheal HSR", "Hair Cocktail"]
