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
) -> TypedMoment | AmbiguousMoment:
    """Read a date and time a staff member typed, as wall time in `zone`.

    `relative_words` adds words for today (0), yesterday (-1) and tomorrow (1) in the staff
    member's language to the English ones; a year left out is the current one.

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
        year = _year(match["year"], today)
        return TypedMoment(_at(text, zone, year, int(match["month"]), int(match["day"]), match))
    if match := _SLASHED.match(typed):
        return _slashed(text, zone, today, match)
    if match := _WORD.match(typed):
        words = {**RELATIVE_DAYS, **{word.casefold(): days for word, days in relative_words}}
        if match["word"] not in words:
            raise InvalidLocalTime(text)
        day = today + timedelta(days=words[match["word"]])
        return TypedMoment(_at(text, zone, day.year, day.month, day.day, match))
    raise InvalidLocalTime(text)


def _slashed(
    text: str, zone: ZoneInfo, today: date, match: re.Match[str]
) -> TypedMoment | AmbiguousMoment:
    first, second = int(match["first"]), int(match["second"])
    year = _year(match["year"], today)
    if first == second or first > 12 or second > 12:
        day, month = (second, first) if second > 12 else (first, second)
        return TypedMoment(_at(text, zone, year, month, day, match))
    return AmbiguousMoment(
        day_first=_at(text, zone, year, second, first, match),
        month_first=_at(text, zone, year, first, second, match),
    )


def _year(typed: str | None, today: date) -> int:
    if typed is None:
        return today.year
    return int(typed) + 2000 if len(typed) == 2 else int(typed)


def _at(
    text: str, zone: ZoneInfo, year: int, month: int, day: int, match: re.Match[str]
) -> datetime:
    try:
        moment = time(int(match["hour"]), int(match["minute"]))
        local = wall_clock(date(year, month, day), moment, zone)
    except ValueError:
        raise InvalidLocalTime(text) from None
    return local.astimezone(UTC)
