"""Stored clinic settings and the changes staff made, on SQL and on the fake."""

from datetime import UTC, datetime, timedelta
from typing import Any

from aftercare_bot.domain.clinic_settings import SettingChange

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


async def test_missing_settings_are_added_and_stored_ones_left_alone(units: Any) -> None:
    async with units.unit_of_work() as uow:
        await uow.clinic_settings.add_missing({"clinic.phone": "1", "clinic.hours": "Sat"}, NOW)
        await uow.commit()
    async with units.unit_of_work() as uow:
        await uow.clinic_settings.add_missing({"clinic.phone": "2", "staff.digest_at": "off"}, NOW)
        await uow.clinic_settings.put("clinic.hours", "Sun 10:00-12:00", NOW)
        await uow.commit()
    async with units.unit_of_work() as uow:
        assert await uow.clinic_settings.values() == {
            "clinic.phone": "1",
            "clinic.hours": "Sun 10:00-12:00",
            "staff.digest_at": "off",
        }


async def test_a_value_not_committed_is_not_kept(units: Any) -> None:
    async with units.unit_of_work() as uow:
        await uow.clinic_settings.put("clinic.phone", "1", NOW)
    async with units.unit_of_work() as uow:
        assert await uow.clinic_settings.values() == {}


def change(setting: str, new: str, minutes: int = 0) -> SettingChange:
    return SettingChange(setting, "old", new, NOW + timedelta(minutes=minutes), 7, "Grey")


async def test_changes_are_posted_once_oldest_first(units: Any) -> None:
    async with units.unit_of_work() as uow:
        await uow.clinic_settings.record(change("clinic.phone", "1"))
        await uow.clinic_settings.record(change("clinic.hours", "Sat 10:00-12:00", 1))
        await uow.clinic_settings.record(change("clinic.phone", "2", 2))
        await uow.commit()
    async with units.unit_of_work() as uow:
        waiting = await uow.clinic_settings.unposted()
        assert [c.new_value for c in waiting] == ["1", "Sat 10:00-12:00", "2"]
        assert await uow.clinic_settings.take_for_posting(waiting[0].id, NOW)
        assert not await uow.clinic_settings.take_for_posting(waiting[0].id, NOW)
        await uow.commit()
    async with units.unit_of_work() as uow:
        assert [c.new_value for c in await uow.clinic_settings.unposted()] == [
            "Sat 10:00-12:00",
            "2",
        ]
        last = await uow.clinic_settings.last_changes()
    assert {setting: c.new_value for setting, c in last.items()} == {
        "clinic.phone": "2",
        "clinic.hours": "Sat 10:00-12:00",
    }
    assert last["clinic.phone"].changed_by_name == "Grey"
    assert last["clinic.phone"].posted_at is None
    assert last["clinic.phone"].changed_at == NOW + timedelta(minutes=2)
