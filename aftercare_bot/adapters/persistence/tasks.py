"""Staff tasks: opened once per unique key, listed while open, closed with who and when."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from aftercare_bot.adapters.persistence.tables import staff_tasks
from aftercare_bot.domain.tasks import StaffTask, TaskKind


class TaskRepository:
    """Staff tasks."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def open_unless_present(self, task: StaffTask) -> bool:
        """Stage a task unless one with the same key exists; True if it was added."""
        existing = await self._session.scalar(
            select(staff_tasks.c.id).where(staff_tasks.c.unique_key == task.unique_key)
        )
        if existing is not None:
            return False
        self._session.add(task)
        return True

    async def flush(self) -> None:
        """Give staged tasks their ids."""
        await self._session.flush()

    async def open_for_incident(self, incident_id: int) -> Sequence[StaffTask]:
        """The incident's tasks not done yet."""
        rows = await self._session.scalars(
            select(StaffTask).where(
                staff_tasks.c.incident_id == incident_id, staff_tasks.c.done_at.is_(None)
            )
        )
        return list(rows)

    async def by_id(self, task_id: int) -> StaffTask | None:
        """The task with this id."""
        return await self._session.get(StaffTask, task_id)

    async def awaiting_note(self, patient_id: int, since: datetime) -> StaffTask | None:
        """The patient's newest task still waiting for the note they were asked to write."""
        return await self._session.scalar(
            select(StaffTask)
            .where(
                staff_tasks.c.patient_id == patient_id,
                staff_tasks.c.kind.in_([TaskKind.RESCHEDULE, TaskKind.SOMETHING_CHANGED]),
                staff_tasks.c.detail.is_(None),
                staff_tasks.c.done_at.is_(None),
                staff_tasks.c.created_at >= since,
            )
            .order_by(staff_tasks.c.created_at.desc(), staff_tasks.c.id.desc())
            .limit(1)
        )

    async def count_open(self) -> int:
        """How many tasks are not done yet."""
        return int(
            await self._session.scalar(select(func.count()).where(staff_tasks.c.done_at.is_(None)))
            or 0
        )

    async def open_tasks(self, limit: int = 50) -> Sequence[StaffTask]:
        """Tasks not done yet, oldest first."""
        rows = await self._session.scalars(
            select(StaffTask)
            .where(staff_tasks.c.done_at.is_(None))
            .order_by(staff_tasks.c.created_at, staff_tasks.c.id)
            .limit(limit)
        )
        return list(rows)
