from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from aftercare_bot.domain.errors import AftercareError
from aftercare_bot.domain.quiet_hours import (
    InvalidQuietHours,
    QuietHours,
    parse_quiet_hours,
    wall_clock,
)

LONDON = ZoneInfo("Europe/London")
TOKYO = ZoneInfo("Asia/Tokyo")
NIGHT = QuietHours(time(21, 0), time(8, 0))


def london(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def test_a_window_is_read_from_two_times_of_day() -> None:
    assert parse_quiet_hours("21:00-08:00") == NIGHT
    assert parse_quiet_hours(" 9:30 - 12:45 ") == QuietHours(time(9, 30), time(12, 45))


@pytest.mark.parametrize("text", ["", "  ", "off", "OFF", "Off"])
def test_an_empty_line_or_off_means_no_quiet_hours(text: str) -> None:
    assert parse_quiet_hours(text) is None


def test_the_window_is_written_back_as_clinics_write_it() -> None:
    assert parse_quiet_hours("9:00-7:05") == QuietHours(time(9), time(7, 5))
    assert QuietHours(time(9), time(7, 5)).text == "09:00-07:05"


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("21:00-21:00", "'21:00-21:00' starts and ends at the same time"),
        ("9pm-8am", "'9pm-8am' is not quiet hours"),
        ("21:00", "'21:00' is not quiet hours"),
        ("21:00-08:00-09:00", "is not quiet hours"),
        ("24:00-08:00", "'24:00-08:00' has a time of day that does not exist"),
        ("21:00-08:60", "has a time of day that does not exist"),
    ],
)
def test_an_unreadable_window_says_what_is_wrong(text: str, complaint: str) -> None:
    with pytest.raises(InvalidQuietHours, match=complaint):
        parse_quiet_hours(text)


def test_invalid_quiet_hours_belongs_to_the_domain_error_tree() -> None:
    assert issubclass(InvalidQuietHours, AftercareError)
    assert issubclass(InvalidQuietHours, ValueError)


@pytest.mark.parametrize(
    ("hour", "minute", "quiet"),
    [
        (20, 59, False),
        (21, 0, True),
        (23, 59, True),
        (0, 0, True),
        (3, 0, True),
        (7, 59, True),
        (8, 0, False),
        (12, 0, False),
    ],
)
def test_a_window_across_midnight_covers_the_night(hour: int, minute: int, quiet: bool) -> None:
    assert NIGHT.contains(london(2026, 5, 12, hour, minute)) is quiet


def test_a_window_within_one_day_covers_only_its_hours() -> None:
    siesta = QuietHours(time(13, 0), time(15, 0))
    assert not siesta.contains(london(2026, 5, 12, 12, 59))
    assert siesta.contains(london(2026, 5, 12, 13, 0))
    assert not siesta.contains(london(2026, 5, 12, 15, 0))
    assert not siesta.contains(london(2026, 5, 12, 23, 0))


def test_the_window_is_read_in_the_zone_of_the_moment_given() -> None:
    moment = datetime(2026, 5, 12, 13, 0, tzinfo=UTC)  # 14:00 in London, 22:00 in Tokyo
    assert not NIGHT.contains(moment.astimezone(LONDON))
    assert NIGHT.contains(moment.astimezone(TOKYO))


def test_the_window_that_started_in_the_evening_ends_the_next_morning() -> None:
    assert NIGHT.end_after(london(2026, 5, 12, 23, 0)) == london(2026, 5, 13, 8)


def test_the_window_that_started_yesterday_ends_this_morning() -> None:
    assert NIGHT.end_after(london(2026, 5, 13, 3, 0)) == london(2026, 5, 13, 8)


def test_the_end_is_given_in_the_zone_of_the_moment() -> None:
    end = NIGHT.end_after(datetime(2026, 5, 12, 23, 0, tzinfo=TOKYO))
    assert end == datetime(2026, 5, 13, 8, 0, tzinfo=TOKYO)
    assert end.tzinfo is TOKYO


def test_the_window_that_is_ending_started_the_evening_before() -> None:
    assert NIGHT.start_before(london(2026, 5, 13, 3, 0)) == london(2026, 5, 12, 21)


def test_the_window_that_just_started_started_this_evening() -> None:
    assert NIGHT.start_before(london(2026, 5, 12, 21, 0)) == london(2026, 5, 12, 21)
    assert NIGHT.start_before(london(2026, 5, 12, 23, 30)) == london(2026, 5, 12, 21)


def test_the_window_ends_at_wall_clock_time_on_the_night_the_clocks_go_forward() -> None:
    end = NIGHT.end_after(london(2026, 3, 28, 23, 0))
    assert end.astimezone(UTC) == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)  # 08:00 BST


def test_the_window_ends_at_wall_clock_time_on_the_night_the_clocks_go_back() -> None:
    end = NIGHT.end_after(london(2026, 10, 24, 23, 0))
    assert end.astimezone(UTC) == datetime(2026, 10, 25, 8, 0, tzinfo=UTC)  # 08:00 GMT


def test_a_window_ending_inside_the_skipped_hour_ends_when_the_clocks_jump() -> None:
    short_night = QuietHours(time(23, 0), time(1, 30))
    end = short_night.end_after(london(2026, 3, 28, 23, 30))
    assert end.astimezone(UTC) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # 02:00 BST


def test_a_wall_clock_time_is_the_instant_the_local_clocks_show_it() -> None:
    assert wall_clock(date(2026, 5, 12), time(10), TOKYO) == datetime(2026, 5, 12, 1, 0, tzinfo=UTC)


def test_a_skipped_wall_clock_time_moves_forward_to_the_end_of_the_gap() -> None:
    moment = wall_clock(date(2026, 3, 29), time(1, 30), LONDON)
    assert moment.astimezone(UTC) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert (moment.hour, moment.minute) == (2, 0)


def test_a_skipped_time_in_a_half_hour_shift_moves_to_the_end_of_that_gap() -> None:
    lord_howe = ZoneInfo("Australia/Lord_Howe")  # the clocks go from 02:00 to 02:30
    moment = wall_clock(date(2026, 10, 4), time(2, 15), lord_howe)
    assert (moment.hour, moment.minute) == (2, 30)
    assert moment.utcoffset() == datetime(2026, 10, 5, tzinfo=lord_howe).utcoffset()


def test_a_repeated_wall_clock_time_is_its_first_occurrence() -> None:
    moment = wall_clock(date(2026, 10, 25), time(1, 30), LONDON)
    assert moment.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # still BST


def test_the_times_around_a_change_of_clocks_are_left_alone() -> None:
    before = wall_clock(date(2026, 3, 29), time(0, 59), LONDON)
    after = wall_clock(date(2026, 3, 29), time(2, 0), LONDON)
    assert before.astimezone(UTC) == datetime(2026, 3, 29, 0, 59, tzinfo=UTC)
    assert after.astimezone(UTC) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)


def test_a_fixed_offset_zone_works_as_well_as_a_named_one() -> None:
    assert NIGHT.end_after(datetime(2026, 5, 12, 23, 0, tzinfo=UTC)) == datetime(
        2026, 5, 13, 8, 0, tzinfo=UTC
    )
