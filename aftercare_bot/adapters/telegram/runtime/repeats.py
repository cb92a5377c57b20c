"""Each update is handled once, even when Telegram sends it again.

Telegram re-sends a webhook update it thinks was not received (a timeout, a proxy's error
after the bot had already handled it); a patient's answer must not be recorded twice, nor an
incident opened twice. The bot remembers the last update ids it handled and stops a repeat
before any handler sees it. Polling confirms updates by offset, so there repeats are rare,
but the same guard costs nothing.
"""

from collections import deque
from typing import Any

from telegram import Update
from telegram.ext import ApplicationHandlerStop, BaseHandler, TypeHandler

REMEMBERED = 10_000  # Telegram re-sends within minutes; far more than minutes of updates
FIRST_GROUP = -100  # runs before every other handler group


class RepeatedUpdates:
    """The last update ids handled, oldest forgotten first."""

    def __init__(self, remembered: int = REMEMBERED) -> None:
        self._seen: set[int] = set()
        self._order: deque[int] = deque()
        self._remembered = remembered

    def first_time(self, update_id: int) -> bool:
        """Remember this id; False if it was handled already."""
        if update_id in self._seen:
            return False
        self._seen.add(update_id)
        self._order.append(update_id)
        if len(self._order) > self._remembered:
            self._seen.discard(self._order.popleft())
        return True

    def forget(self, update_id: int) -> None:
        """Let this update through once more (it is being retried after a failure)."""
        self._seen.discard(update_id)

    async def __call__(self, update: Update, _context: Any) -> None:
        """Stop a repeated update before any handler sees it."""
        if not self.first_time(update.update_id):
            raise ApplicationHandlerStop


def repeat_guard(repeats: RepeatedUpdates) -> BaseHandler[Update, Any, None]:
    """The handler that drops repeats; add it in `FIRST_GROUP`."""
    return TypeHandler(Update, repeats)
