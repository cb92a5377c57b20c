"""Durations as clinics write them: `30s`, `15m`, `2h`, `3d`, `3w`."""

import re
from datetime import timedelta

from aftercare_bot.domain.errors import InvalidDuration

_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")


def parse_duration(text: str) -> timedelta:
    """Read a duration; any number of seconds is allowed so demos can run plans in seconds.

    Raises:
        InvalidDuration: the text is not a number followed by one of s, m, h, d, w.
    """
    match = _PATTERN.match(text)
    if match is None:
        raise InvalidDuration(
            f"{text!r} is not a duration (expected a number and a unit s, m, h, d or w, "
            'such as "30s", "15m", "2h", "3d" or "3w")'
        )
    amount, unit = match.groups()
    return timedelta(**{_UNITS[unit]: float(amount)})


def format_duration(delta: timedelta) -> str:
    """Write a duration back in the largest unit that divides it exactly."""
    seconds = int(delta.total_seconds())
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
