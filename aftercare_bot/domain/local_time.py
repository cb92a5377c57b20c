"""Dates and times as staff type them ("2026-12-16 10:30"), always in a named zone."""

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from aftercare_bot.domain.errors import AftercareError
from aftercare_bot.domain.quiet_hours import wall_clock

INPUT_FORMAT = "%Y-%m-%d %H:%M"
_PATTERN = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})[ T]+(\d{1,2})[:.](\d{2})\s*$")


class InvalidLocalTime(AftercareError, ValueError):
    """A typed date and time that cannot be read."""


def parse_local_datetime(text: str, zone: ZoneInfo) -> datetime:
    """Read "YYYY-MM-DD HH:MM" as wall time in `zone`; the result is aware UTC.

    Raises:
        InvalidLocalTime: not in that form, or not a real date or time of day.
    """
    match = _PATTERN.match(text)
    if match is None:
        raise InvalidLocalTime(text)
    year, month, day, hours, minutes = (int(part) for part in match.groups())
    try:
        local = wall_clock(date(year, month, day), time(hours, minutes), zone)
    except ValueError:
        raise InvalidLocalTime(text) from None
    return local.astimezone(UTC)


def example_input(now: datetime, zone: ZoneInfo, days_ahead: int = 1) -> str:
    """A realistic example for prompts: tomorrow at 10:00 in the clinic's zone."""
    day = now.astimezone(zone).date() + timedelta(days=days_ahead)
    return datetime.combine(day, time(10, 0)).strftime(INPUT_FORMAT)


def same_time_weeks_later(moment: datetime, weeks: int, zone: ZoneInfo) -> datetime:
    """The same local time of day `weeks` later, across clock changes (for next sessions)."""
    local = moment.astimezone(zone)
    later = local.date() + timedelta(weeks=weeks)
    # fold=0: a time read in the repeated hour of a fall-back night means its first occurrence.
    at = local.time().replace(tzinfo=None, fold=0)
    return wall_clock(later, at, zone).astimezone(UTC)
