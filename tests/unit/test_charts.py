from collections.abc import Sequence
from io import BytesIO

import pytest
from PIL import Image

from aftercare_bot.adapters.charts import (
    DPI,
    FIGURE_SIZE_INCHES,
    day_axis,
    render_bar_chart,
    render_trend_chart,
)
from aftercare_bot.domain.check_in_answers import Level, Symptom
from aftercare_bot.domain.statistics import TrendPoint

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
EXPECTED_SIZE = (round(FIGURE_SIZE_INCHES[0] * DPI), round(FIGURE_SIZE_INCHES[1] * DPI))
# Russian labels: the staff's language may need glyphs beyond Latin, and a missing glyph
# would warn (an error under pytest's settings here).
SYMPTOM_LABELS = {
    Symptom.REDNESS: "Покраснение",
    Symptom.SWELLING: "Отёк",
    Symptom.BRUISING: "Синяки",
}
LEVEL_LABELS = ["нет", "слабо", "умеренно", "сильно"]


def fading(days: int) -> list[TrendPoint]:
    """Every symptom starting high on the session day and fading by a level every two days."""
    return [
        TrendPoint(day, symptom, max(0.0, float(Level.SEVERE) - day / 2 - index / 3), 5)
        for day in range(days)
        for index, symptom in enumerate(Symptom)
    ]


def render(points: Sequence[TrendPoint], level_labels: Sequence[str] = LEVEL_LABELS) -> bytes:
    return render_trend_chart(
        points,
        title="Симптомы после сеанса",
        x_label="День после сеанса",
        y_label="Средний уровень",
        symptom_labels=SYMPTOM_LABELS,
        level_labels=level_labels,
    )


def opened(png: bytes) -> Image.Image:
    image = Image.open(BytesIO(png))
    image.load()  # decodes every pixel: a truncated or corrupt PNG fails here
    return image


def coloured_pixels(image: Image.Image) -> int:
    """Pixels far from grey: the symptom lines, as axes, text and grid are black to white."""
    data = image.convert("RGB").tobytes()
    pixels = zip(data[0::3], data[1::3], data[2::3], strict=True)
    return sum(1 for pixel in pixels if max(pixel) - min(pixel) > 60)


def test_the_trend_chart_is_a_png_of_the_figure_size() -> None:
    png = render(fading(8))
    assert png.startswith(PNG_SIGNATURE)
    image = opened(png)
    assert image.format == "PNG"
    assert image.size == EXPECTED_SIZE


def test_an_empty_trend_is_still_a_valid_chart_to_send() -> None:
    png = render([])
    assert png.startswith(PNG_SIGNATURE)
    assert opened(png).size == EXPECTED_SIZE


def test_the_symptom_lines_are_drawn_in_colour_and_an_empty_chart_has_none() -> None:
    assert coloured_pixels(opened(render([]))) == 0
    assert coloured_pixels(opened(render(fading(8)))) > 0


def test_a_chart_of_one_day_is_drawn_too() -> None:
    one_day = [point for point in fading(8) if point.day == 0]
    assert coloured_pixels(opened(render(one_day))) > 0


def test_level_labels_must_name_every_level_so_the_axis_cannot_be_misread() -> None:
    with pytest.raises(ValueError, match="level_labels"):
        render(fading(2), level_labels=LEVEL_LABELS[:-1])


def test_a_plotted_symptom_without_a_label_is_refused_rather_than_shown_untranslated() -> None:
    with pytest.raises(ValueError, match=Symptom.BRUISING.value):
        render_trend_chart(
            fading(2),
            title="",
            x_label="",
            y_label="",
            symptom_labels={Symptom.REDNESS: "Покраснение", Symptom.SWELLING: "Отёк"},
            level_labels=LEVEL_LABELS,
        )


def test_one_day_of_data_is_drawn_on_a_few_days_not_a_sliver() -> None:
    """Issue 20: a chart with only day 1 used to span -0.045 to 0.045 days."""
    low, high = day_axis([1, 1, 1])
    assert low <= 0.5 and high >= 3.5 and high - low >= 3


def test_the_axis_covers_every_day_with_half_a_day_either_side() -> None:
    assert day_axis([0, 14]) == (-0.5, 14.5)
    assert day_axis([]) == (-0.5, 7.5)


def test_a_bar_chart_marks_each_bar_with_what_it_rests_on() -> None:
    png = render_bar_chart(
        ["Dr Lee", "Dr Petrova"], [0.25, 0.5], [8, 2], title="Stronger reactions", as_share=True
    )
    assert png.startswith(PNG_SIGNATURE)
    counts = render_bar_chart(["phoned"], [3.0], [3], title="Outcomes", as_share=False)
    assert Image.open(BytesIO(counts)).size[0] == EXPECTED_SIZE[0]
