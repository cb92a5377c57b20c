"""Who staff are and where they are reached: a person's staff role, read from the database on
every request (a member removed a moment ago is refused at once), refusals kept in the audit
trail, and the staff group."""

from collections.abc import Sequence
from dataclasses import dataclass

from aftercare_bot.domain.staff import StaffRole
from aftercare_bot.services import staff
from aftercare_bot.services.ports import Clock, UnitOfWork, UnitsOfWork


@dataclass(frozen=True)
class StaffAccess:
    """Roles and the staff group, with the admins and the group named in the config."""

    units: UnitsOfWork
    clock: Clock
    admin_ids: Sequence[int]
    configured_group: int | None

    async def role(self, user_id: int) -> StaffRole | None:
        """This person's staff role, or None."""
        async with self.units.unit_of_work() as uow:
            return await staff.staff_role(uow, user_id, self.admin_ids)

    async def refused(self, user_id: int, command: str) -> None:
        """Keep a refused attempt in the audit trail (the command word only)."""
        async with self.units.unit_of_work() as uow:
            await staff.record_refusal(uow, user_id, command, self.clock.now())

    async def group(self) -> int | None:
        """The staff group (bound by /bindgroup, else the config's), if there is one."""
        async with self.units.unit_of_work() as uow:
            return await staff.staff_group(uow, self.configured_group)

    async def is_staff_chat(self, chat_id: int) -> bool:
        """Whether this chat is a staff member's or the staff group."""
        async with self.units.unit_of_work() as uow:
            if await staff.staff_role(uow, chat_id, self.admin_ids) is not None:
                return True
            return chat_id == await staff.staff_group(uow, self.configured_group)

    async def language(self, user_id: int) -> str | None:
        """The language this staff member reads, if known: the one they chose with /language,
        else their Telegram's as last seen. What the bot writes to them privately (re-pages,
        reminders, notices, lists) is in it; the staff group reads the clinic's."""
        async with self.units.unit_of_work() as uow:
            return await own_language(uow, user_id)

    async def saw_language(self, user_id: int, language: str | None) -> str | None:
        """Remember the language a staff member's Telegram is in (nobody else's is kept), and
        return the one to answer them in: their choice, else that. None for non-staff."""
        async with self.units.unit_of_work() as uow:
            if await staff.staff_role(uow, user_id, self.admin_ids) is None:
                return None
            if language is not None and await uow.settings.get(_seen_key(user_id)) != language:
                await uow.settings.put(_seen_key(user_id), language, self.clock.now())
                await uow.commit()
            return await own_language(uow, user_id)

    async def choose_language(self, user_id: int, language: str) -> bool:
        """A staff member's own choice (/language), kept over their Telegram's; False for
        someone who is not staff (nothing is stored for them)."""
        async with self.units.unit_of_work() as uow:
            if await staff.staff_role(uow, user_id, self.admin_ids) is None:
                return False
            await uow.settings.put(_chosen_key(user_id), language, self.clock.now())
            await uow.commit()
            return True


async def own_language(uow: UnitOfWork, user_id: int) -> str | None:
    """A staff member's language: their /language choice, else their Telegram's as seen."""
    return await uow.settings.get(_chosen_key(user_id)) or await uow.settings.get(
        _seen_key(user_id)
    )


def _seen_key(user_id: int) -> str:
    return f"staff_language:{user_id}"


def _chosen_key(user_id: int) -> str:
    return f"staff_language_chosen:{user_id}"
