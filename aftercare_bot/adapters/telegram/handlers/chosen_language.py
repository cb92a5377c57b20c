"""A patient's chosen language, learned at the start of every update in their private chat.

The language a patient chose (at enrollment or with /language) is stored with them; reading
it once an update, before any handler answers, makes every answer of that update speak it:
/help right after /language included, not only the scheduled messages. Nobody else has a
stored choice, so staff and strangers are answered in their Telegram language when the clinic
offers it, else in the clinic's.
"""

from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, TypeHandler

from aftercare_bot.adapters.telegram.handlers.flood_control import FLOOD_GROUP
from aftercare_bot.adapters.telegram.runtime.context import AftercareContext
from aftercare_bot.adapters.telegram.views.languages import remember_chosen_language

LANGUAGE_GROUP = FLOOD_GROUP + 1  # after floods are held back, before anything answers


async def learn_chosen_language(update: Update, context: AftercareContext) -> None:
    """Remember, for this chat, the language its patient chose (None: their Telegram's)."""
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE:
        return
    patient = await context.services.patient_requests.patient_in(chat.id)
    remember_chosen_language(context, patient.language if patient else None)


def chosen_language_handler() -> BaseHandler[Update, Any, None]:
    """The handler that learns it; add it in `LANGUAGE_GROUP`."""
    return TypeHandler(Update, learn_chosen_language)
