"""Dates and times the way staff write them; a slashed date that could be either is asked."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from aftercare_bot.domain.local_time import InvalidLocalTime
from aftercare_bot.domain.typed_dates import AmbiguousMoment, TypedMoment, read_typed_moment

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
