"""The bot's own @username, kept in the database for the command line, which writes
`t.me/<bot>?start=...` links without running the bot. Keyed by the bot's id, so a new token
means a fresh look-up."""

from datetime import datetime

from aftercare_bot.services.ports import UnitsOfWork


def _setting_key(bot_id: str) -> str:
    return f"bot_username:{bot_id}"


async def remembered_username(units: UnitsOfWork, bot_id: str) -> str | None:
    """The username last learnt for this bot, if any."""
    async with units.unit_of_work() as uow:
        return await uow.settings.get(_setting_key(bot_id))


async def remember_username(units: UnitsOfWork, bot_id: str, username: str, now: datetime) -> None:
    """Keep this bot's username for the command line."""
    async with units.unit_of_work() as uow:
        await uow.settings.put(_setting_key(bot_id), username, now)
        await uow.commit()
