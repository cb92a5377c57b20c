"""The clinic settings a practice manager changes without a text editor or a restart: opening
hours, phone numbers, languages offered, quiet hours, how urgent reports are paged, the digest.

Each is kept as the text a clinic writes ("Mon-Fri 09:00-19:00", "15m", "off"), read with the
same parsers as the config file. Reading is lenient (a value the config file allowed, such as
a demo's "2s" re-page, stays readable); a change made by staff must also hold within bounds
that keep paging alive: a re-page every 1 to 60 minutes, at least one round, the patient's
safety net within two hours, and a phone and an emergency number to give her.
"""

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum

from aftercare_bot.domain.clinic_hours import ClinicHours, parse_clinic_hours
from aftercare_bot.domain.durations import format_duration, parse_duration
from aftercare_bot.domain.errors import AftercareError
from aftercare_bot.domain.quiet_hours import QuietHours, parse_quiet_hours

# The longest phone number or emergency number accepted (with spaces and a prefix).
PHONE_LIMIT = 32
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_OFF = "off"


class Setting(StrEnum):
    """A clinic setting, named as its key in the config file."""

    HOURS = "clinic.hours"
    PHONE = "clinic.phone"
    EMERGENCY = "clinic.emergency_number"
    LANGUAGES = "clinic.languages"
    QUIET_HOURS = "schedule.quiet_hours"
    REPAGE_AFTER = "escalation.reescalate_after"
    ROUNDS = "escalation.max_rounds"
    ACK_TIMEOUT = "escalation.ack_timeout"
    SAFETY_NET = "escalation.patient_safety_net_after"
    DIGEST_AT = "staff.digest_at"

    @property
    def label(self) -> str:
        """The suffix of its texts' keys (`settings.name_<label>`, `settings.hint_<label>`)."""
        return self.name.lower()


# Bounds of the durations staff may set: (shortest, longest).
DURATION_BOUNDS: dict[Setting, tuple[timedelta, timedelta]] = {
    Setting.REPAGE_AFTER: (timedelta(minutes=1), timedelta(minutes=60)),
    Setting.ACK_TIMEOUT: (timedelta(minutes=10), timedelta(hours=72)),
    Setting.SAFETY_NET: (timedelta(minutes=1), timedelta(hours=2)),
}
ROUNDS_BOUNDS = (1, 20)

# The text saying what form is expected, for a value its parser could not read.
_UNREADABLE = {Setting.HOURS: "problem_hours", Setting.QUIET_HOURS: "problem_quiet_hours"}

SettingValue = ClinicHours | str | tuple[str, ...] | QuietHours | timedelta | int | time | None


class InvalidSetting(AftercareError, ValueError):
    """A setting's text that cannot be read or is out of bounds; `problem` is the key of the
    text that says so (under `[settings]`), `params` what it mentions."""

    def __init__(self, setting: Setting, problem: str, **params: object) -> None:
        super().__init__(f"{setting.value}: {problem}")
        self.setting = setting
        self.problem = problem
        self.params = params


@dataclass(frozen=True)
class SettingChange:
    """One setting changed by a staff member, kept until it is posted to the staff group."""

    setting: str
    old_value: str
    new_value: str
    changed_at: datetime
    changed_by: int
    changed_by_name: str
    posted_at: datetime | None = None
    id: int | None = None


def read_setting(setting: Setting, text: str, languages: tuple[str, ...]) -> SettingValue:
    """The value a setting's text stands for, as the config file would read it.

    Raises:
        InvalidSetting: the text cannot be read (naming the form expected).
    """
    line = text.strip()
    try:
        match setting:
            case Setting.HOURS:
                return parse_clinic_hours(line)
            case Setting.PHONE | Setting.EMERGENCY:
                return _phone(setting, line)
            case Setting.LANGUAGES:
                return _languages(line, languages)
            case Setting.QUIET_HOURS:
                return parse_quiet_hours(line)
            case Setting.REPAGE_AFTER | Setting.ACK_TIMEOUT | Setting.SAFETY_NET:
                return parse_duration(line)
            case Setting.ROUNDS:
                return _rounds(line)
            case Setting.DIGEST_AT:
                return _time_of_day(line)
    except InvalidSetting:
        raise
    except ValueError:
        raise InvalidSetting(setting, _UNREADABLE.get(setting, "problem_duration")) from None


def check_bounds(setting: Setting, value: SettingValue) -> None:
    """Refuse a value staff may not set, though a config file could: one that would let an
    urgent report go unpaged or leave a patient without a number to call.

    Raises:
        InvalidSetting: naming the bounds.
    """
    if setting in DURATION_BOUNDS and isinstance(value, timedelta):
        low, high = DURATION_BOUNDS[setting]
        if not low <= value <= high:
            raise InvalidSetting(
                setting, "problem_range", low=format_duration(low), high=format_duration(high)
            )
    if setting is Setting.ROUNDS and isinstance(value, int):
        low_rounds, high_rounds = ROUNDS_BOUNDS
        if not low_rounds <= value <= high_rounds:
            raise InvalidSetting(setting, "problem_range", low=low_rounds, high=high_rounds)
    if setting is Setting.HOURS and isinstance(value, ClinicHours) and not value.spans:
        raise InvalidSetting(setting, "problem_hours")


def setting_text(setting: Setting, value: SettingValue) -> str:
    """A value written back as a clinic writes it (stored, compared and shown in the form)."""
    match value:
        case ClinicHours():
            return value.text
        case QuietHours():
            return value.text
        case timedelta():
            return format_duration(value)
        case time():
            return f"{value:%H:%M}"
        case tuple():
            return ", ".join(value)
        case None:
            return _OFF
        case _:
            return str(value)


def _phone(setting: Setting, line: str) -> str:
    if not line:
        raise InvalidSetting(setting, "problem_empty")
    if len(line) > PHONE_LIMIT or any(not character.isprintable() for character in line):
        raise InvalidSetting(setting, "problem_too_long", limit=PHONE_LIMIT)
    return line


def _languages(line: str, languages: tuple[str, ...]) -> tuple[str, ...]:
    codes = tuple(dict.fromkeys(code.strip() for code in line.split(",") if code.strip()))
    if not codes or any(code not in languages for code in codes):
        raise InvalidSetting(Setting.LANGUAGES, "problem_languages")
    return codes


def _rounds(line: str) -> int:
    if not line.isascii() or not line.isdigit() or len(line) > 3:
        raise InvalidSetting(
            Setting.ROUNDS, "problem_range", low=ROUNDS_BOUNDS[0], high=ROUNDS_BOUNDS[1]
        )
    return int(line)


def _time_of_day(line: str) -> time | None:
    if line.lower() == _OFF:
        return None
    match = _TIME.match(line)
    if match is None:
        raise InvalidSetting(Setting.DIGEST_AT, "problem_digest_at")
    return time(int(match[1]), int(match[2]))
