"""Clinic settings as stored texts, and the changes staff made to them."""

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import RowMapping, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from aftercare_bot.adapters.persistence.insert_once import insert_once
from aftercare_bot.adapters.persistence.tables import clinic_settings, setting_changes
from aftercare_bot.domain.clinic_settings import SettingChange


class ClinicSettingsRepository:
    """The stored settings, and the queue of changes to post to the staff group."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def values(self) -> dict[str, str]:
        """Every stored setting's text, by setting."""
        rows = await self._session.execute(
            select(clinic_settings.c.setting, clinic_settings.c.value)
        )
        return {setting: value for setting, value in rows}

    async def add_missing(self, values: Mapping[str, str], now: datetime) -> None:
        """Store the settings not stored yet, leaving the others as they are, even when two
        instances start at once on a new database."""
        if not values:
            return
        rows = [
            {"setting": setting, "value": value, "changed_at": now}
            for setting, value in values.items()
        ]
        for row in rows:
            await self._session.execute(
                insert_once(self._session, clinic_settings, ["setting"], **row)
            )

    async def put(self, setting: str, value: str, now: datetime) -> None:
        """Store a setting's new text (its row exists: `add_missing` ran at start-up)."""
        changed = await self._session.execute(
            update(clinic_settings)
            .where(clinic_settings.c.setting == setting)
            .values(value=value, changed_at=now)
        )
        if getattr(changed, "rowcount", 0) == 0:
            await self.add_missing({setting: value}, now)

    async def record(self, change: SettingChange) -> None:
        """Keep a change, to be posted to the staff group."""
        await self._session.execute(
            insert(setting_changes).values(
                setting=change.setting,
                old_value=change.old_value,
                new_value=change.new_value,
                changed_at=change.changed_at,
                changed_by=change.changed_by,
                changed_by_name=change.changed_by_name,
            )
        )

    async def unposted(self) -> Sequence[SettingChange]:
        """Changes not yet posted, oldest first."""
        rows = await self._session.execute(
            select(setting_changes)
            .where(setting_changes.c.posted_at.is_(None))
            .order_by(setting_changes.c.id)
        )
        return [_change(row) for row in rows.mappings()]

    async def take_for_posting(self, change_id: int, now: datetime) -> bool:
        """Mark a change posted; False when another caller already did (it is posted once)."""
        taken = await self._session.execute(
            update(setting_changes)
            .where(setting_changes.c.id == change_id, setting_changes.c.posted_at.is_(None))
            .values(posted_at=now)
        )
        return bool(getattr(taken, "rowcount", 0))

    async def last_changes(self) -> dict[str, SettingChange]:
        """The latest change of each setting staff changed."""
        rows = await self._session.execute(select(setting_changes).order_by(setting_changes.c.id))
        return {change.setting: change for change in map(_change, rows.mappings())}


def _change(row: RowMapping) -> SettingChange:
    return SettingChange(
        setting=row["setting"],
        old_value=row["old_value"],
        new_value=row["new_value"],
        changed_at=row["changed_at"],
        changed_by=row["changed_by"],
        changed_by_name=row["changed_by_name"],
        posted_at=row["posted_at"],
        id=row["id"],
    )
