"""Which language to answer a Telegram user in.

In a private chat: the patient's or staff member's own choice first (learned for the chat at
the start of each update, see handlers/chosen_language.py), then the user's Telegram language
if the clinic offers it, then the clinic's language. In the staff group: the clinic's, whoever
asked, since everyone there reads the answer.
"""

from collections.abc import Callable

from babel import Locale, UnknownLocaleError
from telegram import Update
from telegram.constants import ChatType

from aftercare_bot.adapters.telegram.runtime.context import AftercareContext
from aftercare_bot.domain.outgoing import Buttons
from aftercare_bot.texts import Texts

_CHOSEN = "chosen_language"


def remember_chosen_language(context: AftercareContext, language: str | None) -> None:
    """The language this chat's patient chose, for the rest of the update (None: none)."""
    if context.chat_data is not None:
        context.chat_data[_CHOSEN] = language


def language_of(update: Update, context: AftercareContext) -> str:
    """The language to answer the sender of `update` in."""
    services = context.services
    chat = update.effective_chat
    if chat is not None and chat.type != ChatType.PRIVATE:
        return services.config.clinic.language
    chosen = context.chat_data.get(_CHOSEN) if context.chat_data is not None else None
    user = update.effective_user
    return services.texts.language_for(
        chosen or (user.language_code if user else None),
        fallback=services.config.clinic.language,
    )


def language_buttons(texts: Texts, data: Callable[[str], str], per_row: int = 3) -> Buttons:
    """One button per offered language, each named in its own language, a few to a row (nine
    in one row would be unreadable on a phone)."""
    choices = [(texts.render(code, "meta.language_name"), data(code)) for code in texts.languages]
    return tuple(tuple(choices[i : i + per_row]) for i in range(0, len(choices), per_row))


def language_name(code: str, reader: str) -> str:
    """The name of language `code` as a reader of `reader` writes it ("Russian", "russo"),
    from CLDR through Babel; the code itself where CLDR has no name."""
    try:
        return Locale.parse(code).get_display_name(reader) or code
    except (ValueError, UnknownLocaleError):
        return code
