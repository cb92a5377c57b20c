"""The clinic's hours written out in each reader's language, from the parsed weekly spans."""

import pytest

from aftercare_bot.domain.clinic_hours import parse_clinic_hours
from aftercare_bot.texts import format_hours

HOURS = parse_clinic_hours("Mon-Fri 09:00-19:00, Sat 10:00-14:00")


@pytest.mark.parametrize(
    ("language", "written"),
    [
        ("en", "Mon\u2013Fri 09:00\u201319:00, Sat 10:00\u201314:00"),
        ("tr", "Pzt\u2013Cum 09:00\u201319:00, Cmt 10:00\u201314:00"),
        ("ru", "пн\u2013пт 09:00\u201319:00, сб 10:00\u201314:00"),  # noqa: RUF001
        ("de", "Mo.\u2013Fr. 09:00\u201319:00, Sa. 10:00\u201314:00"),
        ("es", "lun\u2013vie 9:00\u201319:00, sáb 10:00\u201314:00"),
    ],
)
def test_weekdays_and_times_are_the_readers_own(language: str, written: str) -> None:
    assert format_hours(HOURS, language) == written


def test_only_days_in_a_row_with_the_same_times_make_a_range() -> None:
    hours = parse_clinic_hours("Mon-Tue 09:00-17:00, Wed 10:00-17:00, Thu-Fri 09:00-17:00")
    assert format_hours(hours, "en") == (
        "Mon\u2013Tue 09:00\u201317:00, Wed 10:00\u201317:00, Thu\u2013Fri 09:00\u201317:00"
    )


def test_midnight_as_a_closing_time_reads_24_00() -> None:
    assert format_hours(parse_clinic_hours("Sun 18:00-24:00"), "en") == "Sun 18:00\u201324:00"


def test_a_chat_never_watched_has_no_hours_to_write() -> None:
    assert format_hours(parse_clinic_hours(""), "tr") == ""
