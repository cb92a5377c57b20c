"""Which language to answer a Telegram user in."""

from telegram import Update

from aftercare_bot.adapters.telegram.runtime.context import AftercareContext


def language_of(update: Update, context: AftercareContext) -> str:
    """The user's Telegram language if we have texts for it, else the clinic's language."""
    user = update.effective_user
    services = context.services
    return services.texts.language_for(
        user.language_code if user else None, fallback=services.config.clinic.language
    )
