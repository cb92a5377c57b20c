"""How many API requests a key may make: at most `per_minute` in any sliding minute, so a
runaway script slows down instead of crowding out staff (and is told when to try again)."""

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

WINDOW = timedelta(minutes=1)


@dataclass
class RequestBudget:
    """Each key's requests of the last minute, in memory (per instance)."""

    per_minute: int = 120
    _seen: dict[int, deque[datetime]] = field(default_factory=dict)

    def take(self, key_id: int, now: datetime) -> timedelta | None:
        """Count a request; None when it may go, else how long until one may."""
        seen = self._seen.setdefault(key_id, deque())
        while seen and now - seen[0] >= WINDOW:
            seen.popleft()
        if len(seen) >= self.per_minute:
            return WINDOW - (now - seen[0])
        seen.append(now)
        return None
