"""Reading a clinic setting as a clinic writes it, and the bounds staff may set it within."""

from datetime import time, timedelta

import pytest

from aftercare_bot.domain.clinic_settings import (
    InvalidSetting,
    Setting,
    check_bounds,
    read_setting,
    setting_text,
)

LANGUAGES = ("en", "ru", "es")


@pytest.mark.parametrize(
    ("setting", "text", "written_back"),
    [
        (Setting.HOURS, " Mon-Fri 08:00-18:00 ", "Mon-Fri 08:00-18:00"),
        (Setting.PHONE, "+44 20 7946 0000", "+44 20 7946 0000"),
        (Setting.LANGUAGES, "ru, en,ru", "ru, en"),
        (Setting.QUIET_HOURS, "22:00-08:00", "22:00-08:00"),
        (Setting.QUIET_HOURS, "OFF", "off"),
        (Setting.REPAGE_AFTER, "90s", "90s"),
        (Setting.REPAGE_AFTER, "60m", "1h"),
        (Setting.ROUNDS, "4", "4"),
        (Setting.DIGEST_AT, "8:30", "08:30"),
        (Setting.DIGEST_AT, "off", "off"),
    ],
)
def test_a_setting_is_read_and_written_back_as_a_clinic_writes_it(
    setting: Setting, text: str, written_back: str
) -> None:
    assert setting_text(setting, read_setting(setting, text, LANGUAGES)) == written_back


@pytest.mark.parametrize(
    ("setting", "text", "problem"),
    [
        (Setting.HOURS, "weekdays 9 to 5", "problem_hours"),
        (Setting.HOURS, "Mon-Fri 19:00-09:00", "problem_hours"),
        (Setting.PHONE, "   ", "problem_empty"),
        (Setting.EMERGENCY, "1" * 33, "problem_too_long"),
        (Setting.EMERGENCY, "112\n999", "problem_too_long"),
        (Setting.LANGUAGES, "", "problem_languages"),
        (Setting.LANGUAGES, "en, xx", "problem_languages"),
        (Setting.QUIET_HOURS, "21:00-21:00", "problem_quiet_hours"),
        (Setting.SAFETY_NET, "half an hour", "problem_duration"),
        (Setting.ROUNDS, "three", "problem_range"),
        (Setting.ROUNDS, "٣", "problem_range"),
        (Setting.DIGEST_AT, "25:00", "problem_digest_at"),
    ],
)
def test_a_setting_that_cannot_be_read_names_the_form_expected(
    setting: Setting, text: str, problem: str
) -> None:
    with pytest.raises(InvalidSetting) as raised:
        read_setting(setting, text, LANGUAGES)
    assert (raised.value.setting, raised.value.problem) == (setting, problem)


@pytest.mark.parametrize(
    ("setting", "text", "bounds"),
    [
        (Setting.REPAGE_AFTER, "30s", ("1m", "1h")),
        (Setting.REPAGE_AFTER, "61m", ("1m", "1h")),
        (Setting.SAFETY_NET, "3h", ("1m", "2h")),
        (Setting.ACK_TIMEOUT, "5m", ("10m", "3d")),
        (Setting.ROUNDS, "0", (1, 20)),
        (Setting.ROUNDS, "21", (1, 20)),
    ],
)
def test_staff_cannot_set_paging_that_would_let_a_report_go_unpaged(
    setting: Setting, text: str, bounds: tuple[object, object]
) -> None:
    value = read_setting(setting, text, LANGUAGES)
    with pytest.raises(InvalidSetting) as raised:
        check_bounds(setting, value)
    assert raised.value.problem == "problem_range"
    assert (raised.value.params["low"], raised.value.params["high"]) == bounds


def test_values_at_the_bounds_and_hours_with_a_day_are_allowed() -> None:
    for setting, value in [
        (Setting.REPAGE_AFTER, timedelta(minutes=1)),
        (Setting.REPAGE_AFTER, timedelta(hours=1)),
        (Setting.SAFETY_NET, timedelta(hours=2)),
        (Setting.ROUNDS, 1),
        (Setting.DIGEST_AT, time(0, 0)),
        (Setting.HOURS, read_setting(Setting.HOURS, "Sat 10:00-14:00", LANGUAGES)),
    ]:
        check_bounds(setting, value)


def test_hours_when_the_chat_is_never_watched_are_refused_to_staff() -> None:
    with pytest.raises(InvalidSetting):
        check_bounds(Setting.HOURS, read_setting(Setting.HOURS, "", LANGUAGES))
