"""The fake of `ClinicSettingsRepository`."""

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import datetime

from aftercare_bot.domain.clinic_settings import SettingChange
from tests.fakes.staff import SettingRow
from tests.fakes.store import FakeSession


class FakeClinicSettingsRepository:
    """Stored settings by name and changes by id, in memory."""

    def __init__(self, session: FakeSession) -> None:
        self._session = session

    async def values(self) -> dict[str, str]:
        """Every stored setting's text, by setting."""
        return {key: row.value for key, row in self._session.table("clinic_settings").items()}

    async def add_missing(self, values: Mapping[str, str], now: datetime) -> None:
        """Store the settings not stored yet."""
        table = self._session.table("clinic_settings")
        for setting, value in values.items():
            if setting not in table:
                table[setting] = SettingRow(setting, value, now)

    async def put(self, setting: str, value: str, now: datetime) -> None:
        """Store a setting's new text."""
        self._session.table("clinic_settings")[setting] = SettingRow(setting, value, now)

    async def record(self, change: SettingChange) -> None:
        """Keep a change, to be posted to the staff group."""
        change_id = self._session.new_id("setting_changes")
        self._session.table("setting_changes")[change_id] = dataclasses.replace(
            change, id=change_id, posted_at=None
        )

    async def unposted(self) -> Sequence[SettingChange]:
        """Changes not yet posted, oldest first."""
        changes = self._session.table("setting_changes")
        return [changes[key] for key in sorted(changes) if changes[key].posted_at is None]

    async def take_for_posting(self, change_id: int, now: datetime) -> bool:
        """Mark a change posted; False when it already was."""
        changes = self._session.table("setting_changes")
        found = changes.get(change_id)
        if found is None or found.posted_at is not None:
            return False
        changes[change_id] = dataclasses.replace(found, posted_at=now)
        return True

    async def last_changes(self) -> dict[str, SettingChange]:
        """The latest change of each setting staff changed."""
        changes = self._session.table("setting_changes")
        return {changes[key].setting: changes[key] for key in sorted(changes)}
