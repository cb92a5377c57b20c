"""/export [30d]: admins take the clinic's check-ins and incidents away as a CSV file.

Private chats only: the file holds health data, and a group's members are not all admins.
"""

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CommandHandler

from aftercare_bot.adapters.telegram.handlers.access import require_staff
from aftercare_bot.adapters.telegram.handlers.stats import parse_stats_args
from aftercare_bot.adapters.telegram.messenger import reply, reply_file
from aftercare_bot.adapters.telegram.runtime.context import AftercareContext
from aftercare_bot.adapters.telegram.views.languages import language_of
from aftercare_bot.domain.csv_safety import csv_bytes


async def export_command(update: Update, context: AftercareContext) -> None:
    """Admins, in private: a CSV of check-ins and incidents of the last 30 days (or given)."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    language = language_of(update, context)
    views = context.views
    if chat.type != ChatType.PRIVATE:
        await reply(update, views.texts.render(language, "staff.private_only"))
        return
    if not await require_staff(update, context, admin=True):
        return
    parsed = parse_stats_args(list(context.args or []))
    if parsed is None or parsed[1]:
        await reply(update, views.texts.render(language, "export.usage"))
        return
    window = parsed[0]
    services = context.services
    actor = update.effective_user.id if update.effective_user else None
    rows = await services.staff_reports.export(window, actor)
    days = window.days or 1
    caption = views.texts.render(language, "export.caption", days=days, count=len(rows) - 1)
    await reply_file(update, csv_bytes(rows), f"aftercare-export-{days}d.csv", caption)


def export_handlers() -> list[BaseHandler[Update, AftercareContext, None]]:
    """/export."""
    return [CommandHandler("export", export_command)]
