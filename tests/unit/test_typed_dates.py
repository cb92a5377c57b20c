"""Dates and times the way staff write them; a slashed date that could be either is asked."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from aftercare_bot.domain.local_time import InvalidLocalTime
from aftercare_bot.domain.typed_dates import (
    AmbiguousMoment,
    Expected,
    TypedMoment,
    read_typed_moment,
)

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)  # a Friday
RUSSIAN = (("сегодня", 0), ("вчера", -1), ("завтра", 1))


def read(text: str) -> TypedMoment | AmbiguousMoment:
    return read_typed_moment(text, NOW, LONDON, RUSSIAN)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("2026-12-03 11:00", datetime(2026, 12, 3, 11, 0, tzinfo=UTC)),
        ("2026-12-03T11:00", datetime(2026, 12, 3, 11, 0, tzinfo=UTC)),
        ("03.12.2026 11:00", datetime(2026, 12, 3, 11, 0, tzinfo=UTC)),
        ("3.12.26 11.00", datetime(2026, 12, 3, 11, 0, tzinfo=UTC)),
        ("3.12 9:30", datetime(2026, 12, 3, 9, 30, tzinfo=UTC)),
        ("today 15:00", datetime(2026, 12, 4, 15, 0, tzinfo=UTC)),
        ("Yesterday 15:00", datetime(2026, 12, 3, 15, 0, tzinfo=UTC)),
        ("tomorrow  08:15", datetime(2026, 12, 5, 8, 15, tzinfo=UTC)),
        ("вчера 15:00", datetime(2026, 12, 3, 15, 0, tzinfo=UTC)),
        ("13/12 11:00", datetime(2026, 12, 13, 11, 0, tzinfo=UTC)),
        ("12/13/2026 11:00", datetime(2026, 12, 13, 11, 0, tzinfo=UTC)),
        ("5/5 11:00", datetime(2026, 5, 5, 10, 0, tzinfo=UTC)),  # the same either way
        ("2026-07-01 11:00", datetime(2026, 7, 1, 10, 0, tzinfo=UTC)),  # summer time
    ],
)
def test_each_way_of_writing_a_date_is_read(typed: str, meant: datetime) -> None:
    assert read(typed) == TypedMoment(meant)


def test_a_slashed_date_both_numbers_could_be_the_day_of_gives_both_readings() -> None:
    assert read("3/12 11:00") == AmbiguousMoment(
        day_first=datetime(2026, 12, 3, 11, 0, tzinfo=UTC),
        month_first=datetime(2026, 3, 12, 11, 0, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    "typed",
    ["", "11:00", "3.12", "someday 11:00", "31.02.2026 10:00", "2026-12-03 25:00", "13/13 10:00"],
)
def test_what_is_not_a_date_and_time_is_refused(typed: str) -> None:
    with pytest.raises(InvalidLocalTime):
        read(typed)


@pytest.mark.parametrize(
    ("typed", "expected", "meant"),
    [
        # typed on Friday 4 December 2026
        ("3.01 10:00", Expected.FUTURE, datetime(2027, 1, 3, 10, 0, tzinfo=UTC)),
        ("3.01 10:00", Expected.PAST, datetime(2026, 1, 3, 10, 0, tzinfo=UTC)),
        ("3.01 10:00", Expected.ANY, datetime(2026, 1, 3, 10, 0, tzinfo=UTC)),
        ("28.12 10:00", Expected.PAST, datetime(2025, 12, 28, 10, 0, tzinfo=UTC)),
        ("28.12 10:00", Expected.FUTURE, datetime(2026, 12, 28, 10, 0, tzinfo=UTC)),
        ("4.12 11:00", Expected.PAST, datetime(2026, 12, 4, 11, 0, tzinfo=UTC)),
        ("4.12 13:00", Expected.PAST, datetime(2025, 12, 4, 13, 0, tzinfo=UTC)),
        ("13/1 10:00", Expected.FUTURE, datetime(2027, 1, 13, 10, 0, tzinfo=UTC)),
        ("29.02 10:00", Expected.FUTURE, datetime(2028, 2, 29, 10, 0, tzinfo=UTC)),
        ("29.02 10:00", Expected.PAST, datetime(2024, 2, 29, 10, 0, tzinfo=UTC)),
        ("3.01.2026 10:00", Expected.FUTURE, datetime(2026, 1, 3, 10, 0, tzinfo=UTC)),  # typed
    ],
)
def test_a_date_without_a_year_is_on_the_side_of_now_it_must_be(
    typed: str, expected: Expected, meant: datetime
) -> None:
    """A session held is in the past, an appointment to come in the future: "3.01" typed in
    December is next January's appointment, "28.12" last December's session."""
    assert read_typed_moment(typed, NOW, LONDON, (), expected) == TypedMoment(meant)


def test_both_readings_of_a_slashed_date_are_put_in_the_future_for_an_appointment() -> None:
    read = read_typed_moment("3/2 10:00", NOW, LONDON, (), Expected.FUTURE)
    assert read == AmbiguousMoment(
        day_first=datetime(2027, 2, 3, 10, 0, tzinfo=UTC),
        month_first=datetime(2027, 3, 2, 10, 0, tzinfo=UTC),
    )


def test_a_day_that_no_year_has_is_refused_whatever_is_expected() -> None:
    for expected in Expected:
        with pytest.raises(InvalidLocalTime):
            read_typed_moment("31.02 10:00", NOW, LONDON, (), expected)
