"""Whether anyone can be paged: who the bot must be able to write to, and what the last check
found. Monitoring (`status`) reports a clinic where nobody could be paged; an admin who
presses Start clears that at once."""

from collections.abc import Sequence
from datetime import datetime

from aftercare_bot.services.ports import UnitOfWork, UnitsOfWork
from aftercare_bot.services.staff import staff_group

# How many admins the bot could write to at the last check (start-up or `bot.py check`).
REACHABLE_ADMINS_SETTING = "reachable_admins"


async def chats_to_check(
    units: UnitsOfWork, configured_group: int | None
) -> tuple[Sequence[int], int | None]:
    """The invited staff members' ids and the staff group (if any) the bot must reach."""
    async with units.unit_of_work() as uow:
        members = [member.telegram_user_id for member in await uow.staff.active()]
        return members, await staff_group(uow, configured_group)


async def remember_reachable_admins(units: UnitsOfWork, count: int, now: datetime) -> None:
    """Keep how many admins the bot could write to at this check."""
    async with units.unit_of_work() as uow:
        await uow.settings.put(REACHABLE_ADMINS_SETTING, str(count), now)
        await uow.commit()


async def admin_started(units: UnitsOfWork, now: datetime) -> None:
    """An admin pressed Start: the bot can write to them now, so monitoring stops reporting
    that nobody could be paged (without waiting for the next start's check)."""
    async with units.unit_of_work() as uow:
        if await uow.settings.get(REACHABLE_ADMINS_SETTING) == "0":
            await uow.settings.put(REACHABLE_ADMINS_SETTING, "1", now)
            await uow.commit()


async def nobody_to_page(uow: UnitOfWork, configured_group: int | None) -> bool:
    """No staff group bound and, at the last check, no admin the bot could write to."""
    if await staff_group(uow, configured_group) is not None:
        return False
    return await uow.settings.get(REACHABLE_ADMINS_SETTING) == "0"
