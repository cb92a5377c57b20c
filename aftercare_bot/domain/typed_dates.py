"""Dates and times as staff type them, the way they write them at home.

"2026-12-03 11:00", "03.12.2026 11:00", "3.12 11:00", "today 15:00", "yesterday 15:00" and the
words for today, yesterday and tomorrow in the staff member's language are read at once. A
date written with slashes where both numbers could be the day ("3/12 11:00": 3 December or
12 March?) is not guessed: Telegram rarely says where someone lives, so the reader gets both
readings and asks which is meant. "13/12" can only be the 13th of December and is read so.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from zoneinfo import ZoneInfo

from aftercare_bot.domain.local_time import InvalidLocalTime
from aftercare_bot.domain.quiet_hours import wall_clock

_TIME = r"(?P<hour>\d{1,2})[:.](?P<minute>\d{2})"
_ISO = re.compile(rf"^(?P<year>\d{{4}})-(?P<month>\d{{1,2}})-(?P<day>\d{{1,2}})[ t]+{_TIME}$")
_DOTTED = re.compile(
    rf"^(?P<day>\d{{1,2}})\.(?P<month>\d{{1,2}})(?:\.(?P<year>\d{{2}}|\d{{4}}))?\s+{_TIME}$"
)
_SLASHED = re.compile(
    rf"^(?P<first>\d{{1,2}})/(?P<second>\d{{1,2}})(?:/(?P<year>\d{{2}}|\d{{4}}))?\s+{_TIME}$"
)
_WORD = re.compile(rf"^(?P<word>[^\d\s]+)\s+{_TIME}$")

# Days from today for each relative word; a language's own words are added by the caller.
RELATIVE_DAYS = {"today": 0, "yesterday": -1, "tomorrow": 1}


class Expected(Enum):
    """Which side of now a date without a year is on: a session held is past, an appointment
    to come is future ("3.01" typed in December is next January's appointment)."""

    ANY = "any"
    PAST = "past"
    FUTURE = "future"


@dataclass(frozen=True)
class TypedMoment:
    """A moment read without doubt, in UTC."""

    at: datetime


@dataclass(frozen=True)
class AmbiguousMoment:
    """Two readings of a slashed date: day first ("3/12" = 3 December) and month first
    (12 March), both in UTC; the staff member picks one."""

    day_first: datetime
    month_first: datetime


def read_typed_moment(
    text: str,
    now: datetime,
    zone: ZoneInfo,
    relative_words: Iterable[tuple[str, int]] = (),
    expected: Expected = Expected.ANY,
) -> TypedMoment | AmbiguousMoment:
    """Read a date and time a staff member typed, as wall time in `zone`.

    `relative_words` adds words for today (0), yesterday (-1) and tomorrow (1) in the staff
    member's language to the English ones. A year left out is the current one, unless that
    puts the moment on the wrong side of now for what is `expected`: then the nearest year
    on the right side (the year before for a past session, after for an appointment to come).

    Raises:
        InvalidLocalTime: none of the forms, or not a real date or time of day.
    """
    typed = " ".join(text.split()).casefold()
    today = now.astimezone(zone).date()
    if match := _ISO.match(typed):
        return TypedMoment(
            _at(text, zone, int(match["year"]), int(match["month"]), int(match["day"]), match)
        )
    if match := _DOTTED.match(typed):
        at = _dated(text, zone, now, expected, int(match["month"]), int(match["day"]), match)
        return TypedMoment(at)
    if match := _SLASHED.match(typed):
        return _slashed(text, zone, now, expected, match)
    if match := _WORD.match(typed):
        words = {**RELATIVE_DAYS, **{word.casefold(): days for word, days in relative_words}}
        if match["word"] not in words:
            raise InvalidLocalTime(text)
        day = today + timedelta(days=words[match["word"]])
        return TypedMoment(_at(text, zone, day.year, day.month, day.day, match))
    raise InvalidLocalTime(text)


def _slashed(
    text: str, zone: ZoneInfo, now: datetime, expected: Expected, match: re.Match[str]
) -> TypedMoment | AmbiguousMoment:
    first, second = int(match["first"]), int(match["second"])
    if first == second or first > 12 or second > 12:
        day, month = (second, first) if second > 12 else (first, second)
        return TypedMoment(_dated(text, zone, now, expected, month, day, match))
    return AmbiguousMoment(
        day_first=_dated(text, zone, now, expected, second, first, match),
        month_first=_dated(text, zone, now, expected, first, second, match),
    )


def _dated(
    text: str,
    zone: ZoneInfo,
    now: datetime,
    expected: Expected,
    month: int,
    day: int,
    match: re.Match[str],
) -> datetime:
    """The moment on `day`.`month` of the year typed; without one, of this year or the
    nearest on the `expected` side of now."""
    typed = match["year"]
    if typed is not None:
        year = int(typed) + 2000 if len(typed) == 2 else int(typed)
        return _at(text, zone, year, month, day, match)
    year = now.astimezone(zone).year
    if expected == Expected.ANY:
        return _at(text, zone, year, month, day, match)
    step = -1 if expected == Expected.PAST else 1
    for _ in range(9):  # 29 February is at most eight years away
        if _is_date(year, month, day):
            at = _at(text, zone, year, month, day, match)
            if (at <= now) if step < 0 else (at >= now):
                return at
        year += step
    raise InvalidLocalTime(text)


def _is_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _at(
    text: str, zone: ZoneInfo, year: int, month: int, day: int, match: re.Match[str]
) -> datetime:
    try:
        moment = time(int(match["hour"]), int(match["minute"]))
        local = wall_clock(date(year, month, day), moment, zone)
    except ValueError:
        raise InvalidLocalTime(text) from None
    return local.astimezone(UTC)
