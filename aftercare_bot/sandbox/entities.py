"""Message entities as Telegram computes them for text typed by users.

Entity offsets and lengths are counted in UTF-16 code units, not Python characters; getting
this wrong breaks python-telegram-bot's command parsing for texts containing emoji.
"""

from __future__ import annotations

import re
from typing import Any

_COMMAND = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")


def utf16_len(text: str) -> int:
    """Length of `text` in UTF-16 code units, the unit Telegram counts in."""
    return len(text.encode("utf-16-le")) // 2


def detect_entities(text: str) -> list[dict[str, Any]]:
    """Find the `bot_command` entities Telegram would attach to a typed text."""
    entities = []
    for match in _COMMAND.finditer(text):
        entities.append(
            {
                "type": "bot_command",
                "offset": utf16_len(text[: match.start()]),
                "length": utf16_len(match.group()),
            }
        )
    return entities
