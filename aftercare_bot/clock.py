"""The one place that reads the time; everything else is handed `now` or a `Clock` (the port
in services/ports.py).

Tests use `ManualClock` and move it forward; its listeners (the scheduler's `wake`) run at
once, so a test never sleeps through real time to see a reminder fall due.
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        """The current moment from the operating system."""
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to, and tells its listeners when it does."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start.astimezone(UTC)
        self._listeners: list[Callable[[], None]] = []

    def now(self) -> datetime:
        """The moment the clock was last set to."""
        return self._now

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call `listener` every time the clock moves."""
        self._listeners.append(listener)

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock forward and wake whoever waits on it."""
        if delta < timedelta(0):
            raise ValueError("time does not run backwards")
        return self.set(self._now + delta)

    def set(self, moment: datetime) -> datetime:
        """Jump to `moment` (aware) and wake whoever waits on it."""
        self._now = moment.astimezone(UTC)
        for listener in self._listeners:
            listener()
        return self._now
