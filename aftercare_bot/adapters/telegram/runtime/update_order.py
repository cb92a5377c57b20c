"""Updates from different chats side by side, each chat's in the order they came.

python-telegram-bot handles one update at a time by default: then a reply waiting for its
turn under Telegram's 30/s holds up every other patient's button press behind it, and the
press is not even acknowledged. Handling everything at once instead would let one patient's
two quick presses race (the second read before the first is stored). So an update waits only
for the earlier updates of its own chat.

One update skips its chat's queue: a patient blocking the bot. Handled in turn it came late
(staff heard of it after the bot had answered everything the chat sent before); handled at
once, the chat is marked blocked and the replies still queued for it are dropped unsent.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from telegram import ChatMember, Update
from telegram.constants import ChatType
from telegram.ext import BaseUpdateProcessor

from aftercare_bot.adapters.telegram.runtime.answer_wakes import HELD_WAKES, HeldWakes
from aftercare_bot.adapters.telegram.runtime.blocked_chats import BlockedChats

logger = logging.getLogger(__name__)

# Updates handled at once (each of a different chat). Far above what a clinic's patients
# send; it bounds the work in progress, not the updates in hand (python-telegram-bot takes
# every fetched update into a task at once; a chat's later updates wait cheaply).
MAX_CONCURRENT_UPDATES = 1024
# What python-telegram-bot's own bound is set to: an update waiting for its chat's earlier
# ones must not hold one of its slots, or one chat's backlog of a thousand presses would
# keep every other chat's updates from even starting.
_UNBOUNDED = 1 << 30

BeforeWaiting = Callable[[object], Awaitable[None]]


class ChatOrderedUpdates(BaseUpdateProcessor):
    """Runs each update after the previous update of the same chat has been handled."""

    def __init__(
        self,
        before_waiting: BeforeWaiting | None = None,
        max_concurrent_updates: int = MAX_CONCURRENT_UPDATES,
        blocked: BlockedChats | None = None,
    ) -> None:
        super().__init__(_UNBOUNDED)
        self._slots = asyncio.Semaphore(max_concurrent_updates)
        self._before_waiting = before_waiting
        self._blocked = blocked if blocked is not None else BlockedChats()
        self._last: dict[Hashable, asyncio.Future[None]] = {}
        # Stopping (see `stop_handling`): no update starts, what is cut short is set aside.
        self._stopping = False
        self._handling: set[asyncio.Future[Any]] = set()
        self._cut_short: set[asyncio.Future[Any]] = set()
        self._set_aside: list[object] = []
        # Set while no update is being handled (its held wake-ups included): see `idle`.
        self._quiet = asyncio.Event()
        self._quiet.set()
        self._busy = 0

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the chat's previous update, then handle this one. An update that has to
        wait is first shown to `before_waiting` (a press gets its spinner stopped). A block
        is handled at once; any later update of that chat shows it open again."""
        private = private_chat_id(update)
        if private is not None and jumps_the_queue(update):
            self._blocked.add(private)
            await self._unless_stopping(update, coroutine)
            return
        if private is not None:
            self._blocked.discard(private)
        key = chat_key(update)
        previous = self._last.get(key)
        handled: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._last[key] = handled
        try:
            if previous is not None and not previous.done():
                await self._announce(update)
                await previous
            async with self._slots:  # taken only once the chat's turn has come
                await self._unless_stopping(update, coroutine)
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

    async def _unless_stopping(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Handle the update, unless the bot is stopping: then it is set aside (see
        `stop_handling`)."""
        if self._stopping:
            if asyncio.iscoroutine(coroutine):
                coroutine.close()
            self._set_aside.append(update)
            return
        held = HeldWakes()
        token = HELD_WAKES.set(held)  # the task below copies it: its wake-ups wait for its end
        try:
            handling = asyncio.ensure_future(coroutine)
        finally:
            HELD_WAKES.reset(token)
        self._handling.add(handling)
        self._busy += 1
        self._quiet.clear()
        try:
            await handling
        except asyncio.CancelledError:
            if handling not in self._cut_short:
                raise
            self._set_aside.append(update)  # cut short by the stop: handled again next start
        finally:
            self._handling.discard(handling)
            held.release()
            self._busy -= 1
            if not self._busy:
                self._quiet.set()

    async def idle(self) -> None:
        """Wait until no update is being handled (what their handlers woke is then under way)."""
        await self._quiet.wait()

    async def stop_handling(self, grace: float) -> None:
        """Start no more updates, and give those being handled `grace` seconds to finish
        before cutting them short.

        A flood leaves hundreds of updates in hand, each waiting for its chat's earlier ones
        and for its turn to send: handling them all would outlast systemd's stop timeout and
        the process would be killed with them in memory. What has not finished is set aside
        instead (`set_aside`) for the caller to keep until the next start. An update cut
        short may have sent part of its answer; handled again, that part can come twice,
        which beats losing what a patient wrote.
        """
        self._stopping = True
        handling = set(self._handling)
        if not handling:
            return
        _, unfinished = await asyncio.wait(handling, timeout=grace)
        for task in unfinished:
            self._cut_short.add(task)
            task.cancel()
        if unfinished:
            await asyncio.wait(unfinished)
            logger.warning("stopping: %s updates in hand were cut short", len(unfinished))

    def set_aside(self) -> list[object]:
        """Updates received but not handled because the bot was stopping, oldest first.
        Complete once the Application has stopped (it hands over what it still queued)."""
        return sorted(self._set_aside, key=_update_id)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release: the Application waits for the updates in hand."""


def jumps_the_queue(update: object) -> bool:
    """A private chat's owner blocked the bot (or left it): news that must not wait."""
    if not isinstance(update, Update) or update.my_chat_member is None:
        return False
    change = update.my_chat_member
    return change.chat.type == ChatType.PRIVATE and change.new_chat_member.status in (
        ChatMember.BANNED,
        ChatMember.LEFT,
    )


def private_chat_id(update: object) -> int | None:
    """The id of the private chat an update comes from, if it comes from one."""
    if isinstance(update, Update) and update.effective_chat is not None:
        chat = update.effective_chat
        return chat.id if chat.type == ChatType.PRIVATE else None
    return None


def chat_key(update: object) -> Hashable:
    """What orders an update: its chat, else its sender (inline queries and the like)."""
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return ("chat", update.effective_chat.id)
        if update.effective_user is not None:
            return ("user", update.effective_user.id)
    return "other"


def _update_id(update: object) -> int:
    return update.update_id if isinstance(update, Update) else 0
