"""Log lines an operator can ship anywhere: no token, no link, no patient's words.

What the bot logs is ids and codes only (patients' words, notes and answers never go into a
log call). Three guards cover what others log: every line passes a filter that masks the bot
token and one-time link tokens wherever they appear; the HTTP client and python-telegram-bot,
whose debug lines carry request parameters (message texts), never log below INFO; and the
database engines hide statement parameters from their error messages.
With `logging.json = true` each line is one JSON object, for a log collector.
"""

import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")
_LINK = re.compile(r"(start=|/start\s+)[A-Za-z0-9_-]{8,}")
MASK = "***"
# Libraries whose DEBUG lines hold request parameters (the texts sent to patients): never
# below INFO, whatever level the operator asks for.
CHATTY = (
    "telegram",
    "httpx",
    "httpcore",
    "apscheduler",
    "aiohttp.access",
    "tornado.access",
)
# The database drivers' lines hold SQL parameters (names, notes) at DEBUG and SQL at INFO.
DATABASE_LOGGERS = ("aiosqlite", "sqlalchemy", "psycopg")


def mask(text: str) -> str:
    """The text with bot tokens and link tokens masked."""
    return _LINK.sub(lambda match: match.group(1) + MASK, _TOKEN.sub(MASK, text))


class MaskSecrets(logging.Filter):
    """Masks secrets in the rendered message, then freezes it (args are dropped)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets = [secret for secret in secrets if secret]

    def _mask(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return mask(text)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self._mask(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._mask(record.exc_text)
            record.exc_info = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def configure(level: str = "INFO", as_json: bool = False, secrets: Iterable[str] = ()) -> None:
    """Send the bot's logs to stderr at `level`, masked (also `secrets`), as text or JSON."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(MaskSecrets(secrets))
    handler.setFormatter(
        JsonFormatter()
        if as_json
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in CHATTY:
        logging.getLogger(name).setLevel(max(logging.INFO, logging.getLevelName(level)))
    for name in ("httpx", "httpcore", "apscheduler", "aiohttp.access", "tornado.access"):
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in DATABASE_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
