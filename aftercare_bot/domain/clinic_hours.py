"""When the clinic's chat is watched, read from a line like "Mon-Fri 09:00-19:00, Sat 10:00-14:00".

Patients are told to phone the clinic only when someone will answer, and the emergency number
otherwise, so the hours must be exact; the line is validated when the config is loaded.
"""

import re
from dataclasses import dataclass
from datetime import datetime, time

from aftercare_bot.domain.errors import InvalidClinicHours

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_PART = re.compile(
    r"^(?P<first>[A-Za-z]{3})(?:\s*-\s*(?P<last>[A-Za-z]{3}))?\s+"
    r"(?P<open>\d{1,2}:\d{2})\s*-\s*(?P<close>\d{1,2}:\d{2})$"
)


@dataclass(frozen=True)
class OpeningSpan:
    """One weekday's opening time; `closes` is exclusive."""

    weekday: int
    opens: time
    closes: time


@dataclass(frozen=True)
class ClinicHours:
    """The weekly hours during which staff watch the chat, and the line they were read from."""

    spans: tuple[OpeningSpan, ...]
    text: str = ""

    def is_open(self, local: datetime) -> bool:
        """Whether `local` (a time already in the clinic's zone) falls within the hours."""
        moment = local.time().replace(tzinfo=None)
        return any(
            span.weekday == local.weekday() and span.opens <= moment < span.closes
            for span in self.spans
        )


def parse_clinic_hours(text: str) -> ClinicHours:
    """Read the opening hours; an empty line means the chat is never watched.

    Raises:
        InvalidClinicHours: a part is not `Day[-Day] HH:MM-HH:MM` or its times are reversed.
    """
    spans: list[OpeningSpan] = []
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        spans.extend(_parse_part(part))
    return ClinicHours(tuple(spans), text.strip())


def _parse_part(part: str) -> list[OpeningSpan]:
    match = _PART.match(part)
    if match is None:
        raise InvalidClinicHours(
            f'{part!r} is not opening hours (expected e.g. "Mon-Fri 09:00-19:00, Sat 10:00-14:00")'
        )
    first = _weekday(match["first"])
    last = _weekday(match["last"]) if match["last"] else first
    opens, closes = _clock_time(match["open"]), _clock_time(match["close"])
    if closes <= opens:
        raise InvalidClinicHours(f"{part!r} closes before it opens")
    if last < first:
        raise InvalidClinicHours(f"{part!r} runs backwards through the week")
    return [OpeningSpan(day, opens, closes) for day in range(first, last + 1)]


def _weekday(name: str) -> int:
    try:
        return _DAYS.index(name.lower())
    except ValueError:
        raise InvalidClinicHours(
            f"{name!r} is not a weekday (expected one of Mon, Tue, Wed, Thu, Fri, Sat, Sun)"
        ) from None


def _clock_time(text: str) -> time:
    hours, minutes = (int(piece) for piece in text.split(":"))
    if hours == 24 and minutes == 0:
        return time.max
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise InvalidClinicHours(f"{text!r} is not a time of day")
    return time(hours, minutes)
