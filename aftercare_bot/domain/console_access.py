"""Who may open the staff console, and for how long: one-time sign-in links, sessions, and
the launch data Telegram hands a Mini App.

No passwords: a staff member asks the bot for a link in their private chat (the chat is the
proof of who they are, as it is for every staff command). The link's secret is random, kept
only as a hash, lives five minutes and works once; it opens a session whose secret lives in
an HttpOnly cookie (also kept only as a hash) and ends after a spell without requests. Inside
Telegram the same pages open as a Mini App, whose launch data Telegram signs with a key
derived from the bot's token; a session is opened from it only when the signature holds and
the data is fresh. Whether the person is staff, and as what, is read from the database on
every request, never from the session.
"""

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode

SIGN_IN_LIFETIME = timedelta(minutes=5)
SECRET_BYTES = 32
# Launch data older than this is refused (Telegram signs it when the Mini App opens).
LAUNCH_DATA_MAX_AGE = timedelta(hours=1)


def new_secret() -> str:
    """A random URL-safe secret (256 bits) for a sign-in link, a session or a CSRF token."""
    return secrets.token_urlsafe(SECRET_BYTES)


def hash_secret(secret: str) -> str:
    """What is stored of a secret: its SHA-256, so a copy of the database opens nothing."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass
class ConsoleSignIn:
    """A one-time sign-in link for one staff member."""

    token_hash: str
    user_id: int
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    id: int | None = None

    def usable(self, now: datetime) -> bool:
        """Not used and not expired."""
        return self.used_at is None and now < self.expires_at


@dataclass
class ConsoleSession:
    """A signed-in browser (or Mini App): whose, its CSRF token, and when it was last used."""

    token_hash: str
    user_id: int
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime
    ended_at: datetime | None = None
    id: int | None = None

    def alive(self, now: datetime, idle: timedelta) -> bool:
        """Not signed out, ended by a removal, or idle for longer than `idle`."""
        return self.ended_at is None and now - self.last_seen_at < idle


@dataclass(frozen=True)
class LaunchUser:
    """The Telegram user a Mini App was opened by, from launch data whose signature held."""

    user_id: int
    first_name: str
    language_code: str | None


def verify_launch_data(
    init_data: str, bot_token: str, now: datetime, max_age: timedelta = LAUNCH_DATA_MAX_AGE
) -> LaunchUser | None:
    """The user a Mini App's launch data (`Telegram.WebApp.initData`) names, or None when its
    signature does not hold, it is older than `max_age`, or it names nobody.

    As Telegram documents it: every `key=value` pair but `hash`, sorted by key and joined
    with newlines, signed with HMAC-SHA256 under the key HMAC-SHA256("WebAppData", token).
    """
    try:
        pairs = dict(parse_qsl(init_data, keep_blank_values=True, strict_parsing=True))
    except ValueError:
        return None
    received = pairs.pop("hash", "")
    if not received or "auth_date" not in pairs:
        return None
    check_string = "\n".join(f"{key}={pairs[key]}" for key in sorted(pairs))
    secret = hmac.new(b"WebAppData", bot_token.encode("utf-8"), hashlib.sha256).digest()
    expected = hmac.new(secret, check_string.encode("utf-8"), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, received):
        return None
    if not pairs["auth_date"].isdigit():
        return None
    signed_at = datetime.fromtimestamp(int(pairs["auth_date"]), UTC)
    if not timedelta(minutes=-5) <= now - signed_at <= max_age:
        return None
    return _launch_user(pairs.get("user", ""))


def sign_launch_data(fields: dict[str, str], bot_token: str) -> str:
    """Launch data signed as Telegram signs it (for the demo and the tests, which play
    Telegram's part)."""
    check_string = "\n".join(f"{key}={fields[key]}" for key in sorted(fields))
    secret = hmac.new(b"WebAppData", bot_token.encode("utf-8"), hashlib.sha256).digest()
    signature = hmac.new(secret, check_string.encode("utf-8"), hashlib.sha256).hexdigest()
    return urlencode({**fields, "hash": signature})


def _launch_user(user_json: str) -> LaunchUser | None:
    try:
        user = json.loads(user_json)
    except ValueError:
        return None
    if not isinstance(user, dict):
        return None
    user_id = user.get("id")
    if not isinstance(user_id, int) or isinstance(user_id, bool) or user_id <= 0:
        return None
    language = user.get("language_code")
    return LaunchUser(
        user_id,
        str(user.get("first_name") or ""),
        language if isinstance(language, str) else None,
    )
