"""/console: a staff member's one-time sign-in link to the staff console, and, behind https,
a button that opens the console inside Telegram (a Mini App).

Only in a private chat (a link in the group would be anyone's), only for staff, and with no
link preview: Telegram would fetch the link to preview it. The link works once, for five
minutes; the Mini App button can be pressed any time, each launch checked by its signature.
"""

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update, WebAppInfo
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CommandHandler

from aftercare_bot.adapters.telegram.handlers.access import require_staff
from aftercare_bot.adapters.telegram.handlers.answers import answer
from aftercare_bot.adapters.telegram.messenger import reply
from aftercare_bot.adapters.telegram.runtime.context import AftercareContext
from aftercare_bot.adapters.telegram.views.languages import language_of


async def console_command(update: Update, context: AftercareContext) -> None:
    """Staff, privately: the sign-in link, and the Mini App button behind https."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    if chat.type != ChatType.PRIVATE:
        await answer(update, context, "staff.private_only")
        return
    if not await require_staff(update, context):
        return
    services = context.services
    web = services.config.web
    if not web.enabled:
        await answer(update, context, "staff.console_off")
        return
    secret = await services.console_access.issue_sign_in(user.id, user.first_name)
    if secret is None:  # removed between the check and now
        return
    texts, language = services.texts, language_of(update, context)
    link = f"{web.base_url}/console/sign-in/{secret}"
    await reply(update, texts.render(language, "staff.console_link", link=link), preview=False)
    if web.secure:  # Telegram opens Mini Apps from https addresses only
        button = InlineKeyboardButton(
            texts.render(language, "staff.console_button"),
            web_app=WebAppInfo(f"{web.base_url}/console/app"),
        )
        await reply(
            update,
            texts.render(language, "staff.console_link_app"),
            markup=InlineKeyboardMarkup([[button]]),
        )


def console_link_handlers() -> list[BaseHandler[Update, AftercareContext, None]]:
    """/console."""
    return [CommandHandler("console", console_command)]
