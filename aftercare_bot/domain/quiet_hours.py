"""Quiet hours, read from a line like "21:00-08:00", during which patients get no scheduled message.

A check-in at 03:00 wakes a patient who is recovering, so scheduled messages wait for the window
to end. The window is wall-clock time in the patient's own zone and may cross midnight. This
module also holds `wall_clock`, the one place that turns a local date and time of day into an
instant, because "08:00" must mean 08:00 on the day the clocks change as well.
"""

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from aftercare_bot.domain.errors import AftercareError

_OFF = frozenset({"", "off"})
_WINDOW = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")
_EXPECTED = '(expected "HH:MM-HH:MM" such as "21:00-08:00", or "off")'


class InvalidQuietHours(AftercareError, ValueError):
    """A quiet-hours line that is not "HH:MM-HH:MM" or "off", or whose window is empty."""


@dataclass(frozen=True)
class QuietHours:
    """A daily window, `starts` inclusive and `ends` exclusive, in the patient's wall-clock time.

    When `ends` is earlier than `starts` the window crosses midnight.
    """

    starts: time
    ends: time

    @property
    def text(self) -> str:
        """The window written back as clinics write it, for settings screens and logs."""
        return f"{self.starts:%H:%M}-{self.ends:%H:%M}"

    def contains(self, local: datetime) -> bool:
        """Whether `local`, a moment in the patient's zone, falls within the window."""
        moment = local.time().replace(tzinfo=None)
        if self.starts < self.ends:
            return self.starts <= moment < self.ends
        return moment >= self.starts or moment < self.ends

    def end_after(self, local: datetime) -> datetime:
        """The next end of the window after `local`, in `local`'s zone.

        When `local` is inside a window, that is the moment the window ends.
        """
        zone = _zone_of(local)
        day = local.date()
        if local.time().replace(tzinfo=None) >= self.ends:
            day += timedelta(days=1)
        return wall_clock(day, self.ends, zone)

    def start_before(self, local: datetime) -> datetime:
        """The last start of the window at or before `local`, in `local`'s zone.

        When `local` is inside a window, that is the moment the window started.
        """
        zone = _zone_of(local)
        day = local.date()
        if local.time().replace(tzinfo=None) < self.starts:
            day -= timedelta(days=1)
        return wall_clock(day, self.starts, zone)


def parse_quiet_hours(text: str) -> QuietHours | None:
    """Read the quiet hours; an empty line or "off" means messages go out at any hour.

    Raises:
        InvalidQuietHours: the line is not `HH:MM-HH:MM`, a time does not exist, or the window
            starts and ends at the same time (which would be either nothing or the whole day).
    """
    line = text.strip()
    if line.lower() in _OFF:
        return None
    match = _WINDOW.match(line)
    if match is None:
        raise InvalidQuietHours(f"{text!r} is not quiet hours {_EXPECTED}")
    starts = _time_of_day(text, int(match[1]), int(match[2]))
    ends = _time_of_day(text, int(match[3]), int(match[4]))
    if starts == ends:
        raise InvalidQuietHours(
            f"{text!r} starts and ends at the same time "
            '(expected two different times such as "21:00-08:00", or "off" for no quiet hours)'
        )
    return QuietHours(starts, ends)


def wall_clock(day: date, at: time, zone: tzinfo) -> datetime:
    """The instant the clocks in `zone` show `at` on `day`, in that zone.

    A time skipped when the clocks go forward becomes the first instant after the gap (01:30 on
    a spring-forward night in London is 02:00 BST); a time shown twice when they go back is its
    first occurrence, so a message is never late by the hour that repeats.
    """
    local = datetime.combine(day, at.replace(tzinfo=None), tzinfo=zone)  # fold=0: the first
    if _exists(local):
        return local
    return _end_of_gap(local).astimezone(zone)


def _exists(local: datetime) -> bool:
    round_trip = local.astimezone(UTC).astimezone(local.tzinfo)
    return round_trip.replace(tzinfo=None) == local.replace(tzinfo=None)


def _end_of_gap(local: datetime) -> datetime:
    """The UTC instant at which the clocks jumped over `local`.

    Read with the offset after the jump (fold=1) the missing time is an instant before the jump;
    read with the offset before it (fold=0) it is an instant after; bisect the whole seconds
    between them for the first one that already has the new offset.
    """
    zone = local.tzinfo
    earlier = math.floor(local.replace(fold=1).timestamp())
    later = math.ceil(local.replace(fold=0).timestamp())
    new_offset = datetime.fromtimestamp(later, zone).utcoffset()
    while later - earlier > 1:
        middle = (earlier + later) // 2
        if datetime.fromtimestamp(middle, zone).utcoffset() == new_offset:
            later = middle
        else:
            earlier = middle
    return datetime.fromtimestamp(later, UTC)


def _time_of_day(text: str, hours: int, minutes: int) -> time:
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise InvalidQuietHours(f"{text!r} has a time of day that does not exist {_EXPECTED}")
    return time(hours, minutes)


def _zone_of(local: datetime) -> tzinfo:
    if local.tzinfo is None:
        raise ValueError(f"{local!r} has no time zone (expected a time in the patient's zone)")
    return local.tzinfo
