"""A patient's chosen language, learned at the start of every update in their private chat.

The language a patient chose (at enrollment or with /language) is stored with them; reading
it once an update, before any handler answers, makes every answer of that update speak it:
/help right after /language included, not only the scheduled messages. Nobody else has a
stored choice, so staff and strangers are answered in their Telegram language when the clinic
offers it, else in the clinic's; a staff member's is kept, for the posts the bot sends them
unasked (re-pages, reminders, notices), while the staff group reads the clinic's language.
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
    """Remember, for this chat, the language its patient chose (None: their Telegram's); and
    a staff member's Telegram language, for what the bot posts to them unasked (re-pages)."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or chat.type != ChatType.PRIVATE:
        return
    services = context.services
    patient = await services.patient_requests.patient_in(chat.id)
    remember_chosen_language(context, patient.language if patient else None)
    if patient is None and user is not None and user.language_code:
        spoken = user.language_code.split("-")[0].lower()
        if spoken in services.texts.languages:
            await services.staff_access.saw_language(user.id, spoken)


def chosen_language_handler() -> BaseHandler[Update, Any, None]:
    """The handler that learns it; add it in `LANGUAGE_GROUP`."""
    return TypeHandler(Update, learn_chosen_language)
