"""Check-ins, found by id or by patient."""

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from aftercare_bot.adapters.persistence.tables import check_ins
from aftercare_bot.domain.check_ins import CheckIn


class CheckInRepository:
    """Check-ins."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, check_in: CheckIn) -> None:
        """Stage a new check-in."""
        self._session.add(check_in)

    async def flush(self) -> None:
        """Write staged check-ins so they get their ids."""
        await self._session.flush()

    async def by_id(self, check_in_id: int) -> CheckIn | None:
        """The check-in with this id."""
        return await self._session.get(CheckIn, check_in_id)

    async def for_message(self, scheduled_message_id: int) -> CheckIn | None:
        """The check-in a plan message asks."""
        return await self._session.scalar(
            select(CheckIn).where(check_ins.c.scheduled_message_id == scheduled_message_id)
        )

    async def of_patient(self, patient_id: int) -> Sequence[CheckIn]:
        """A patient's check-ins, oldest first."""
        rows = await self._session.scalars(
            select(CheckIn)
            .where(check_ins.c.patient_id == patient_id)
            .order_by(check_ins.c.opened_at, check_ins.c.id)
        )
        return list(rows)
