"""Every callback-data format in one place: short strings, checked server-side on press.

Telegram allows 1-64 bytes, and a modified client can send anything, so data only names
what was pressed; handlers check that the presser may press it.
"""

import re
from dataclasses import dataclass

CONSENT = "consent"
ENROLL = "enroll"
PICK = "pick"
REMOVE_STAFF = "rmstaff"
APPOINTMENT = "appt"
TASK_DONE = "task"
LANGUAGE = "lang"
TIME_ZONE = "tz"
DELETE = "del"

_SEPARATOR = ":"
_SAFE = re.compile(r"^[A-Za-z0-9_.+@\-]{0,40}$")
_LONGEST_NUMBER = 18  # digits: every id we put in a button fits a signed 64-bit integer


@dataclass(frozen=True)
class CallbackData:
    """A parsed press: the family, and its arguments."""

    family: str
    args: tuple[str, ...]


def pack(family: str, *args: str | int) -> str:
    """Build callback data such as `consent:42:yes`."""
    parts = [family, *(str(arg) for arg in args)]
    if not all(_SAFE.match(part) for part in parts):
        raise ValueError(f"unsafe callback data part in {parts!r}")
    data = _SEPARATOR.join(parts)
    if len(data.encode()) > 64:
        raise ValueError(f"callback data too long: {data!r}")
    return data


def unpack(data: str | None) -> CallbackData | None:
    """Parse callback data; None for anything not in our formats."""
    if not data:
        return None
    family, *args = data.split(_SEPARATOR)
    if not all(_SAFE.match(part) for part in (family, *args)):
        return None
    if any(arg.isdigit() and len(arg) > _LONGEST_NUMBER for arg in args):
        return None  # no row or Telegram id is that long: forged (and it would overflow)
    return CallbackData(family, tuple(args))


def pattern(family: str) -> str:
    """The regex a CallbackQueryHandler uses for a family."""
    return f"^{re.escape(family)}(:|$)"
