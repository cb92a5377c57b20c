"""Answering a button press: the spinner stops, and a late answer never loses the press.

Telegram refuses to answer a callback query more than about 15 seconds old ("query is too
old"). After a restart or during a backlog that is every pending press; what the patient or
staff member pressed must still be acted on, so the refusal is logged and the handler goes on.
"""

import logging

from telegram import CallbackQuery
from telegram.error import BadRequest

logger = logging.getLogger(__name__)


async def answer_press(query: CallbackQuery) -> None:
    """Stop the button's loading spinner if Telegram still lets us."""
    try:
        await query.answer()
    except BadRequest as error:
        logger.info("press %s answered too late: %s", query.id, error.message)
