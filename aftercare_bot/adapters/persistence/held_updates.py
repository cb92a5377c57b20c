"""Updates kept across a stop: what a flood left unhandled when SIGTERM came.

Telegram considers an update delivered once the bot has fetched it (or answered its
webhook), so an update in hand at a stop exists nowhere else: it is kept here as Telegram sent
it and handled first on the next start. Rows live from one stop to the next start.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from aftercare_bot.adapters.persistence.tables import held_updates


@dataclass(frozen=True)
class HeldUpdate:
    """One update as Telegram sent it (JSON), and the chat it came from."""

    update_id: int
    chat_id: int | None
    payload: str


class HeldUpdateRepository:
    """Held updates by id, oldest first."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def keep(self, updates: Sequence[HeldUpdate], now: datetime) -> None:
        """Keep these updates; one already kept (a second stop before it was handled) stays
        as it is."""
        if not updates:
            return
        present = set(
            (
                await self._session.execute(
                    select(held_updates.c.update_id).where(
                        held_updates.c.update_id.in_([update.update_id for update in updates])
                    )
                )
            ).scalars()
        )
        fresh = [update for update in updates if update.update_id not in present]
        if fresh:
            await self._session.execute(
                held_updates.insert(),
                [
                    {
                        "update_id": update.update_id,
                        "chat_id": update.chat_id,
                        "held_at": now,
                        "payload": update.payload,
                    }
                    for update in fresh
                ],
            )

    async def all(self) -> list[HeldUpdate]:
        """Every kept update, in the order Telegram numbered them."""
        rows = await self._session.execute(
            select(
                held_updates.c.update_id, held_updates.c.chat_id, held_updates.c.payload
            ).order_by(held_updates.c.update_id)
        )
        return [HeldUpdate(row.update_id, row.chat_id, row.payload) for row in rows]

    async def forget(self, update_ids: Iterable[int]) -> None:
        """Delete the updates that have been handled."""
        ids = list(update_ids)
        for start in range(0, len(ids), 500):
            await self._session.execute(
                delete(held_updates).where(held_updates.c.update_id.in_(ids[start : start + 500]))
            )

    async def forget_chat(self, chat_id: int) -> None:
        """Delete what a chat sent that was not handled yet (the patient's data is erased)."""
        await self._session.execute(delete(held_updates).where(held_updates.c.chat_id == chat_id))
