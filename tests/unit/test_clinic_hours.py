from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from aftercare_bot.domain.clinic_hours import parse_clinic_hours
from aftercare_bot.domain.errors import InvalidClinicHours

LONDON = ZoneInfo("Europe/London")
HOURS = parse_clinic_hours("Mon-Fri 09:00-19:00, Sat 10:00-14:00")


def test_the_chat_is_watched_on_a_weekday_afternoon() -> None:
    assert HOURS.is_open(datetime(2026, 11, 25, 15, 0, tzinfo=LONDON))  # a Wednesday


def test_the_chat_is_not_watched_before_opening_or_at_closing_time() -> None:
    assert not HOURS.is_open(datetime(2026, 11, 25, 8, 59, tzinfo=LONDON))
    assert not HOURS.is_open(datetime(2026, 11, 25, 19, 0, tzinfo=LONDON))


def test_saturday_has_its_own_shorter_hours_and_sunday_none() -> None:
    assert HOURS.is_open(datetime(2026, 11, 28, 13, 59, tzinfo=LONDON))
    assert not HOURS.is_open(datetime(2026, 11, 28, 14, 0, tzinfo=LONDON))
    assert not HOURS.is_open(datetime(2026, 11, 29, 12, 0, tzinfo=LONDON))


def test_an_empty_line_means_the_chat_is_never_watched() -> None:
    assert not parse_clinic_hours("").is_open(datetime(2026, 11, 25, 12, 0, tzinfo=LONDON))


def test_the_line_is_kept_to_show_patients() -> None:
    assert HOURS.text == "Mon-Fri 09:00-19:00, Sat 10:00-14:00"


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("Mon-Fro 09:00-19:00", "'Fro' is not a weekday"),
        ("Mon-Fri 19:00-09:00", "closes before it opens"),
        ("Fri-Mon 09:00-19:00", "runs backwards"),
        ("Mon 25:00-26:00", "is not a time of day"),
        ("weekdays", "is not opening hours"),
    ],
)
def test_unreadable_hours_say_what_is_wrong(text: str, complaint: str) -> None:
    with pytest.raises(InvalidClinicHours, match=complaint):
        parse_clinic_hours(text)
