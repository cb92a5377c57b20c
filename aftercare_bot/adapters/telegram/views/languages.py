"""Which language to answer a Telegram user in.

A patient's own choice first (learned for the chat at the start of each update, see
handlers/chosen_language.py), then the user's Telegram language if the clinic offers it, then
the clinic's language.
"""

from telegram import Update

from aftercare_bot.adapters.telegram.runtime.context import AftercareContext

_CHOSEN = "chosen_language"


def remember_chosen_language(context: AftercareContext, language: str | None) -> None:
    """The language this chat's patient chose, for the rest of the update (None: none)."""
    if context.chat_data is not None:
        context.chat_data[_CHOSEN] = language


def language_of(update: Update, context: AftercareContext) -> str:
    """The language to answer the sender of `update` in."""
    chosen = context.chat_data.get(_CHOSEN) if context.chat_data is not None else None
    user = update.effective_user
    services = context.services
    return services.texts.language_for(
        chosen or (user.language_code if user else None),
        fallback=services.config.clinic.language,
    )
