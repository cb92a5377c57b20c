"""A patient's chosen language, learned at the start of every update in their private chat.

The language a patient chose (at enrollment or with /language) is stored with them; reading
it once an update, before any handler answers, makes every answer of that update speak it:
/help right after /language included, not only the scheduled messages. Nobody else has a
choice but staff: a staff member's /language choice, else their Telegram language (kept, for
the posts the bot sends them unasked: re-pages, reminders, notices), answers them privately;
strangers get their Telegram language when the clinic offers it, else the clinic's, and the
staff group always reads the clinic's language.
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
    """Remember, for this chat, the language its patient or staff member reads (None: their
    Telegram's); a staff member's Telegram language is kept for what is posted to them."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or chat.type != ChatType.PRIVATE:
        return
    services = context.services
    patient = await services.patient_requests.patient_in(chat.id)
    if patient is not None:
        remember_chosen_language(context, patient.language)
        return
    spoken = user.language_code.split("-")[0].lower() if user and user.language_code else None
    own = (
        await services.staff_access.saw_language(
            user.id, spoken if spoken in services.texts.languages else None
        )
        if user is not None
        else None
    )
    remember_chosen_language(context, own)


def chosen_language_handler() -> BaseHandler[Update, Any, None]:
    """The handler that learns it; add it in `LANGUAGE_GROUP`."""
    return TypeHandler(Update, learn_chosen_language)
