from datetime import timedelta
from typing import Any

import pytest

from aftercare_bot.domain.durations import (
    CalendarDuration,
    format_duration,
    parse_calendar_duration,
    parse_duration,
)
from aftercare_bot.domain.errors import InvalidDuration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30s", timedelta(seconds=30)),
        ("15m", timedelta(minutes=15)),
        ("2h", timedelta(hours=2)),
        ("3d", timedelta(days=3)),
        ("3w", timedelta(weeks=3)),
        ("1s", timedelta(seconds=1)),
        ("0.5h", timedelta(minutes=30)),
        (" 6h ", timedelta(hours=6)),
    ],
)
def test_a_clinic_writes_durations_with_one_letter_units(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "3", "h", "3x", "-2h", "2 hours", "1h30m"])
def test_anything_else_is_refused_with_the_expected_form(text: str) -> None:
    with pytest.raises(InvalidDuration, match="expected a number and a unit"):
        parse_duration(text)


@pytest.mark.parametrize("text", ["30s", "15m", "2h", "3d", "3w", "90m"])
def test_a_duration_is_written_back_as_it_reads(text: str) -> None:
    assert parse_duration(format_duration(parse_duration(text))) == parse_duration(text)
    assert format_duration(timedelta(minutes=90)) == "90m"


def test_a_duration_longer_than_a_timedelta_holds_is_refused_as_a_duration() -> None:
    with pytest.raises(InvalidDuration, match="too long a duration"):
        parse_duration("1000000000d")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1d", CalendarDuration(days=1)),
        ("3d", CalendarDuration(days=3)),
        ("3w", CalendarDuration(days=21)),
        ("1.0d", CalendarDuration(days=1)),
        ("0.5w", CalendarDuration(clock=timedelta(days=3.5))),
        ("1.5d", CalendarDuration(clock=timedelta(hours=36))),
        ("36h", CalendarDuration(clock=timedelta(hours=36))),
        ("24h", CalendarDuration(clock=timedelta(days=1))),
        ("90m", CalendarDuration(clock=timedelta(minutes=90))),
        ("30s", CalendarDuration(clock=timedelta(seconds=30))),
        ("0d", CalendarDuration()),
    ],
)
def test_whole_days_and_weeks_are_calendar_days_and_the_rest_is_clock_time(
    text: str, expected: CalendarDuration
) -> None:
    assert parse_calendar_duration(text) == expected


@pytest.mark.parametrize("text", ["1d", "3w", "1.5d", "36h", "90m", "0.5w"])
def test_a_calendar_duration_is_as_long_as_the_duration_on_a_day_the_clocks_stay_put(
    text: str,
) -> None:
    duration = parse_calendar_duration(text)
    assert timedelta(days=duration.days) + duration.clock == parse_duration(text)


@pytest.mark.parametrize("text", ["", "3", "1d2h", "-1d", "1000000000d"])
def test_a_calendar_duration_refuses_what_a_duration_refuses(text: str) -> None:
    with pytest.raises(InvalidDuration):
        parse_calendar_duration(text)


def test_a_calendar_duration_is_zero_only_with_no_days_and_no_clock_time() -> None:
    assert CalendarDuration().is_zero
    assert not CalendarDuration(days=1).is_zero
    assert not CalendarDuration(clock=timedelta(seconds=1)).is_zero


@pytest.mark.parametrize(
    "parts", [{"days": -1}, {"clock": timedelta(hours=-1)}, {"days": 1, "clock": -timedelta(1)}]
)
def test_a_negative_calendar_duration_is_refused(parts: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="is negative"):
        CalendarDuration(**parts)
