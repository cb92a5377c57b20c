"""Staff tasks: opened once, brought to staff as part of the patient's incident, closed once.

A task is stored with a timer in the same transaction; the dispatcher acts on the timer by
opening or joining the patient's incident. So a task can never exist without staff being
shown it, even when the bot stops between the two.
"""

from datetime import datetime

from aftercare_bot.domain.audit import AuditEvent
from aftercare_bot.domain.outbox import INCIDENT_TASK, Priority, ScheduledMessage
from aftercare_bot.domain.tasks import StaffTask
from aftercare_bot.services.check_ins import TIMER_LIFETIME
from aftercare_bot.services.ports import UnitOfWork


async def open_task(uow: UnitOfWork, task: StaffTask) -> bool:
    """Stage a task unless one with its key exists, with the timer that shows it to staff;
    True if it was added. The caller commits."""
    if not await uow.tasks.open_unless_present(task):
        return False
    if task.patient_id is None:
        return True
    await uow.tasks.flush()
    await uow.outbox.add_unless_present(
        ScheduledMessage(
            unique_key=f"incident-task:{task.id}",
            patient_id=task.patient_id,
            kind=INCIDENT_TASK,
            message_key="",
            due_at=task.created_at,
            valid_until=task.created_at + TIMER_LIFETIME,
            step_key=str(task.id),
            priority=Priority.STAFF,
        )
    )
    return True


async def close_task(
    uow: UnitOfWork, task_id: int, staff_id: int, now: datetime
) -> StaffTask | None:
    """Mark a task done by a staff member; None if it does not exist or is already done."""
    task = await uow.tasks.by_id(task_id)
    if task is None or not task.close(staff_id, now):
        return None
    await uow.audit.record(AuditEvent(now, "task.done", staff_id, subject=str(task_id)))
    await uow.commit()
    return task


async def close_incident_tasks(
    uow: UnitOfWork, incident_id: int, staff_id: int, now: datetime
) -> int:
    """An incident resolved closes the tasks it gathered; returns how many. The caller commits."""
    closed = 0
    for task in await uow.tasks.open_for_incident(incident_id):
        closed += task.close(staff_id, now)
    return closed
