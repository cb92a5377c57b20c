"""Turning what a bot sends (text + parse_mode or entities) into what a user would see."""

from __future__ import annotations

from typing import Any

from aftercare_bot.telegram_html import EntityParseError, parse_html

from .entities import utf16_len
from .errors import UNSUPPORTED_PARSE_MODE, ApiError, bad_request

MAX_TEXT = 4096
MAX_CAPTION = 1024
_PASS_THROUGH_MODES = frozenset({"markdown", "markdownv2"})


def render_text(
    source: str,
    parse_mode: str | None,
    entities: list[dict[str, Any]] | None,
) -> tuple[str, list[dict[str, Any]]]:
    """Parse and trim a text like Telegram, returning (visible text, entities).

    Only HTML is parsed; Markdown modes pass through unparsed (documented limitation).
    """
    mode = (parse_mode or "").lower()
    if mode == "html":
        try:
            text, found = parse_html(source)
        except EntityParseError as error:
            raise bad_request(f"can't parse entities: {error}") from None
    elif mode and mode not in _PASS_THROUGH_MODES:
        raise ApiError(400, UNSUPPORTED_PARSE_MODE)
    else:
        text, found = source, list(entities or [])
    return _strip(text, found)


def check_length(text: str, limit: int, too_long: str) -> None:
    """Reject texts longer than Telegram allows, counted in UTF-16 units."""
    if utf16_len(text) > limit:
        raise ApiError(400, too_long)


def _strip(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Telegram trims surrounding whitespace; entities must shift and shrink accordingly."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    end = utf16_len(stripped)
    kept = []
    for entity in entities:
        start = max(int(entity["offset"]) - shift, 0)
        stop = min(int(entity["offset"]) + int(entity["length"]) - shift, end)
        if stop > start:
            kept.append({**entity, "offset": start, "length": stop - start})
    return stripped, kept
