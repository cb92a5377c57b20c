"""The fake of `HeldUpdateRepository`: updates kept across a stop."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from aftercare_bot.adapters.persistence.held_updates import HeldUpdate
from tests.fakes.store import FakeSession


@dataclass
class HeldUpdateRow:
    """A row of `held_updates`."""

    update_id: int
    chat_id: int | None
    held_at: datetime
    payload: str


class FakeHeldUpdateRepository:
    """Held updates by id, oldest first, in memory."""

    def __init__(self, session: FakeSession) -> None:
        self._session = session

    async def keep(self, updates: Sequence[HeldUpdate], now: datetime) -> None:
        """Keep these updates; one already kept stays as it is."""
        table = self._session.table("held_updates")
        for update in updates:
            if update.update_id not in table:
                table[update.update_id] = HeldUpdateRow(
                    update.update_id, update.chat_id, now, update.payload
                )

    async def all(self) -> list[HeldUpdate]:
        """Every kept update, in the order Telegram numbered them."""
        rows = sorted(self._session.table("held_updates").values(), key=lambda row: row.update_id)
        return [HeldUpdate(row.update_id, row.chat_id, row.payload) for row in rows]

    async def forget(self, update_ids: Iterable[int]) -> None:
        """Delete the updates that have been handled."""
        table = self._session.table("held_updates")
        for update_id in update_ids:
            table.pop(update_id, None)

    async def forget_chat(self, chat_id: int) -> None:
        """Delete what a chat sent that was not handled yet (the patient's data is erased)."""
        table = self._session.table("held_updates")
        for update_id in [key for key, row in table.items() if row.chat_id == chat_id]:
            del table[update_id]
