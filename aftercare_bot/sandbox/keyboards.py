"""Reply markup: validating what bots send and finding what simulated users press.

Telegram rejects malformed keyboards at send time (most famously callback_data over 64
bytes), so validation happens before anything is stored.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import (
    BUTTON_DATA_INVALID,
    BUTTON_TYPE_INVALID,
    BUTTON_URL_INVALID,
    INLINE_TEXT_BUTTON,
    MARKUP_INVALID,
    ApiError,
)

MAX_CALLBACK_DATA_BYTES = 64
_INLINE_ACTIONS = frozenset(
    {
        "callback_data",
        "url",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)
_URL = re.compile(r"^(https?|tg)://\S+$")


def validate_markup(markup: Any) -> dict[str, Any] | None:
    """Check a reply_markup the way Telegram does and return it unchanged if valid."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise ApiError(400, MARKUP_INVALID)
    if "inline_keyboard" in markup:
        for row in _rows(markup["inline_keyboard"]):
            for button in row:
                _check_inline_button(button)
    elif "keyboard" in markup:
        for row in _rows(markup["keyboard"]):
            for button in row:
                _button_text(button)
    elif not ({"remove_keyboard", "force_reply"} & markup.keys()):
        raise ApiError(400, MARKUP_INVALID)
    return markup


def _rows(rows: Any) -> list[list[Any]]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise ApiError(400, MARKUP_INVALID)
    return rows


def _button_text(button: Any) -> str:
    if isinstance(button, str):
        return button
    if isinstance(button, dict) and isinstance(button.get("text"), str):
        return str(button["text"])
    raise ApiError(400, MARKUP_INVALID)


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise ApiError(400, MARKUP_INVALID)
    _button_text(button)
    actions = _INLINE_ACTIONS & button.keys()
    if not actions:
        raise ApiError(400, INLINE_TEXT_BUTTON)
    if len(actions) > 1:
        raise ApiError(400, BUTTON_TYPE_INVALID)
    if "callback_data" in button:
        data = button["callback_data"]
        size = len(data.encode("utf-8")) if isinstance(data, str) else 0
        if not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
            raise ApiError(400, BUTTON_DATA_INVALID)
    if "url" in button and not _URL.match(str(button["url"])):
        raise ApiError(400, BUTTON_URL_INVALID)


def is_inline(markup: dict[str, Any] | None) -> bool:
    """Tell inline keyboards (attached to the message) from chat-level reply keyboards."""
    return bool(markup) and "inline_keyboard" in (markup or {})


def button_labels(markup: dict[str, Any] | None) -> tuple[tuple[str, ...], ...]:
    """The labels a person would see, row by row."""
    if not markup:
        return ()
    rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
    return tuple(tuple(_button_text(button) for button in row) for row in rows)


def find_inline_button(
    message: dict[str, Any], *, label: str | None = None, data: str | None = None
) -> dict[str, Any]:
    """Find the button a user means, by visible label or by callback data."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    for row in rows:
        for button in row:
            if (label is not None and button.get("text") == label) or (
                data is not None and button.get("callback_data") == data
            ):
                return dict(button)
    wanted = f"label {label!r}" if label is not None else f"callback data {data!r}"
    shown = [[button.get("text") for button in row] for row in rows]
    raise LookupError(f"no inline button with {wanted}; the message shows {shown}")
