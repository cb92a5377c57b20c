"""Telling staff something: in the staff group when one is bound, else each admin privately.

Only a patient's code and first name ever appear here: membership of the group is access to
health data, and admins' private chats are no better place for more.
"""

import logging

from telegram import Bot
from telegram.error import TelegramError

from aftercare_bot.adapters.telegram.messenger import send
from aftercare_bot.adapters.telegram.runtime.context import AftercareContext, Services
from aftercare_bot.domain.patients import Patient

logger = logging.getLogger(__name__)


class StaffNotifier:
    """Sends staff notices; a failure is logged, never raised into a patient's flow."""

    def __init__(self, bot: Bot, services: Services) -> None:
        self._bot = bot
        self._services = services

    async def __call__(self, key: str, **params: object) -> None:
        """Render `key` in the clinic's language and post it where staff will see it; with no
        staff group, each admin reads it privately in their own language."""
        services = self._services
        config = services.config
        group = await services.staff_access.group()
        recipients = [group] if group is not None else list(config.staff.admin_ids)
        for chat_id in recipients:
            language = await staff_member_language(services, chat_id)
            text = services.views.texts.render(language, key, **params)
            try:
                await send(self._bot, chat_id, text)
            except TelegramError as error:
                logger.warning("staff notice %s to chat %s failed: %s", key, chat_id, error)

    async def about(self, key: str, patient: Patient) -> None:
        """A notice naming a patient by code and first name only."""
        await self(key, code=patient.code, name=patient.display_name)


async def notify_staff(context: AftercareContext, key: str, **params: object) -> None:
    """Send a staff notice from a handler."""
    await StaffNotifier(context.bot, context.services)(key, **params)


async def tell_staff_member(
    bot: Bot, services: Services, user_id: int, key: str, **params: object
) -> None:
    """A notice for one staff member, privately, in their own language (the clinic's when it
    is not known); one who never opened the bot cannot be written to, and is not."""
    language = await staff_member_language(services, user_id)
    try:
        await send(bot, user_id, services.views.texts.render(language, key, **params))
    except TelegramError as error:
        logger.warning("staff notice %s to staff member %s failed: %s", key, user_id, error)


async def staff_member_language(services: Services, chat_id: int) -> str:
    """A staff member's own language in their private chat (their /language choice, else their
    Telegram's); the clinic's for the staff group and for anyone not known."""
    own = await services.staff_access.language(chat_id)
    return own if own in services.texts.languages else services.config.clinic.language
