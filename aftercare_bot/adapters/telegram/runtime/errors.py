"""The last line of defence: log with ids only, and give the user a short, calm answer.

One failure is not the user's problem: the database unreachable for a while (a locked SQLite
file, PostgreSQL restarting). Then the update is handled again after a growing pause, for
about two minutes, before the user is told anything went wrong: what a patient reported during
an outage is recorded when the database is back, not lost.

Nor are Telegram's expected refusals (see `telegram_outcomes`). A patient who blocked the bot,
or whose account or chat is gone, is an outcome: the patient is paused and staff told once, in
one log line with ids only, and nobody is told something went wrong. An edit that changed
nothing or a press answered too late is noted at INFO. A staff member's or the staff group's
chat refusing the bot is not a patient's news: it takes the usual path, operators told.
"""

import asyncio
import logging
import time
from typing import Any

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import Application

from aftercare_bot.adapters.telegram.messenger import send
from aftercare_bot.adapters.telegram.notices.staff_notices import notify_staff
from aftercare_bot.adapters.telegram.runtime.context import AftercareContext, Services
from aftercare_bot.adapters.telegram.runtime.telegram_outcomes import Outcome, classify
from aftercare_bot.adapters.telegram.views.languages import language_of
from aftercare_bot.domain.patients import PatientStatus
from aftercare_bot.services.reachability import chat_refused

logger = logging.getLogger(__name__)


OPS_NOTICE_INTERVAL = 300.0  # seconds between two notices about the same kind of failure
RETRY_DELAYS = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 30.0, 30.0)  # about two minutes in all


def database_unavailable(error: BaseException | None) -> bool:
    """The database could not be reached (as opposed to a mistake in a query)."""
    if isinstance(error, OperationalError | InterfaceError | PoolTimeout):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


async def _handle_again(
    application: Application[Any, Any, Any, Any, Any, Any], update: Update, delay: float
) -> None:
    await asyncio.sleep(delay)
    await application.process_update(update)


def _retried(update: object, context: AftercareContext) -> bool:
    """Schedule the update again if the database was unreachable and tries remain."""
    if not isinstance(update, Update) or not database_unavailable(context.error):
        return False
    services = context.services
    attempt = services.database_retries.get(update.update_id, 0)
    if attempt >= len(RETRY_DELAYS):
        services.database_retries.pop(update.update_id, None)
        return False
    services.database_retries[update.update_id] = attempt + 1
    services.repeats.forget(update.update_id)
    delay = RETRY_DELAYS[attempt]
    logger.warning(
        "database unavailable while handling update %s; handling it again in %.0f s",
        update.update_id,
        delay,
    )
    context.application.create_task(_handle_again(context.application, update, delay))
    return True


async def on_error(update: object, context: AftercareContext) -> None:
    """Log an unexpected failure, tell the operators (ids only, rate-limited, never in the
    clinical group), and tell the user something went wrong, never how. Telegram's expected
    refusals are outcomes instead: a log line, and a patient who is gone paused."""
    update_id = update.update_id if isinstance(update, Update) else None
    outcome = classify(context.error)
    if outcome is Outcome.QUIET:
        logger.info("update %s: Telegram changed nothing (%s)", update_id, context.error)
        return
    if outcome.patient_gone and await _acted_on_refusal(update, context, outcome):
        return
    if _retried(update, context):
        return
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
        await send(context.bot, update.effective_chat.id, text)
    except TelegramError:
        logger.warning("could not tell chat of update %s about the failure", update_id)


async def _acted_on_refusal(update: object, context: AftercareContext, outcome: Outcome) -> bool:
    """A private chat that is not staff's refused the bot for good: the patient there is
    paused (staff told once) and one line logged. False when it is not such a chat, or the
    database cannot say whose it is: then the usual path."""
    chat = update.effective_chat if isinstance(update, Update) else None
    if chat is None or chat.type != ChatType.PRIVATE:
        return False
    services = context.services
    try:
        if await _is_staff_chat(services, chat.id):
            return False
        refused = None
        if chat.id not in services.blocked_chats:  # else the block's own update acts on it
            refused = await chat_refused(
                services.database,
                services.wake_after_answer,
                chat.id,
                services.clock.now(),
                blocked=outcome is Outcome.BLOCKED,
            )
    except SQLAlchemyError as error:
        logger.warning(
            "could not look up chat %s that refused the bot: %s", chat.id, type(error).__name__
        )
        return False
    logger.info(
        "update %s: chat %s refused the bot (%s; patient %s)",
        update.update_id if isinstance(update, Update) else None,
        chat.id,
        outcome.value,
        refused.patient.code if refused else "-",
    )
    if refused is not None and refused.now_status == PatientStatus.STOPPED:
        patient = refused.patient
        await notify_staff(
            context, "lifecycle.staff_blocked", code=patient.code, name=patient.display_name
        )
    return True


async def _is_staff_chat(services: Services, chat_id: int) -> bool:
    """An admin's, a staff member's, the operators' or the staff group's chat."""
    staff = services.config.staff
    if chat_id == staff.ops_chat_id:
        return True
    return await services.staff_access.is_staff_chat(chat_id)


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
            await send(context.bot, chat_id, text)
        except TelegramError:
            logger.warning("could not tell operator chat %s about a failure", chat_id)
