"""The clinic's statistics as staff read them (the lines of /stats and the console's statistics
page) and the trend chart with every label in the reader's language. Front-end neutral."""

from babel.numbers import format_percent

from aftercare_bot.adapters.telegram.views.incidents import outcome_label
from aftercare_bot.adapters.telegram.views.rendering import Views
from aftercare_bot.domain.check_in_answers import Level, Symptom
from aftercare_bot.domain.statistics import ClinicStats, GroupRate, TrendPoint


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
