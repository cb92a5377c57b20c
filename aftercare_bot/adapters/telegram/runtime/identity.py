"""The bot's own @username, needed to write `t.me/<bot>?start=...` links.

The command line learns it from getMe through `telegram.base_url` once and keeps it in the
database (keyed by the bot's id, so a new token means a fresh look-up); the running bot
refreshes it at every start.
"""

from datetime import datetime

from telegram.error import InvalidToken, TelegramError

from aftercare_bot.adapters.persistence.database import Database
from aftercare_bot.adapters.telegram.runtime.connections import telegram_bot
from aftercare_bot.config import Config
from aftercare_bot.domain.errors import AftercareError
from aftercare_bot.services.bot_username import remember_username, remembered_username


class TelegramUnreachable(AftercareError):
    """getMe failed: the token is refused or the Bot API server does not answer."""


def bot_id(token: str) -> str:
    """The bot's id: the part of its token before the colon."""
    return token.split(":", 1)[0]


async def bot_username(config: Config, database: Database, now: datetime) -> str:
    """The cached username, else getMe's answer (then cached).

    Raises:
        TelegramUnreachable: no cached name and getMe failed.
    """
    token = config.require_token()
    cached = await remembered_username(database, bot_id(token))
    if cached:
        return cached
    bot = telegram_bot(token, config.telegram)
    try:
        async with bot:
            username = bot.username
    except InvalidToken:
        raise TelegramUnreachable(
            "telegram.token was refused by Telegram (check it with @BotFather)"
        ) from None
    except TelegramError as error:
        raise TelegramUnreachable(
            f'telegram.base_url: "{config.telegram.base_url}" did not answer getMe ({error})'
        ) from None
    await remember_username(database, bot_id(token), username, now)
    return username


def deep_link_for(username: str, token: str) -> str:
    """The link a patient opens: Telegram passes `token` to the bot as `/start <token>`."""
    return f"https://t.me/{username}?start={token}"
