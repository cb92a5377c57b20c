"""The clinic's statistics in the console: the figures of /stats, the chart of reactions by
day since the session (each point labelled with the patients it rests on), and a CSV beside
each table, for the days chosen."""

import asyncio
import base64
from datetime import timedelta

from aiohttp import web

from aftercare_bot.adapters.telegram.views.incidents import outcome_label
from aftercare_bot.adapters.telegram.views.statistics import chart_png, stats_lines
from aftercare_bot.adapters.web.pages import bounded_number, deps_of, language_of, plain, render
from aftercare_bot.domain.csv_safety import csv_bytes
from aftercare_bot.domain.statistics import (
    ACKNOWLEDGE_BOUNDS,
    ClinicStats,
    GroupRate,
    TrendPoint,
    trend_csv_rows,
)

ROUTES = web.RouteTableDef()
DEFAULT_DAYS = 30
MAX_DAYS = 3650
TABLES = ("summary", "response", "trend", "practitioners", "batches", "outcomes", "acknowledge")


def _days(request: web.Request) -> int:
    return bounded_number(request.query.get("days"), DEFAULT_DAYS, 1, MAX_DAYS)


@ROUTES.get("/console/statistics", name="statistics")
async def statistics(request: web.Request) -> web.StreamResponse:
    """The figures and the chart for the last `days` days."""
    deps, language = deps_of(request), language_of(request)
    days = _days(request)
    stats, points = await deps.reports.statistics(timedelta(days=days))
    lines = [plain(line) for line in stats_lines(deps.views, language, stats, days)]
    # matplotlib draws off the event loop: other staff's pages do not wait for it
    charts = await asyncio.to_thread(_charts, request, stats, points)
    return render(
        request,
        "statistics.html",
        days=days,
        lines=lines,
        charts=[base64.b64encode(chart).decode("ascii") for chart in charts],
        trend=bool(points),
        tables=TABLES,
    )


def _charts(request: web.Request, stats: ClinicStats, points: list[TrendPoint]) -> list[bytes]:
    """The reactions by day, then the share with a stronger reaction by practitioner and by
    batch, then the outcomes; each only when there is something to draw."""
    from aftercare_bot.adapters.charts import render_bar_chart

    deps, language = deps_of(request), language_of(request)
    texts = deps.texts
    charts = [chart_png(deps.views, language, points)] if points else []
    if stats.check_ins:
        counts = [stats.answered, stats.missed, stats.still_open]
        charts.append(
            render_bar_chart(
                [plain(texts.render(language, f"charts.response_{state}")) for state in STATES],
                [count / stats.check_ins for count in counts],
                counts,
                title=plain(texts.render(language, "charts.response")),
                as_share=True,
            )
        )
    no_name = plain(texts.render(language, "stats.no_name"))
    for key, groups in (("by_practitioner", stats.by_practitioner), ("by_batch", stats.by_batch)):
        if groups:
            heading = plain(texts.render(language, f"stats.{key}")).rstrip(":")
            charts.append(
                render_bar_chart(
                    [group.name or no_name for group in groups],
                    [group.rate for group in groups],
                    [group.answered for group in groups],
                    title=heading,
                    as_share=True,
                )
            )
    if stats.outcomes:
        charts.append(
            render_bar_chart(
                [
                    outcome_label(deps.views, language, outcome).capitalize()
                    for outcome, _ in stats.outcomes
                ],
                [float(count) for _, count in stats.outcomes],
                [count for _, count in stats.outcomes],
                title=plain(texts.render(language, "console.chart_outcomes")),
                as_share=False,
            )
        )
    if any(stats.acknowledge_bands):
        bands = stats.acknowledge_bands
        charts.append(
            render_bar_chart(
                _band_labels(request),
                [float(count) for count in bands],
                list(bands),
                title=plain(texts.render(language, "charts.acknowledge")),
                as_share=False,
            )
        )
    return charts


STATES = ("answered", "missed", "open")


def _band_labels(request: web.Request) -> list[str]:
    """ "within 5 minutes" ... "longer than 4 hours", "not acknowledged yet", in the reader's
    language (durations from CLDR)."""
    deps, language = deps_of(request), language_of(request)
    texts, views = deps.texts, deps.views
    within = [
        plain(texts.render(language, "charts.ack_within", duration=views.age(language, bound)))
        for bound in ACKNOWLEDGE_BOUNDS
    ]
    longest = views.age(language, ACKNOWLEDGE_BOUNDS[-1])
    return [
        *within,
        plain(texts.render(language, "charts.ack_longer", duration=longest)),
        plain(texts.render(language, "charts.ack_waiting")),
    ]


@ROUTES.get("/console/statistics/{table}.csv", name="statistics_csv")
async def statistics_csv(request: web.Request) -> web.StreamResponse:
    """One table of the page as CSV (stable English headers, safe cells)."""
    table = request.match_info["table"]
    if table not in TABLES:
        raise web.HTTPNotFound()
    deps, language = deps_of(request), language_of(request)
    days = _days(request)
    stats, points = await deps.reports.statistics(timedelta(days=days))
    rows: list[list[str]]
    if table == "summary":
        rows = _summary_rows(stats, days)
    elif table == "trend":
        rows = trend_csv_rows(points)
    elif table == "response":
        rows = [["state", "check_ins"]] + [
            [state, str(count)]
            for state, count in zip(
                STATES, (stats.answered, stats.missed, stats.still_open), strict=True
            )
        ]
    elif table == "acknowledge":
        uppers = [str(int(bound.total_seconds() // 60)) for bound in ACKNOWLEDGE_BOUNDS]
        rows = [["within_minutes", "incidents"]] + [
            [upper, str(count)]
            for upper, count in zip(
                [*uppers, "longer", "not_yet"], stats.acknowledge_bands, strict=True
            )
        ]
    elif table == "outcomes":
        rows = [["outcome", "label", "incidents"]] + [
            [outcome, outcome_label(deps.views, language, outcome), str(count)]
            for outcome, count in stats.outcomes
        ]
    else:
        groups = stats.by_practitioner if table == "practitioners" else stats.by_batch
        rows = [["name", "answered", "with_effect", "rate", "urgent"]] + [
            _group_row(group) for group in groups
        ]
    return web.Response(
        body=csv_bytes(rows),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="aftercare-{table}-{days}d.csv"'},
    )


def _group_row(group: GroupRate) -> list[str]:
    return [
        group.name or "",
        str(group.answered),
        str(group.with_effect),
        f"{group.rate:.3f}",
        str(group.urgent),
    ]


def _summary_rows(stats: ClinicStats, days: int) -> list[list[str]]:
    """The page's figures, one per row (stable English names, shares 0 to 1)."""
    median = stats.median_time_to_acknowledge
    figures: list[tuple[str, object]] = [
        ("days", days),
        ("check_ins", stats.check_ins),
        ("answered", stats.answered),
        ("missed", stats.missed),
        ("response_rate", stats.response_rate),
        ("urgent_share", stats.urgent_share),
        ("routine_share", stats.routine_share),
        ("median_minutes_to_acknowledge", median.total_seconds() / 60 if median else None),
    ]
    return [["figure", "value"]] + [
        [name, "" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)]
        for name, value in figures
    ]
