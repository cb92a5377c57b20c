"""Staff members added by invitation, and the bot's small run-time settings."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from aftercare_bot.adapters.persistence.insert_once import insert_once
from aftercare_bot.adapters.persistence.tables import bot_settings, staff_members
from aftercare_bot.domain.staff import StaffMember


class StaffRepository:
    """Staff members (admins come from the config and are not stored)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, user_id: int) -> StaffMember | None:
        """The member with this Telegram id, present or removed."""
        return await self._session.get(StaffMember, user_id)

    def add(self, member: StaffMember) -> None:
        """Stage a new member."""
        self._session.add(member)

    async def active(self) -> Sequence[StaffMember]:
        """Members not removed, by name."""
        rows = await self._session.scalars(
            select(StaffMember)
            .where(staff_members.c.removed_at.is_(None))
            .order_by(staff_members.c.display_name)
        )
        return list(rows)


class SettingsRepository:
    """Key-value facts learnt at run time, such as the bound staff group."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, key: str) -> str | None:
        """The stored value, or None."""
        return await self._session.scalar(
            select(bot_settings.c.value).where(bot_settings.c.key == key)
        )

    async def put_if_absent(self, key: str, value: str, now: datetime) -> str:
        """Store a value unless one is stored (by whoever comes first, even at once); the
        value stored."""
        await self._session.execute(
            insert_once(self._session, bot_settings, ["key"], key=key, value=value, updated_at=now)
        )
        return await self.get(key) or value

    async def put(self, key: str, value: str, now: datetime) -> None:
        """Store or replace a value."""
        exists = await self.get(key) is not None
        if exists:
            await self._session.execute(
                bot_settings.update()
                .where(bot_settings.c.key == key)
                .values(value=value, updated_at=now)
            )
        else:
            await self._session.execute(
                bot_settings.insert().values(key=key, value=value, updated_at=now)
            )
