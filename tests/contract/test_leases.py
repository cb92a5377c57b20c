"""Leases, on SQL and on the fake: taken, renewed, released, and taken by one unit only."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from aftercare_bot.domain.leadership import LEADER, Lease

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
LATER = NOW + timedelta(seconds=30)


async def lease(units: Any) -> Lease | None:
    async with units.unit_of_work() as uow:
        found: Lease | None = await uow.leases.locked(LEADER)
        return found


async def take(units: Any, holder: str, expires_at: datetime) -> None:
    async with units.unit_of_work() as uow:
        exists = await uow.leases.locked(LEADER) is not None
        await uow.leases.put(LEADER, holder, expires_at, exists=exists)
        await uow.commit()


async def test_a_lease_nobody_took_is_none_and_a_taken_one_names_its_holder(units: Any) -> None:
    assert await lease(units) is None
    await take(units, "host:1:a", NOW)
    assert await lease(units) == Lease("host:1:a", NOW)


async def test_renewing_replaces_the_holder_and_the_expiry(units: Any) -> None:
    await take(units, "host:1:a", NOW)
    await take(units, "host:2:b", LATER)
    assert await lease(units) == Lease("host:2:b", LATER)


async def test_renewing_a_lease_that_does_not_exist_takes_nothing(units: Any) -> None:
    async with units.unit_of_work() as uow:
        await uow.leases.put(LEADER, "host:1:a", NOW, exists=True)
        await uow.commit()
    assert await lease(units) is None


async def test_only_the_holder_releases_the_lease(units: Any) -> None:
    await take(units, "host:1:a", NOW)
    async with units.unit_of_work() as uow:
        await uow.leases.release(LEADER, "host:2:b")
        await uow.commit()
    assert await lease(units) == Lease("host:1:a", NOW)
    async with units.unit_of_work() as uow:
        await uow.leases.release(LEADER, "host:1:a")
        await uow.commit()
    assert await lease(units) is None


async def test_of_two_units_that_both_saw_no_lease_the_second_to_take_it_fails(
    units: Any,
) -> None:
    async with units.unit_of_work() as first, units.unit_of_work() as second:
        assert await first.leases.locked(LEADER) is None
        assert await second.leases.locked(LEADER) is None
        await first.leases.put(LEADER, "host:1:a", NOW, exists=False)
        await first.commit()
        with pytest.raises(IntegrityError):
            await second.leases.put(LEADER, "host:2:b", LATER, exists=False)
    assert await lease(units) == Lease("host:1:a", NOW)


async def test_a_lease_taken_in_a_unit_that_does_not_commit_is_gone(units: Any) -> None:
    async with units.unit_of_work() as uow:
        await uow.leases.put(LEADER, "host:1:a", NOW, exists=False)
    assert await lease(units) is None
