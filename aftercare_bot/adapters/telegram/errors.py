"""The last line of defence: log with ids only, and give the user a short, calm answer."""

import logging

from telegram import Update
from telegram.error import TelegramError

from aftercare_bot.adapters.telegram.context import AftercareContext
from aftercare_bot.adapters.telegram.languages import language_of

logger = logging.getLogger(__name__)


async def on_error(update: object, context: AftercareContext) -> None:
    """Log an unexpected failure and tell the user something went wrong, never how."""
    update_id = update.update_id if isinstance(update, Update) else None
    logger.error("update %s failed", update_id, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.effective_chat.type != "private":
        return
    services = context.services
    text = services.texts.render(
        language_of(update, context), "errors.internal", phone=services.config.clinic.phone
    )
    try:
        await context.bot.send_message(update.effective_chat.id, text, parse_mode="HTML")
    except TelegramError:
        logger.warning("could not tell chat of update %s about the failure", update_id)
