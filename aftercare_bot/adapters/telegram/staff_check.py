"""Can the bot reach every staff member and the staff group? Pages depend on it.

A bot can write to a person only after they pressed Start with it, and to a group only while
it is a member; `python bot.py check` and the start-up log name every gap before an urgent
page needs it.
"""

import logging
from dataclasses import dataclass

from telegram import Bot
from telegram.error import TelegramError

from aftercare_bot.adapters.persistence.database import Database
from aftercare_bot.config import Config
from aftercare_bot.services.staff import staff_group

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reach:
    """One staff chat and whether the bot can write to it."""

    who: str
    chat_id: int
    problem: str | None


async def check_staff_reach(bot: Bot, config: Config, database: Database) -> list[Reach]:
    """Every admin, invited staff member, on-call id, and the staff group."""
    async with database.unit_of_work() as uow:
        members = [member.telegram_user_id for member in await uow.staff.active()]
        group = await staff_group(uow, config.staff.escalation_chat_id)
    people = {
        **dict.fromkeys(config.staff.oncall_ids, "on-call"),
        **dict.fromkeys(members, "staff"),
        **dict.fromkeys(config.staff.admin_ids, "admin"),
    }
    results = [await _reach(bot, f"{role} {chat_id}", chat_id) for chat_id, role in people.items()]
    if group is None:
        results.append(
            Reach(
                "staff group",
                0,
                "none bound (send /bindgroup in it, or set staff.escalation_chat_id)",
            )
        )
    else:
        results.append(await _reach(bot, f"staff group {group}", group))
    return results


async def _reach(bot: Bot, who: str, chat_id: int) -> Reach:
    try:
        chat = await bot.get_chat(chat_id)
    except TelegramError as error:
        hint = (
            "they must open the bot and press Start" if chat_id > 0 else "add the bot to the group"
        )
        return Reach(who, chat_id, f"{error.message} ({hint})")
    if chat_id < 0 and chat.username:
        return Reach(who, chat_id, f"the group is public (@{chat.username}); make it private")
    return Reach(who, chat_id, None)


def describe(reach: Reach) -> str:
    """One line for the operator."""
    return (
        f"ok           {reach.who}"
        if reach.problem is None
        else f"unreachable  {reach.who}: {reach.problem}"
    )


async def log_staff_reach(bot: Bot, config: Config, database: Database) -> list[Reach]:
    """At start: log every gap loudly; returns the problems."""
    problems = [reach for reach in await check_staff_reach(bot, config, database) if reach.problem]
    for reach in problems:
        logger.warning("staff chat unreachable: %s", describe(reach))
    return problems
