"""The bot's update queue with getUpdates semantics.

Telegram keeps updates until a getUpdates call confirms them with a higher offset, so a bot
that crashes mid-batch sees them again. Only one long poll may be pending: a new getUpdates
terminates the previous one with 409, which is how Telegram signals two running instances.
"""

from __future__ import annotations

import copy
from typing import Any

from .errors import POLL_CONFLICT, ApiError
from .notifier import ChangeNotifier

FIRST_UPDATE_ID = 100_000_001
MAX_LIMIT = 100
DEFAULT_EXCLUDED = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class UpdateQueue:
    """Pending updates plus the single long-poll slot."""

    def __init__(self, changed: ChangeNotifier | None = None) -> None:
        self._pending: list[dict[str, Any]] = []
        self._next_id = FIRST_UPDATE_ID
        self._changed = changed or ChangeNotifier()
        self.waiting_polls = 0
        self._generation = 0
        self._allowed: frozenset[str] | None = None
        self._closed = False

    @property
    def polling(self) -> bool:
        """Whether a getUpdates call is currently held open waiting for updates."""
        return self.waiting_polls > 0

    @property
    def pending_count(self) -> int:
        """How many updates wait for confirmation (getWebhookInfo reports this)."""
        return len(self._pending)

    def push(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Queue an update; the payload is copied so later edits don't rewrite history."""
        update = {"update_id": self._next_id, kind: copy.deepcopy(payload)}
        self._next_id += 1
        self._pending.append(update)
        self._changed.notify()
        return update

    def drop_pending(self) -> None:
        """Forget queued updates, as drop_pending_updates=True does."""
        self._pending.clear()

    def close(self) -> None:
        """Release any pending long poll so the server can stop promptly."""
        self._closed = True
        self._changed.notify()

    async def poll(
        self,
        offset: int | None,
        limit: int | None,
        hold_seconds: float,
        allowed_updates: list[str] | None,
    ) -> list[dict[str, Any]]:
        """Serve one getUpdates call, holding it up to `hold_seconds` until there is something.

        Running out of time is the normal empty answer of a long poll, not an error.
        """
        self._generation += 1
        mine = self._generation
        self._confirm(offset)
        if allowed_updates is not None:
            self._allowed = frozenset(allowed_updates) or None
        size = min(max(limit or MAX_LIMIT, 1), MAX_LIMIT)

        def ready() -> list[dict[str, Any]] | None:
            if self._generation != mine:
                raise ApiError(409, POLL_CONFLICT)
            batch = self._deliverable(size)
            return batch if batch or self._closed else None

        self.waiting_polls += 1
        self._changed.notify()  # wakes a previous poll (to fail with 409) and poll watchers
        try:
            return await self._changed.wait_until(ready, max(hold_seconds, 0.0))
        except TimeoutError:
            return []
        finally:
            self.waiting_polls -= 1
            self._changed.notify()

    def allow(self, allowed_updates: list[str]) -> None:
        """The update types the bot asked for (setWebhook's allowed_updates)."""
        self._allowed = frozenset(allowed_updates) or None

    def deliverable(self) -> list[dict[str, Any]]:
        """Updates waiting to be delivered (to a webhook), oldest first."""
        return list(self._deliverable(MAX_LIMIT))

    def confirm_through(self, update_id: int) -> None:
        """A webhook answered 2xx for this update: it and older ones are delivered."""
        self._confirm(update_id + 1)
        self._changed.notify()

    def _confirm(self, offset: int | None) -> None:
        if not offset:
            return
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        else:
            self._pending = self._pending[offset:]

    def _deliverable(self, size: int) -> list[dict[str, Any]]:
        """Drop updates of types the bot did not ask for, then take the oldest `size`."""
        self._pending = [u for u in self._pending if self._is_allowed(u)]
        return self._pending[:size]

    def _is_allowed(self, update: dict[str, Any]) -> bool:
        kind = next(key for key in update if key != "update_id")
        if self._allowed is None:
            return kind not in DEFAULT_EXCLUDED
        return kind in self._allowed
