"""The short answer most handlers end with: a text from `messages/`, replied to the sender.

One place for it, so every handler answers the same way: in the sender's language unless told
which, rendered on the one render path, sent through the one seam, and nothing at all when the
update carries no message to answer (a press on a message too old to have one).
"""

from telegram import Update

from aftercare_bot.adapters.telegram.messenger import reply
from aftercare_bot.adapters.telegram.runtime.context import AftercareContext
from aftercare_bot.adapters.telegram.views.languages import language_of


async def answer(update: Update, context: AftercareContext, key: str, /, **params: object) -> None:
    """Reply with the text `key` in the sender's language."""
    await answer_in(update, context, language_of(update, context), key, **params)


async def answer_in(
    update: Update, context: AftercareContext, language: str, key: str, /, **params: object
) -> None:
    """Reply with the text `key` in `language` (a patient's own, where it is known)."""
    if update.effective_message is not None:
        await reply(update, context.views.texts.render(language, key, **params))
