"""Answering a button press: the spinner stops, and a late answer never loses the press.

Telegram refuses to answer a callback query more than about 15 seconds old ("query is too
old"). After a restart or during a backlog that is every pending press; what the patient or
staff member pressed must still be acted on, so the refusal is logged and the handler goes on.

A press that has to wait for its chat's earlier updates (a patient tapping again while her
last answer's reply waits for its turn under Telegram's limit) is answered at once, before it
waits; the handler that acts on it later does not answer it a second time.
"""

import logging

from telegram import CallbackQuery, Update
from telegram.error import BadRequest

logger = logging.getLogger(__name__)

REMEMBERED = 10_000  # presses answered early, kept until their handler runs


class EarlyAnswers:
    """The presses answered while they waited for their turn."""

    def __init__(self) -> None:
        self._ids: dict[str, None] = {}

    def add(self, query_id: str) -> None:
        self._ids[query_id] = None
        if len(self._ids) > REMEMBERED:
            del self._ids[next(iter(self._ids))]

    def take(self, query_id: str) -> bool:
        """Whether the press was answered early (forgotten from now on)."""
        if query_id not in self._ids:
            return False
        del self._ids[query_id]
        return True


async def answer_press(query: CallbackQuery, early: EarlyAnswers) -> None:
    """Stop the button's loading spinner if Telegram still lets us (and nobody has yet)."""
    if early.take(query.id):
        return
    await _answer(query)


async def answer_while_waiting(update: object, early: EarlyAnswers) -> None:
    """A press about to wait behind its chat's earlier updates: stop its spinner now."""
    if isinstance(update, Update) and update.callback_query is not None:
        early.add(update.callback_query.id)
        await _answer(update.callback_query)


async def _answer(query: CallbackQuery) -> None:
    try:
        await query.answer()
    except BadRequest as error:
        logger.info("press %s answered too late: %s", query.id, error.message)
