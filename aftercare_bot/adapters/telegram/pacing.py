"""Pacing the dispatcher below Telegram's limits, overall and per chat.

python-telegram-bot's AIORateLimiter limits the whole bot to ~30 messages/s but does not
limit a private chat (Telegram allows about one message a second there), and a 429 pauses
everything. The dispatcher paces bulk reminders itself, a little below the overall limit,
so that replies to patients and staff posts always find room, and it backs off when
Telegram says so.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable


class TelegramPacer:
    """Hands out send turns: at most `per_second` overall, one per `per_chat_interval` a chat."""

    def __init__(
        self,
        per_second: float,
        per_chat_interval: float,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._spacing = 1.0 / per_second
        self._per_chat = per_chat_interval
        self._monotonic = monotonic
        self._sleep = sleep
        self._next_global = 0.0
        self._next_for_chat: dict[int, float] = {}
        self._paused_until = 0.0
        self._lock = asyncio.Lock()

    async def wait_turn(self, chat_id: int) -> None:
        """Wait until a message to `chat_id` may be sent.

        A turn handed out before a 429 is not used during the pause that followed it: the
        sender waits for a fresh turn after the pause.
        """
        while True:
            async with self._lock:
                now = self._monotonic()
                start = max(now, self._next_global, self._next_for_chat.get(chat_id, 0.0))
                self._next_global = start + self._spacing
                self._next_for_chat[chat_id] = start + self._per_chat
                self._forget_idle_chats(now)
                paused = self._paused_until
            delay = start - now
            if delay > 0:
                await self._sleep(delay)
            if self._paused_until <= paused:
                return

    def slow_down(self, seconds: float) -> None:
        """Telegram answered 429: no bulk send before `seconds` from now."""
        until = self._monotonic() + seconds
        self._next_global = max(self._next_global, until)
        self._paused_until = max(self._paused_until, until)

    def _forget_idle_chats(self, now: float) -> None:
        """Keep memory flat: chats whose turn has passed need no entry."""
        if len(self._next_for_chat) > 10_000:
            self._next_for_chat = {
                chat: moment for chat, moment in self._next_for_chat.items() if moment > now
            }
