"""Telegram's flood limits, as token buckets on real monotonic time.

Documented limits: about 30 messages per second overall, about one per second in a private
chat (short bursts tolerated), and 20 per minute in a group. Bots that ignore them get 429
with retry_after; the simulator reproduces that so retry logic can be exercised. Capacities
and rates are parameters so tests can use tiny buckets and assert on counts, not timings.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from .errors import too_many_requests

_EXTRA_LIMITED = frozenset(
    {
        "editmessagetext",
        "editmessagecaption",
        "editmessagemedia",
        "editmessagereplymarkup",
        "editmessagelivelocation",
        "copymessage",
        "copymessages",
        "forwardmessage",
        "forwardmessages",
    }
)


def is_rate_limited(method: str) -> bool:
    """Whether calls of `method` count against flood limits (sends and edits do)."""
    name = method.lower()
    return (name.startswith("send") and name != "sendchataction") or name in _EXTRA_LIMITED


@dataclass(frozen=True)
class RateLimits:
    """Bucket sizes (burst) and refill rates (per second) for each limit."""

    global_rate: float = 30.0
    global_burst: float = 30.0
    private_rate: float = 1.0
    private_burst: float = 5.0
    group_rate: float = 20.0 / 60.0
    group_burst: float = 20.0


class TokenBucket:
    """Holds up to `capacity` tokens, refilled continuously at `rate` per second."""

    def __init__(self, rate: float, capacity: float, now: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
        self.updated = now

    def wait_time(self, now: float) -> float:
        """Seconds until one token is available (0 if one is available now)."""
        self._refill(now)
        if self.tokens >= 1:
            return 0.0
        return math.inf if self.rate <= 0 else (1 - self.tokens) / self.rate

    def take(self, now: float) -> None:
        """Spend one token; call only after wait_time returned 0."""
        self._refill(now)
        self.tokens -= 1

    def _refill(self, now: float) -> None:
        elapsed = max(now - self.updated, 0.0)
        self.tokens = min(self.capacity, self.tokens + elapsed * self.rate)
        self.updated = now


class RateLimiter:
    """Applies the global bucket plus one bucket per chat to sending calls."""

    def __init__(
        self,
        limits: RateLimits,
        enabled: bool = True,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limits = limits
        self.enabled = enabled
        self._monotonic = monotonic
        self._global = TokenBucket(limits.global_rate, limits.global_burst, monotonic())
        self._chats: dict[int, TokenBucket] = {}

    def acquire(self, chat_id: int | None, private: bool) -> None:
        """Spend a token from every applicable bucket, or raise 429 without spending any."""
        if not self.enabled:
            return
        now = self._monotonic()
        buckets = [self._global]
        if chat_id is not None:
            buckets.append(self._chat_bucket(chat_id, private, now))
        wait = max(bucket.wait_time(now) for bucket in buckets)
        if wait > 0:
            raise too_many_requests(max(1, math.ceil(min(wait, 3600))))
        for bucket in buckets:
            bucket.take(now)

    def _chat_bucket(self, chat_id: int, private: bool, now: float) -> TokenBucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            limits = self.limits
            rate, burst = (
                (limits.private_rate, limits.private_burst)
                if private
                else (limits.group_rate, limits.group_burst)
            )
            bucket = self._chats[chat_id] = TokenBucket(rate, burst, now)
        return bucket
