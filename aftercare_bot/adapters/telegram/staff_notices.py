"""Telling staff something: in the staff group when one is bound, else each admin privately.

Only a patient's code and first name ever appear here: membership of the group is access to
health data, and admins' private chats are no better place for more.
"""

import logging

from telegram.constants import ParseMode
from telegram.error import TelegramError

from aftercare_bot.adapters.telegram.context import AftercareContext
from aftercare_bot.services.staff import staff_group

logger = logging.getLogger(__name__)


async def notify_staff(context: AftercareContext, key: str, **params: object) -> None:
    """Send a staff notice; a failure is logged, never raised into the patient's flow."""
    services = context.services
    config = services.config
    async with services.database.unit_of_work() as uow:
        group = await staff_group(uow, config.staff.escalation_chat_id)
    recipients = [group] if group is not None else list(config.staff.admin_ids)
    text = context.views.render(config.clinic.language, key, **params)
    for chat_id in recipients:
        try:
            await context.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML)
        except TelegramError as error:
            logger.warning("staff notice %s to chat %s failed: %s", key, chat_id, error)
