"""Taking a button press: the one prelude every press handler shares.

The spinner stops first (a late answer never loses the press), the data is parsed by its
family's strict parser (anything a modified client made up is dropped without a word), and a
staff button checks the presser's role on every press (a forwarded or old message's buttons
are no key). Only then does the handler act on what was pressed.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from telegram import Update

from aftercare_bot.adapters.telegram.handlers.access import require_staff
from aftercare_bot.adapters.telegram.messenger import set_buttons
from aftercare_bot.adapters.telegram.runtime.context import AftercareContext
from aftercare_bot.adapters.telegram.runtime.presses import answer_press

P = TypeVar("P")


async def take_press(
    update: Update,
    context: AftercareContext,
    parse: Callable[[str | None], P | None],
    *,
    staff: bool = False,
    admin: bool = False,
    clear: bool = False,
) -> P | None:
    """What was pressed, or None when there is nothing to act on.

    `staff`/`admin`: refuse (politely, audited) anyone without that role. `clear`: take the
    buttons off the message first, so the same choice cannot be pressed twice.
    """
    query = update.callback_query
    if query is None:
        return None
    await answer_press(query, context.services.early_answers)
    if clear:
        await set_buttons(update, None)  # an already-edited message is harmless
    pressed = parse(query.data)
    if pressed is None:
        return None
    if (staff or admin) and not await require_staff(update, context, admin=admin):
        return None
    return pressed


@dataclass(frozen=True)
class Presser:
    """Who pressed, and in which chat: the pressed message's chat, or the presser's private chat
    when the message is too old for Telegram to say."""

    user_id: int
    chat_id: int


def presser(update: Update) -> Presser:
    """Who pressed the button `take_press` has just taken."""
    query = update.callback_query
    assert query is not None, "presser() follows take_press in a press handler"
    chat_id = query.message.chat.id if query.message else query.from_user.id
    return Presser(query.from_user.id, chat_id)
