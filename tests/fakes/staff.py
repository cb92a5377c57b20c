"""The fakes of `StaffRepository` and `SettingsRepository`."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from aftercare_bot.domain.staff import StaffMember
from tests.fakes.patients import check_unique
from tests.fakes.store import FakeSession


@dataclass
class SettingRow:
    """A row of `bot_settings`."""

    key: str
    value: str
    updated_at: datetime


class FakeStaffRepository:
    """Staff members by Telegram id, in memory."""

    def __init__(self, session: FakeSession) -> None:
        self._session = session

    async def get(self, user_id: int) -> StaffMember | None:
        """The member with this Telegram id, present or removed."""
        return self._session.table("staff_members").get(user_id)

    def add(self, member: StaffMember) -> None:
        """Stage a new member (a taken id is refused, as by the primary key)."""
        check_unique(self._session, "staff_members", member, (("telegram_user_id",),))
        self._session.table("staff_members")[member.telegram_user_id] = member

    async def active(self) -> Sequence[StaffMember]:
        """Members not removed, by name (code point order, as SQLite compares)."""
        members = self._session.table("staff_members").values()
        return sorted(
            (member for member in members if member.removed_at is None),
            key=lambda member: member.display_name,
        )


class FakeSettingsRepository:
    """Key-value facts learnt at run time, in memory."""

    def __init__(self, session: FakeSession) -> None:
        self._session = session

    async def get(self, key: str) -> str | None:
        """The stored value, or None."""
        row = self._session.table("bot_settings").get(key)
        return None if row is None else row.value

    async def put_if_absent(self, key: str, value: str, now: datetime) -> str:
        """Store a value unless one is stored; the value stored."""
        table = self._session.table("bot_settings")
        if key not in table:
            table[key] = SettingRow(key, value, now)
        return str(table[key].value)

    async def put(self, key: str, value: str, now: datetime) -> None:
        """Store or replace a value."""
        self._session.table("bot_settings")[key] = SettingRow(key, value, now)
