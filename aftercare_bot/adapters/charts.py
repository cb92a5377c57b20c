"""The `/stats` trend chart as PNG bytes, ready to send as a photo.

Drawn with a bare `Figure` on an Agg canvas rather than pyplot: pyplot keeps a global registry
of open figures and picks a GUI backend, neither of which a bot that may draw two charts at
once on worker threads wants. Every word on the chart comes from the caller, who reads it from
the texts catalogue in the staff's language; this module only draws.
"""

from collections.abc import Mapping, Sequence
from io import BytesIO

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from aftercare_bot.domain.check_in_answers import Level, Symptom
from aftercare_bot.domain.statistics import TrendPoint

FIGURE_SIZE_INCHES = (8.0, 4.5)
DPI = 100


MIN_DAYS_SHOWN = 3


def day_axis(days: Sequence[int]) -> tuple[float, float]:
    """The x axis's limits: every day with a point, half a day either side, and at least
    `MIN_DAYS_SHOWN` days wide, so one day of data is not drawn on an axis from -0.045 to 0.045
    (matplotlib's own choice for a single x value); no data shows the first week."""
    if not days:
        return (-0.5, 7.5)
    low, high = min(days) - 0.5, max(days) + 0.5
    return (low, max(high, low + MIN_DAYS_SHOWN))


def render_trend_chart(
    points: Sequence[TrendPoint],
    *,
    title: str,
    x_label: str,
    y_label: str,
    symptom_labels: Mapping[Symptom, str],
    level_labels: Sequence[str],
) -> bytes:
    """A line per symptom of its mean level by day since the session, as PNG bytes; each point
    is labelled with the number of answers (patients) it rests on.

    `level_labels` names the levels weakest first (none, mild, moderate, severe) and labels the
    y axis, so that staff read "moderate" rather than 2.0. With no points the axes, labels and
    title are still drawn, so the command always has an image to send.

    Raises:
        ValueError: `level_labels` does not name every level, or `symptom_labels` lacks a
            symptom that has points (a chart must not fall back to untranslated names).
    """
    if len(level_labels) != len(Level):
        raise ValueError(f"level_labels must name the {len(Level)} levels, not {level_labels!r}")
    plotted = [symptom for symptom in Symptom if any(p.symptom == symptom for p in points)]
    unlabelled = [symptom.value for symptom in plotted if symptom not in symptom_labels]
    if unlabelled:
        raise ValueError(f"symptom_labels lacks {', '.join(unlabelled)}")

    figure = Figure(figsize=FIGURE_SIZE_INCHES, dpi=DPI)
    FigureCanvasAgg(figure)  # attaches itself: the figure draws on Agg, whatever the backend
    axes = figure.add_subplot()
    for symptom in plotted:
        ordered = sorted((p for p in points if p.symptom == symptom), key=lambda p: p.day)
        axes.plot(
            [point.day for point in ordered],
            [point.mean_level for point in ordered],
            marker="o",
            label=symptom_labels[symptom],
        )
        for point in ordered:  # how many patients the point rests on
            axes.annotate(
                str(point.answers),
                (point.day, point.mean_level),
                textcoords="offset points",
                xytext=(0, 7),
                ha="center",
                fontsize=8,
            )
    axes.set_xlim(*day_axis([point.day for point in points]))
    axes.set_title(title)
    axes.set_xlabel(x_label)
    axes.set_ylabel(y_label)
    axes.set_yticks([int(level) for level in Level], labels=list(level_labels))
    # Room above "severe" and below "none" so markers on the extremes are not cut in half.
    axes.set_ylim(int(min(Level)) - 0.2, int(max(Level)) + 0.2)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))  # days are whole
    axes.grid(True, alpha=0.3)
    if plotted:  # a legend without lines would only warn
        axes.legend(loc="best")
    figure.tight_layout()

    buffer = BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def render_bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    counts: Sequence[int],
    *,
    title: str,
    as_share: bool,
) -> bytes:
    """Horizontal bars, one per label, each marked with the number it rests on ("n = 12"), as
    PNG bytes: shares from 0 to 100 % (`as_share`), else counts from 0. Every word comes from
    the caller, in the reader's language."""
    rows = max(len(labels), 1)
    figure = Figure(figsize=(FIGURE_SIZE_INCHES[0], 1.2 + 0.45 * rows), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    shown = [value * 100 for value in values] if as_share else list(values)
    positions = list(range(len(labels)))
    axes.barh(positions, shown, color="#1f5fa8")
    axes.set_yticks(positions, labels=list(labels))
    axes.invert_yaxis()  # the first label on top, as in the table
    top = 100.0 if as_share else max([*shown, 1.0]) * 1.15
    axes.set_xlim(0, top)
    if as_share:
        axes.xaxis.set_major_formatter(PercentFormatter())
    else:
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    for position, value, count in zip(positions, shown, counts, strict=True):
        text = f"{value:.0f} %  (n = {count})" if as_share else f"{count}"
        axes.annotate(
            text, (value, position), textcoords="offset points", xytext=(4, 0), va="center"
        )
    axes.set_title(title)
    axes.grid(True, axis="x", alpha=0.3)
    figure.tight_layout()
    buffer = BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()
