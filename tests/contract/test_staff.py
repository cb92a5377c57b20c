"""Staff members and the bot's settings, on SQL and on the fake."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from aftercare_bot.domain.staff import StaffMember

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


async def add(units: Any, *members: StaffMember) -> None:
    async with units.unit_of_work() as uow:
        for member in members:
            uow.staff.add(member)
        await uow.commit()


async def test_a_member_is_found_by_telegram_id_present_or_removed(units: Any) -> None:
    removed = StaffMember(11, "Nina", NOW, added_by=1, removed_at=NOW + timedelta(days=1))
    await add(units, StaffMember(10, "Olga", NOW), removed)
    async with units.unit_of_work() as uow:
        assert await uow.staff.get(10) == StaffMember(10, "Olga", NOW)
        assert await uow.staff.get(11) == removed
        assert await uow.staff.get(12) is None


async def test_active_members_are_those_not_removed_by_name(units: Any) -> None:
    await add(
        units,
        StaffMember(10, "Olga", NOW),
        StaffMember(11, "Anna", NOW, removed_at=NOW),
        StaffMember(12, "Mia", NOW),
        StaffMember(13, "Carl", NOW),
    )
    async with units.unit_of_work() as uow:
        names = [member.display_name for member in await uow.staff.active()]
    assert names == ["Carl", "Mia", "Olga"]


async def test_removing_a_loaded_member_is_kept_once_committed(units: Any) -> None:
    await add(units, StaffMember(10, "Olga", NOW))
    async with units.unit_of_work() as uow:
        member = await uow.staff.get(10)
        assert member is not None
        member.removed_at = NOW
        await uow.commit()
    async with units.unit_of_work() as uow:
        assert list(await uow.staff.active()) == []


async def test_a_telegram_id_already_stored_is_refused(units: Any) -> None:
    await add(units, StaffMember(10, "Olga", NOW))
    with pytest.raises(IntegrityError):
        await add(units, StaffMember(10, "Olga again", NOW))
    async with units.unit_of_work() as uow:
        assert await uow.staff.get(10) == StaffMember(10, "Olga", NOW)


async def test_a_member_added_in_a_unit_that_does_not_commit_is_gone(units: Any) -> None:
    async with units.unit_of_work() as uow:
        uow.staff.add(StaffMember(10, "Olga", NOW))
    async with units.unit_of_work() as uow:
        assert await uow.staff.get(10) is None


async def test_a_setting_is_none_until_put_then_replaced_by_the_next_put(units: Any) -> None:
    async with units.unit_of_work() as uow:
        assert await uow.settings.get("escalation_chat") is None
        await uow.settings.put("escalation_chat", "-100", NOW)
        await uow.commit()
    async with units.unit_of_work() as uow:
        assert await uow.settings.get("escalation_chat") == "-100"
        await uow.settings.put("escalation_chat", "-200", NOW + timedelta(hours=1))
        await uow.settings.put("other", "x", NOW)
        await uow.commit()
    async with units.unit_of_work() as uow:
        assert await uow.settings.get("escalation_chat") == "-200"
        assert await uow.settings.get("other") == "x"


async def test_a_setting_put_in_a_unit_that_does_not_commit_is_gone(units: Any) -> None:
    async with units.unit_of_work() as uow:
        await uow.settings.put("escalation_chat", "-100", NOW)
        assert await uow.settings.get("escalation_chat") == "-100"
    async with units.unit_of_work() as uow:
        assert await uow.settings.get("escalation_chat") is None
