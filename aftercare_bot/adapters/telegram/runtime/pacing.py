"""One budget for everything the bot sends, kept under Telegram's limits in every chat.

Telegram allows about 30 messages a second overall, about one a second in a private chat
(short bursts tolerated) and 20 a minute in a group, and answers a bot that goes faster with
429. Every send takes a turn here, the dispatcher's reminders and the handlers' replies alike:

- each chat has its own pace, so a patient who sends twenty messages in a second gets her
  replies a second apart while everyone else's go out at once, and the bot never provokes the
  per-chat 429 in the first place;
- a waiting send whose chat is not ready never holds up a send to another chat;
- among the sends that may go, the more pressing goes first (`SendPriority`): an urgent
  incident post takes the staff group's next free slot ahead of the routine posts queued there,
  a reply goes before any reminder;
- a 429 holds only the chat it came from, for its retry_after; only 429s from several chats at
  once show the bot-wide limit, and only then does everything wait.

Turns are handed out one at a time as they fall due, never reserved ahead: a reservation
made for a reminder seconds ahead could not be given to a reply that arrives meanwhile.

Each chat's pace is a GCRA (the leaky bucket as a single "theoretical arrival time"): a reply
may use a small burst, a reminder waits until the chat has caught up with its pace.
"""

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from aftercare_bot.domain.outgoing import SendPriority

# Sends a private chat may take at once before the one-a-second pace applies (replies only).
PRIVATE_BURST = 3
# Turns a reply or an urgent post may take ahead of the even overall pace. Evenly spaced turns
# make replies that arrive together queue behind each other; patients tap at random moments,
# so even at 80% of the limit a dozen replies fall due within a few hundred milliseconds now
# and then. With a burst of 5 the unlucky ones waited up to ~150 ms for nothing (the latency
# benchmark's p99); 20 lets them go at once. The overall rate stays within Telegram's: 29 a
# second plus at most this burst, under the burst of about 30 Telegram tolerates (the
# simulator's overall bucket). Reminders never burst: they keep to the even pace.
GLOBAL_BURST = 20
# Telegram's group limit is 20 a minute; a burst of 3 and the rest paced keep any 60 s
# window at or under 20 however the sends fall.
GROUP_PER_MINUTE = 20
GROUP_BURST = 3
# 429s from this many different chats within PATTERN_WINDOW seconds mean the bot-wide limit.
PATTERN_CHATS = 3
PATTERN_WINDOW = 2.0

_priority: ContextVar[SendPriority] = ContextVar("send_priority", default=SendPriority.REPLY)


@contextmanager
def sent_as(priority: SendPriority) -> Iterator[None]:
    """Sends made inside this block take turns as `priority` (urgent posts, re-pages)."""
    token = _priority.set(priority)
    try:
        yield
    finally:
        _priority.reset(token)


def current_priority() -> SendPriority:
    """The priority of sends made here (a reply unless `sent_as` says otherwise)."""
    return _priority.get()


@dataclass(frozen=True)
class ChatPace:
    """One chat's pace: a send every `interval` seconds, `burst` at once for a reply."""

    interval: float
    burst: int


@dataclass(eq=False)
class _Waiter:
    chat_id: int | None
    priority: SendPriority
    granted: asyncio.Future[None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class TelegramPacer:
    """Hands out send turns: at most `per_second` overall, each chat at its own pace, the most
    pressing first; a 429 holds its chat, a pattern of them everything."""

    def __init__(
        self,
        per_second: float,
        per_chat_interval: float,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._spacing = 1.0 / per_second
        self._private = ChatPace(per_chat_interval, PRIVATE_BURST)
        self._group = ChatPace(60.0 / (GROUP_PER_MINUTE - GROUP_BURST), GROUP_BURST)
        self._monotonic = monotonic
        self._sleep = sleep
        # The overall pace as a GCRA: when the budget has caught up with every turn given. A
        # new pacer starts with its burst spent: it cannot know what the process before it sent
        # in the last second (a restart in a flood), and Telegram's budget remembers it.
        self._caught_up_all = monotonic() + (GLOBAL_BURST - 1) * self._spacing
        self._paused_until = 0.0
        # Per chat: when it has caught up with its pace (GCRA's theoretical arrival time).
        self._caught_up: dict[int, float] = {}
        self._held_until: dict[int, float] = {}
        self._refusals: deque[tuple[float, int]] = deque()
        self._queues: dict[SendPriority, deque[_Waiter]] = {p: deque() for p in SendPriority}
        self._handing_out: asyncio.Task[None] | None = None
        self._arrived = asyncio.Event()

    async def wait_turn(self, chat_id: int) -> None:
        """Wait until a reminder to `chat_id` may be sent."""
        await self._wait(_Waiter(chat_id, SendPriority.REMINDER))

    async def wait_urgent_turn(
        self, chat_id: int | None, priority: SendPriority = SendPriority.REPLY
    ) -> None:
        """Wait for the next turn `chat_id` may take, ahead of every reminder (and, for an
        urgent post, ahead of every reply)."""
        await self._wait(_Waiter(chat_id, priority))

    def refused(self, chat_id: int | None, seconds: float) -> None:
        """Telegram answered 429 for a send to `chat_id`: hold that chat for `seconds`; when
        several chats were refused at once, the bot-wide limit was reached: hold everything."""
        now = self._monotonic()
        until = now + seconds
        if chat_id is None:
            self._paused_until = max(self._paused_until, until)
            return
        self._held_until[chat_id] = max(self._held_until.get(chat_id, 0.0), until)
        self._refusals.append((now, chat_id))
        while self._refusals and self._refusals[0][0] < now - PATTERN_WINDOW:
            self._refusals.popleft()
        if len({chat for _, chat in self._refusals}) >= PATTERN_CHATS:
            self._paused_until = max(self._paused_until, until)

    async def _wait(self, waiter: _Waiter) -> None:
        queue = self._queues[waiter.priority]
        queue.append(waiter)
        self._arrived.set()
        if self._handing_out is None or self._handing_out.done():
            self._handing_out = asyncio.create_task(self._hand_out())
        try:
            await waiter.granted
        except asyncio.CancelledError:
            if waiter in queue:
                queue.remove(waiter)
            raise

    def _waiting(self) -> bool:
        return any(self._queues.values())

    async def _hand_out(self) -> None:
        """Give turns while anyone waits: the first waiter of the most pressing kind whose
        chat may take one."""
        while self._waiting():
            now = self._monotonic()
            reminders_from = self._caught_up_all
            pressing_from = reminders_from - (GLOBAL_BURST - 1) * self._spacing
            due = pressing_from if self._pressing_waits() else reminders_from
            due = max(due, self._paused_until)
            if due > now:
                await self._nap(due - now)
                continue
            waiter = self._next_waiter(now, reminders=reminders_from <= now)
            if waiter is None:
                # Every waiter's chat had its share too recently: look again when the first
                # is ready, and at least every turn for a newcomer whose chat is free.
                await self._nap(max(min(self._first_ready() - now, self._spacing), 0.001))
                continue
            # A wake-up late by less than a turn keeps the cadence (no throughput lost to
            # timer jitter); after a quiet spell the next turn counts from now.
            caught_up = self._caught_up_all
            self._caught_up_all = (
                caught_up if now - caught_up < self._spacing else now
            ) + self._spacing
            if waiter.chat_id is not None:
                pace = self._pace(waiter.chat_id)
                self._caught_up[waiter.chat_id] = (
                    max(self._caught_up.get(waiter.chat_id, 0.0), now) + pace.interval
                )
            self._forget_idle_chats(now)
            waiter.granted.set_result(None)  # never done: cancelled waiters are skipped

    async def _nap(self, seconds: float) -> None:
        """Sleep until the next turn may be given, or until someone new asks for one (a reply
        to a free chat must not wait out a nap taken for a chat that was not ready)."""
        self._arrived.clear()
        sleeping = asyncio.ensure_future(self._sleep(seconds))
        arriving = asyncio.ensure_future(self._arrived.wait())
        try:
            await asyncio.wait({sleeping, arriving}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeping.cancel()
            arriving.cancel()

    def _pressing_waits(self) -> bool:
        return any(
            queue
            for priority, queue in self._queues.items()
            if priority is not SendPriority.REMINDER
        )

    def _next_waiter(self, now: float, *, reminders: bool) -> _Waiter | None:
        """The first waiter of the most pressing kind whose chat may take a send now (a
        waiter leaves its queue when granted or cancelled); reminders only when the overall
        pace allows one without a burst."""
        for priority, queue in self._queues.items():  # in priority order
            if priority is SendPriority.REMINDER and not reminders:
                continue
            for waiter in queue:
                if not waiter.granted.done() and self._ready_at(waiter) <= now:
                    queue.remove(waiter)
                    return waiter
        return None

    def _ready_at(self, waiter: _Waiter) -> float:
        """When `waiter`'s chat may take a send of its kind."""
        chat = waiter.chat_id
        if chat is None:
            return 0.0
        pace = self._pace(chat)
        burst = 1 if waiter.priority is SendPriority.REMINDER else pace.burst
        caught_up = self._caught_up.get(chat, 0.0)
        return max(caught_up - (burst - 1) * pace.interval, self._held_until.get(chat, 0.0))

    def _pace(self, chat_id: int) -> ChatPace:
        return self._group if chat_id < 0 else self._private

    def _first_ready(self) -> float:
        return min(self._ready_at(waiter) for queue in self._queues.values() for waiter in queue)

    def _forget_idle_chats(self, now: float) -> None:
        """Keep memory flat: chats that have caught up and are not held need no entry."""
        if len(self._caught_up) > 10_000:
            self._caught_up = {c: at for c, at in self._caught_up.items() if at > now}
        if len(self._held_until) > 1_000:
            self._held_until = {c: at for c, at in self._held_until.items() if at > now}
