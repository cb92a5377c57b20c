"""/stats [30d] [csv]: how the clinic's follow-up is doing, with a chart of symptoms by day."""

from datetime import timedelta

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from aftercare_bot.adapters.telegram.handlers.access import require_staff
from aftercare_bot.adapters.telegram.messenger import reply, reply_file, reply_picture
from aftercare_bot.adapters.telegram.runtime.context import AftercareContext
from aftercare_bot.adapters.telegram.views.languages import language_of
from aftercare_bot.adapters.telegram.views.statistics import chart_png, stats_lines
from aftercare_bot.domain.csv_safety import csv_bytes
from aftercare_bot.domain.durations import parse_duration
from aftercare_bot.domain.errors import InvalidDuration
from aftercare_bot.domain.statistics import trend_csv_rows
from aftercare_bot.services.statistics import DEFAULT_WINDOW

CSV = "csv"
MAX_WINDOW = timedelta(days=3650)


def parse_stats_args(args: list[str]) -> tuple[timedelta, bool] | None:
    """`[30d] [csv]` in any order; None when an argument is neither."""
    window, as_csv = DEFAULT_WINDOW, False
    for arg in args:
        if arg.lower() == CSV:
            as_csv = True
            continue
        try:
            window = parse_duration(arg)
        except InvalidDuration:
            return None
        if not timedelta(0) < window <= MAX_WINDOW:
            return None
    return window, as_csv


async def stats_command(update: Update, context: AftercareContext) -> None:
    """Staff: response rate, results, time to acknowledge, reactions, and the trend chart."""
    if not await require_staff(update, context):
        return
    message = update.effective_message
    assert message is not None
    language = language_of(update, context)
    views = context.views
    parsed = parse_stats_args(list(context.args or []))
    if parsed is None:
        await reply(update, views.texts.render(language, "stats.usage"))
        return
    window, as_csv = parsed
    services = context.services
    stats, points = await services.staff_reports.statistics(window)
    days = window.days or 1
    if as_csv:
        name = f"aftercare-trend-{days}d.csv"
        caption = views.texts.render(language, "stats.csv_caption", days=days)
        await reply_file(update, csv_bytes(trend_csv_rows(points)), name, caption)
        return
    await reply(update, "\n".join(stats_lines(views, language, stats, days)))
    if points:
        caption = views.texts.render(language, "stats.chart_caption", days=days)
        await reply_picture(update, chart_png(views, language, points), caption)


def stats_handlers() -> list[BaseHandler[Update, AftercareContext, None]]:
    """/stats."""
    return [CommandHandler("stats", stats_command)]
