"""Can the bot reach every staff member and the staff group? Pages depend on it.

A bot can write to a person only after they pressed Start with it, and to a group only while
it is a member; `python bot.py check` and the start-up log name every gap before an urgent
page needs it. What the last check found is kept for `bot.py status`: with no staff group
bound and no admin the bot can write to, an urgent report would reach nobody.
"""

import logging
from dataclasses import dataclass

from telegram import Bot, ChatMember, ChatMemberRestricted
from telegram.error import TelegramError

from aftercare_bot.adapters.persistence.database import Database
from aftercare_bot.clock import SystemClock
from aftercare_bot.config import Config
from aftercare_bot.services.staff_reach import chats_to_check, remember_reachable_admins

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reach:
    """One staff chat and whether the bot can write to it."""

    who: str
    chat_id: int
    problem: str | None


async def check_staff_reach(bot: Bot, config: Config, database: Database) -> list[Reach]:
    """Every admin, invited staff member, on-call id, and the staff group."""
    members, group = await chats_to_check(database, config.staff.escalation_chat_id)
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
    await _remember_reachable_admins(database, config.staff.admin_ids, results)
    return results


async def _remember_reachable_admins(
    database: Database, admin_ids: list[int], results: list[Reach]
) -> None:
    reachable = sum(1 for reach in results if reach.problem is None and reach.chat_id in admin_ids)
    await remember_reachable_admins(database, reachable, SystemClock().now())


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
    if chat_id < 0:
        return Reach(who, chat_id, await _posting_problem(bot, chat_id))
    return Reach(who, chat_id, None)


async def _posting_problem(bot: Bot, chat_id: int) -> str | None:
    """Why the bot cannot post in the group, if it cannot (not a member, or muted)."""
    try:
        member = await bot.get_chat_member(chat_id, bot.id)
    except TelegramError as error:
        return f"{error.message} (add the bot to the group)"
    if member.status in (ChatMember.LEFT, ChatMember.BANNED):
        return "the bot is not a member (add the bot to the group)"
    if isinstance(member, ChatMemberRestricted) and not member.can_send_messages:
        return "the bot may not send messages there (allow it in the group's permissions)"
    return None


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
