"""The last line of defence: log with ids only, and give the user a short, calm answer."""

import logging
import time

from telegram import Update
from telegram.error import TelegramError

from aftercare_bot.adapters.telegram.context import AftercareContext
from aftercare_bot.adapters.telegram.languages import language_of

logger = logging.getLogger(__name__)


OPS_NOTICE_INTERVAL = 300.0  # seconds between two notices about the same kind of failure


async def on_error(update: object, context: AftercareContext) -> None:
    """Log an unexpected failure, tell the operators (ids only, rate-limited, never in the
    clinical group), and tell the user something went wrong, never how."""
    update_id = update.update_id if isinstance(update, Update) else None
    logger.error("update %s failed", update_id, exc_info=context.error)
    await _tell_operators(context, update_id)
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


async def _tell_operators(context: AftercareContext, update_id: int | None) -> None:
    kind = type(context.error).__name__
    now = time.monotonic()
    last = context.services.ops_notices
    if kind in last and now - last[kind] < OPS_NOTICE_INTERVAL:
        return
    last[kind] = now
    staff = context.services.config.staff
    recipients = [staff.ops_chat_id] if staff.ops_chat_id is not None else list(staff.admin_ids)
    text = context.services.texts.render(
        context.services.config.clinic.language, "errors.ops", error=kind, update=update_id or "-"
    )
    for chat_id in recipients:
        try:
            await context.bot.send_message(chat_id, text, parse_mode="HTML")
        except TelegramError:
            logger.warning("could not tell operator chat %s about a failure", chat_id)
