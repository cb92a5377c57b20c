from datetime import timedelta

import pytest

from aftercare_bot.domain.durations import format_duration, parse_duration
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
