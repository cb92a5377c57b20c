"""Staff tasks in memory: the fake of `adapters.persistence.tasks.TaskRepository`."""

from collections.abc import MutableMapping, Sequence
from datetime import datetime

from aftercare_bot.domain.tasks import StaffTask, TaskKind
from tests.fakes.store import FakeSession

TABLE = "staff_tasks"


class FakeTaskRepository:
    """Staff tasks, kept as `StaffTask` rows by id."""

    def __init__(self, session: FakeSession) -> None:
        self._session = session

    @property
    def _rows(self) -> MutableMapping[int, StaffTask]:
        return self._session.table(TABLE)

    def _open(self) -> list[StaffTask]:
        return [task for task in self._rows.values() if task.done_at is None]

    async def open_unless_present(self, task: StaffTask) -> bool:
        """Stage a task unless one with the same key exists; True if it was added."""
        # Another unit's committed task counts too: the database's unique key sees it.
        rows = [*self._rows.values(), *self._session.committed(TABLE).values()]
        if any(row.unique_key == task.unique_key for row in rows):
            return False
        if task.id is None:
            task.id = self._session.new_id(TABLE)
        self._rows[task.id] = task
        return True

    async def flush(self) -> None:
        """Nothing to write: tasks get their ids when staged."""

    async def open_for_incident(self, incident_id: int) -> Sequence[StaffTask]:
        """The incident's tasks not done yet."""
        return [task for task in self._open() if task.incident_id == incident_id]

    async def by_id(self, task_id: int) -> StaffTask | None:
        """The task with this id."""
        return self._rows.get(task_id)

    async def awaiting_note(self, patient_id: int, since: datetime) -> StaffTask | None:
        """The patient's newest task still waiting for the note they were asked to write."""
        waiting = [
            task
            for task in self._open()
            if task.patient_id == patient_id
            and task.kind in (TaskKind.RESCHEDULE, TaskKind.SOMETHING_CHANGED)
            and task.detail is None
            and task.created_at >= since
        ]
        return max(waiting, key=lambda task: (task.created_at, task.id or 0), default=None)

    async def count_open(self) -> int:
        """How many tasks are not done yet."""
        return len(self._open())

    async def open_tasks(self, limit: int = 50) -> Sequence[StaffTask]:
        """Tasks not done yet, oldest first."""
        return sorted(self._open(), key=lambda task: (task.created_at, task.id or 0))[:limit]
