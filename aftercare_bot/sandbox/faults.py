"""Injectable failures, for proving that a bot survives a bad day at Telegram.

Faults are consulted before a request reaches its handler: a scheduled failure, a delay, or
a 429 storm. Group migration also lives here because, for a bot, it is something that
happens to it without warning.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .chats import SimChat
from .errors import http_error, too_many_requests
from .rate_limits import is_rate_limited


@dataclass
class _Failure:
    method: str | None
    remaining: int
    status: int
    description: str | None
    retry_after: int


@dataclass
class _Delay:
    method: str | None
    seconds: float
    remaining: int | None


@dataclass
class _Flood:
    method: str | None
    until: float
    retry_after: int


class Hold:
    """One held call: `arrived()` resolves when it reaches the server, `release()` lets it go.

    This is how a test catches the bot mid-request (to kill it there, say). A hold "before"
    stops the call before Telegram acts on it; a hold "after" lets Telegram act (the message
    is delivered) and holds only the answer, the moment a crash leaves a sent message
    unrecorded by the bot.
    """

    def __init__(
        self,
        method: str | None,
        after: bool = False,
        matching: Callable[[dict[str, Any]], bool] | None = None,
    ) -> None:
        self.method = method
        self.after = after
        self.matching = matching
        self._arrived = asyncio.Event()
        self._released = asyncio.Event()

    async def arrived(self) -> None:
        """Wait until the held call has reached the server (wrap in a timeout)."""
        await self._arrived.wait()

    def release(self) -> None:
        """Let the held call be answered."""
        self._released.set()

    async def _pass(self) -> None:
        self._arrived.set()
        await self._released.wait()


class Faults:
    """Failure schedule of one simulator; method names are matched case-insensitively."""

    def __init__(
        self,
        migrate: Callable[[SimChat], SimChat],
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._migrate = migrate
        self._monotonic = monotonic
        self._failures: list[_Failure] = []
        self._delays: list[_Delay] = []
        self._floods: list[_Flood] = []
        self._holds: list[Hold] = []

    def hold_next(
        self,
        method: str | None = None,
        *,
        after: bool = False,
        matching: Callable[[dict[str, Any]], bool] | None = None,
    ) -> Hold:
        """Hold the next call of `method` (None: any) whose raw parameters satisfy `matching`
        until the returned Hold is released; with `after=True` the call is carried out first
        and only its answer is held."""
        hold = Hold(_norm(method), after, matching)
        self._holds.append(hold)
        return hold

    async def hold_answer(self, method: str, params: dict[str, Any]) -> None:
        """Called once a call was carried out: wait on an "after" hold for it, if any."""
        await self._pass_hold(method.lower(), params, after=True)

    async def _pass_hold(self, name: str, params: dict[str, Any], *, after: bool) -> None:
        hold = next(
            (
                h
                for h in self._holds
                if h.method in (None, name)
                and h.after == after
                and (h.matching is None or h.matching(params))
            ),
            None,
        )
        if hold is not None:
            self._holds.remove(hold)
            await hold._pass()

    def fail_next(
        self,
        method: str | None = None,
        *,
        times: int = 1,
        status: int = 500,
        description: str | None = None,
        retry_after: int = 1,
    ) -> None:
        """Answer the next `times` calls of `method` (None: any method) with `status`.

        A 429 carries `retry_after`; other statuses carry `description` (default: the HTTP
        reason, e.g. "Internal Server Error"), so 400/403 with Telegram wording work too.
        """
        self._failures.append(_Failure(_norm(method), times, status, description, retry_after))

    def delay(self, method: str | None = None, *, seconds: float, times: int | None = None) -> None:
        """Hold answers to `method` (None: any) for `seconds`; `times=None` means until cleared."""
        self._delays.append(_Delay(_norm(method), seconds, times))

    def flood(self, *, seconds: float, retry_after: int, method: str | None = None) -> None:
        """Answer 429 for `seconds` of real time to `method` (None: every sending method)."""
        until = self._monotonic() + seconds
        self._floods.append(_Flood(_norm(method), until, retry_after))

    def migrate_chat(self, group: SimChat) -> SimChat:
        """Upgrade `group` to a supergroup; sends to the old id then fail with ChatMigrated."""
        return self._migrate(group)

    def clear(self) -> None:
        """Cancel every pending failure, delay and storm."""
        self._failures.clear()
        self._delays.clear()
        self._floods.clear()
        for hold in self._holds:
            hold.release()
        self._holds.clear()

    async def apply(self, method: str, params: dict[str, Any] | None = None) -> None:
        """Run the faults scheduled for this call: wait, then maybe raise an ApiError."""
        name = method.lower()
        await self._pass_hold(name, params or {}, after=False)
        delay = self._take_delay(name)
        if delay:
            await asyncio.sleep(delay)
        failure = self._take_failure(name)
        if failure is not None:
            if failure.status == 429:
                raise too_many_requests(failure.retry_after)
            raise http_error(failure.status, failure.description)
        now = self._monotonic()
        self._floods = [flood for flood in self._floods if flood.until > now]
        for flood in self._floods:
            if flood.method == name or (flood.method is None and is_rate_limited(name)):
                raise too_many_requests(flood.retry_after)

    def _take_delay(self, name: str) -> float:
        for delay in self._delays:
            if delay.method in (None, name):
                if delay.remaining is not None:
                    delay.remaining -= 1
                    if delay.remaining <= 0:
                        self._delays.remove(delay)
                return delay.seconds
        return 0.0

    def _take_failure(self, name: str) -> _Failure | None:
        for failure in self._failures:
            if failure.method in (None, name):
                failure.remaining -= 1
                if failure.remaining <= 0:
                    self._failures.remove(failure)
                return failure
        return None


def _norm(method: str | None) -> str | None:
    return method.lower() if method else None
