"""Durations as clinics write them: `30s`, `15m`, `2h`, `3d`, `3w`.

`parse_duration` reads any of them as elapsed time. `parse_calendar_duration` keeps whole days
apart, for the times of a plan: "1d" after a 14:00 session is 14:00 the next day on the
patient's clock, even when the clocks change overnight and that is 23 or 25 hours later.
"""

import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from aftercare_bot.domain.errors import InvalidDuration

_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_DAYS_PER_UNIT = {"d": 1, "w": 7}
_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_EXPECTED = 'expected a number and a unit s, m, h, d or w, such as "30s", "15m", "2h", "3d" or "3w"'


@dataclass(frozen=True)
class CalendarDuration:
    """Whole days, which move the calendar date, then `clock`, elapsed time on top of them.

    Days keep the local time of day across a change of clocks; the clock part is counted in real
    time, so "36h" is 36 hours whatever the clocks do.
    """

    days: int = 0
    clock: timedelta = timedelta(0)

    def __post_init__(self) -> None:
        if self.days < 0 or self.clock < timedelta(0):
            raise ValueError(f"{self!r} is negative (expected days and clock of zero or more)")

    @property
    def is_zero(self) -> bool:
        """Whether the duration moves nothing at all."""
        return self.days == 0 and not self.clock


def parse_duration(text: str) -> timedelta:
    """Read a duration; any number of seconds is allowed so demos can run plans in seconds.

    Raises:
        InvalidDuration: the text is not a number followed by one of s, m, h, d, w, or it is
            longer than a timedelta can hold.
    """
    amount, unit = _read(text)
    try:
        return timedelta(**{_UNITS[unit]: float(amount)})
    except OverflowError:
        raise InvalidDuration(f"{text!r} is too long a duration ({_EXPECTED})") from None


def parse_calendar_duration(text: str) -> CalendarDuration:
    """Read a duration whose whole days and weeks are calendar days in the patient's zone.

    "3d", "2w" and "1.0d" are whole days. Anything in s, m or h, and a fraction of a day such as
    "1.5d" or "0.5w", is elapsed time throughout, as though it had been written in hours: a
    fraction of a day has no time of day to keep.

    Raises:
        InvalidDuration: as `parse_duration`.
    """
    elapsed = parse_duration(text)
    amount, unit = _read(text)
    if unit in _DAYS_PER_UNIT:
        days = Decimal(amount) * _DAYS_PER_UNIT[unit]
        if days == days.to_integral_value():
            return CalendarDuration(days=int(days))
    return CalendarDuration(clock=elapsed)


def format_duration(delta: timedelta) -> str:
    """Write a duration back in the largest unit that divides it exactly."""
    seconds = int(delta.total_seconds())
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _read(text: str) -> tuple[str, str]:
    """The amount and the unit of a duration, as written."""
    match = _PATTERN.match(text)
    if match is None:
        raise InvalidDuration(f"{text!r} is not a duration ({_EXPECTED})")
    amount, unit = match.groups()
    return amount, unit
