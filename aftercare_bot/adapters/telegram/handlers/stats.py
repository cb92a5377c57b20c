"""/stats [30d] [csv]: how the clinic's follow-up is doing, with a chart of symptoms by day."""

from datetime import timedelta

from babel.numbers import format_percent
from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from aftercare_bot.adapters.telegram.handlers.access import require_staff
from aftercare_bot.adapters.telegram.messenger import reply, reply_file, reply_picture
from aftercare_bot.adapters.telegram.runtime.context import AftercareContext
from aftercare_bot.adapters.telegram.views.incidents import outcome_label
from aftercare_bot.adapters.telegram.views.languages import language_of
from aftercare_bot.adapters.telegram.views.rendering import Views
from aftercare_bot.domain.check_in_answers import Level, Symptom
from aftercare_bot.domain.csv_safety import csv_bytes
from aftercare_bot.domain.durations import parse_duration
from aftercare_bot.domain.errors import InvalidDuration
from aftercare_bot.domain.statistics import ClinicStats, GroupRate, TrendPoint, trend_csv_rows
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


def _percent(language: str, share: float | None) -> str:
    return format_percent(share or 0, locale=language)


def stats_lines(views: Views, language: str, stats: ClinicStats, days: int) -> list[str]:
    """The figures, one line each; a window without check-ins is one line."""

    def render(key: str, **params: object) -> str:
        return views.texts.render(language, f"stats.{key}", **params)

    if stats.check_ins == 0:
        return [render("none", days=days)]
    lines = [
        render("title", days=days),
        render(
            "check_ins",
            answered=stats.answered,
            total=stats.check_ins,
            rate=_percent(language, stats.response_rate),
            missed=stats.missed,
        ),
        render(
            "results",
            urgent=_percent(language, stats.urgent_share),
            routine=_percent(language, stats.routine_share),
        ),
    ]
    median = stats.median_time_to_acknowledge
    lines.append(
        render("ack", median=views.age(language, median)) if median else render("ack_none")
    )
    if stats.outcomes:
        lines.append(
            render(
                "outcomes",
                outcomes=", ".join(
                    f"{outcome_label(views, language, outcome)} {count}"
                    for outcome, count in stats.outcomes
                ),
            )
        )
    for key, groups in (("by_practitioner", stats.by_practitioner), ("by_batch", stats.by_batch)):
        if groups:
            lines.append(render(key))
            lines += [_group_line(views, language, group) for group in groups]
    return lines


def _group_line(views: Views, language: str, group: GroupRate) -> str:
    return views.texts.render(
        language,
        "stats.group_item",
        name=group.name
        if group.name is not None
        else views.texts.render(language, "stats.no_name"),
        with_effect=group.with_effect,
        answered=group.answered,
        rate=_percent(language, group.rate),
        urgent=group.urgent,
    )


def chart_png(views: Views, language: str, points: list[TrendPoint]) -> bytes:
    """The trend chart with every label in the staff's language."""
    # matplotlib costs a quarter of a second and tens of MiB: loaded on the first /stats only.
    from aftercare_bot.adapters.charts import render_trend_chart

    texts = views.texts
    return render_trend_chart(
        points,
        title=texts.render(language, "stats.chart_title"),
        x_label=texts.render(language, "stats.chart_x"),
        y_label=texts.render(language, "stats.chart_y"),
        symptom_labels={
            symptom: texts.render(language, f"checkin_flow.symptom_{symptom.value}")
            for symptom in Symptom
        },
        level_labels=[texts.render(language, f"checkin_flow.level_{level.key}") for level in Level],
    )


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
