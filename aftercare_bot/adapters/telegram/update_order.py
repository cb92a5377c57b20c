"""Updates from different chats side by side, each chat's in the order they came.

python-telegram-bot handles one update at a time by default: then a reply waiting for its
turn under Telegram's 30/s holds up every other patient's button press behind it, and the
press is not even acknowledged. Handling everything at once instead would let one patient's
two quick presses race (the second read before the first is stored). So an update waits only
for the earlier updates of its own chat.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

logger = logging.getLogger(__name__)

# Updates in hand at once, waiting included. Far above what a clinic's patients send; the
# bound only keeps a flood from one chat from holding unbounded memory.
MAX_CONCURRENT_UPDATES = 1024

BeforeWaiting = Callable[[object], Awaitable[None]]


class ChatOrderedUpdates(BaseUpdateProcessor):
    """Runs each update after the previous update of the same chat has been handled."""

    def __init__(
        self,
        before_waiting: BeforeWaiting | None = None,
        max_concurrent_updates: int = MAX_CONCURRENT_UPDATES,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self._before_waiting = before_waiting
        self._last: dict[Hashable, asyncio.Future[None]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the chat's previous update, then handle this one. An update that has to
        wait is first shown to `before_waiting` (a press gets its spinner stopped)."""
        key = chat_key(update)
        previous = self._last.get(key)
        handled: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._last[key] = handled
        try:
            if previous is not None and not previous.done():
                await self._announce(update)
                await previous
            await coroutine
        finally:
            if asyncio.iscoroutine(coroutine):
                coroutine.close()  # never started when cancelled while waiting its turn
            handled.set_result(None)
            if self._last.get(key) is handled:
                del self._last[key]

    async def _announce(self, update: object) -> None:
        """Never lets the courtesy cost the update: a failure is logged and the update waits."""
        if self._before_waiting is None:
            return
        try:
            await self._before_waiting(update)
        except Exception as error:
            logger.warning("could not act on an update before it waited: %r", error)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release: the Application waits for the updates in hand."""


def chat_key(update: object) -> Hashable:
    """What orders an update: its chat, else its sender (inline queries and the like)."""
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return ("chat", update.effective_chat.id)
        if update.effective_user is not None:
            return ("user", update.effective_user.id)
    return "other"
