"""Event-driven waiting on simulator state.

State changes happen in plain synchronous code (a handler storing a message, a user pressing
a button), where an `asyncio.Condition` would need its lock awaited. A fresh `asyncio.Event`
per change lets synchronous code wake every waiter, and waiters re-check their predicate, so
nobody ever sleeps on a timer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class ChangeNotifier:
    """Wakes all waiters whenever `notify` is called."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        """Wake everyone currently waiting; later waiters wait for the next change."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait_until(self, check: Callable[[], T | None], within: float | None) -> T:
        """Return the first non-None result of `check`, re-evaluated after each change.

        Raises TimeoutError when `within` seconds pass first (None waits forever).
        """
        async with asyncio.timeout(within):
            while True:
                result = check()
                if result is not None:
                    return result
                await self._event.wait()
