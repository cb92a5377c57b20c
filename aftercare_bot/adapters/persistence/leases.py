"""Leases: one row per lease, read with a row lock while it is taken or renewed."""

from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from aftercare_bot.adapters.persistence.tables import leases
from aftercare_bot.domain.leadership import Lease


class LeaseRepository:
    """Leases by name."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def locked(self, name: str) -> Lease | None:
        """The lease, locked against another instance until this transaction ends."""
        row = (
            await self._session.execute(
                select(leases.c.holder, leases.c.expires_at)
                .where(leases.c.name == name)
                .with_for_update()
            )
        ).first()
        return Lease(row.holder, row.expires_at) if row else None

    async def put(self, name: str, holder: str, expires_at: datetime, *, exists: bool) -> None:
        """Take or renew the lease."""
        if exists:
            await self._session.execute(
                update(leases)
                .where(leases.c.name == name)
                .values(holder=holder, expires_at=expires_at)
            )
        else:
            await self._session.execute(
                insert(leases).values(name=name, holder=holder, expires_at=expires_at)
            )

    async def release(self, name: str, holder: str) -> None:
        """Give the lease up at once (a clean stop), if it is still ours."""
        await self._session.execute(
            delete(leases).where(leases.c.name == name, leases.c.holder == holder)
        )
