"""One budget for everything the bot sends, kept under Telegram's limits.

Telegram allows about 30 messages a second overall and about one a second in a private
chat, and answers a bot that goes faster with 429 and a pause for everything. The
dispatcher's bulk reminders and the handlers' replies draw from the same budget, so that
together they stay under the limit, and a reply a person is waiting for (an answer to a
press, a staff post) takes the next turn ahead of any reminder. Reminders fill whatever
replies leave, which lets the bulk run close to the limit without crowding anyone out.

Turns are handed out one at a time as they fall due, never reserved ahead: a reservation
made for a reminder seconds ahead could not be given to a reply that arrives meanwhile.
"""

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field


@dataclass(eq=False)
class _Waiter:
    chat_id: int | None
    granted: asyncio.Future[None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class TelegramPacer:
    """Hands out send turns: at most `per_second` overall, and for reminders at most one per
    `per_chat_interval` a chat; urgent turns first."""

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
        self._urgent: deque[_Waiter] = deque()
        self._bulk: deque[_Waiter] = deque()
        self._handing_out: asyncio.Task[None] | None = None

    async def wait_turn(self, chat_id: int) -> None:
        """Wait until a reminder to `chat_id` may be sent."""
        await self._wait(self._bulk, _Waiter(chat_id))

    async def wait_urgent_turn(self, chat_id: int | None) -> None:
        """Wait for the next turn, ahead of every reminder: someone is waiting for this one.

        No per-chat spacing: a reply follows what the person just did, and Telegram tolerates
        short bursts in a chat; the turn still counts against that chat's reminders.
        """
        await self._wait(self._urgent, _Waiter(chat_id))

    def slow_down(self, seconds: float) -> None:
        """Telegram answered 429: no turn before `seconds` from now."""
        until = self._monotonic() + seconds
        self._paused_until = max(self._paused_until, until)

    async def _wait(self, queue: deque[_Waiter], waiter: _Waiter) -> None:
        queue.append(waiter)
        if self._handing_out is None or self._handing_out.done():
            self._handing_out = asyncio.create_task(self._hand_out())
        try:
            await waiter.granted
        except asyncio.CancelledError:
            if waiter in queue:
                queue.remove(waiter)
            raise

    async def _hand_out(self) -> None:
        """Give turns while anyone waits: the next urgent waiter, else the first reminder
        whose chat may receive one."""
        while self._urgent or self._bulk:
            now = self._monotonic()
            due = max(self._next_global, self._paused_until)
            if due > now:
                await self._sleep(due - now)
                continue
            waiter = self._next_waiter(now)
            if waiter is None:
                if self._bulk:
                    # Every waiting reminder's chat had one too recently: wait for the first
                    # of them, looking again at least every turn for an urgent waiter.
                    await self._sleep(min(self._first_chat_ready() - now, self._spacing))
                continue
            # A wake-up late by less than a turn keeps the cadence (no throughput lost to
            # timer jitter); after a quiet spell the next turn counts from now (no burst).
            self._next_global = (due if now - due < self._spacing else now) + self._spacing
            if waiter.chat_id is not None:
                self._next_for_chat[waiter.chat_id] = now + self._per_chat
            self._forget_idle_chats(now)
            if not waiter.granted.done():
                waiter.granted.set_result(None)

    def _next_waiter(self, now: float) -> _Waiter | None:
        while self._urgent:
            waiter = self._urgent.popleft()
            if not waiter.granted.done():
                return waiter
        for waiter in self._bulk:
            if waiter.granted.done():
                continue
            assert waiter.chat_id is not None
            if self._next_for_chat.get(waiter.chat_id, 0.0) <= now:
                self._bulk.remove(waiter)
                return waiter
        self._bulk = deque(waiter for waiter in self._bulk if not waiter.granted.done())
        return None

    def _first_chat_ready(self) -> float:
        return min(
            self._next_for_chat.get(waiter.chat_id, 0.0)
            for waiter in self._bulk
            if waiter.chat_id is not None
        )

    def _forget_idle_chats(self, now: float) -> None:
        """Keep memory flat: chats whose turn has passed need no entry."""
        if len(self._next_for_chat) > 10_000:
            self._next_for_chat = {
                chat: moment for chat, moment in self._next_for_chat.items() if moment > now
            }
