"""A patient's answers to an appointment reminder and staff's follow-up tasks, as use cases
any front end can call. Each call opens and commits its own unit of work; an answer that
opened a task wakes the dispatcher, whose timer brings the task into the patient's incident."""

from collections.abc import Sequence
from dataclasses import dataclass

from aftercare_bot.domain.patients import Patient
from aftercare_bot.domain.tasks import StaffTask
from aftercare_bot.services import appointments, tasks
from aftercare_bot.services.appointments import ReminderAnswer, ReminderAnswered
from aftercare_bot.services.ports import Clock, UnitsOfWork, WakeUp


@dataclass(frozen=True)
class OpenTasks:
    """The oldest open tasks with their patients (None for an erased one), and how many
    tasks are open in all."""

    tasks: Sequence[tuple[StaffTask, Patient | None]]
    total: int


@dataclass(frozen=True)
class AppointmentReplies:
    """Reminder answers, their notes, and the tasks they open for staff."""

    units: UnitsOfWork
    clock: Clock
    wake: WakeUp

    async def answer(
        self, message_id: int, chat_id: int, answer: ReminderAnswer
    ) -> ReminderAnswered | None:
        """Record the patient's answer to this reminder; None when the reminder is not this
        chat's (a forged or stale press)."""
        async with self.units.unit_of_work() as uow:
            outcome = await appointments.answer_reminder(
                uow, message_id, chat_id, answer, self.clock.now()
            )
        if outcome is not None and answer != ReminderAnswer.CONFIRM:
            self.wake.wake()
        return outcome

    async def note(self, chat_id: int, text: str) -> tuple[Patient, StaffTask] | None:
        """Keep this message as the note of the task the patient just opened; None if no task
        is waiting for one (the text is something else)."""
        async with self.units.unit_of_work() as uow:
            return await appointments.attach_note(uow, chat_id, text, self.clock.now())

    async def open_tasks(self, limit: int) -> OpenTasks:
        """The `limit` oldest open tasks, for the staff's list."""
        async with self.units.unit_of_work() as uow:
            listed = list(await uow.tasks.open_tasks(limit))
            total = await uow.tasks.count_open()
            return OpenTasks(
                [(task, await uow.patients.by_id(task.patient_id)) for task in listed], total
            )

    async def close_task(self, task_id: int, staff_id: int) -> StaffTask | None:
        """Mark a task done; None if it does not exist or is already done."""
        async with self.units.unit_of_work() as uow:
            return await tasks.close_task(uow, task_id, staff_id, self.clock.now())

    async def task_to_report(
        self, task_id: int, patient_id: int
    ) -> tuple[StaffTask, Patient] | None:
        """A task whose timer fired, with its patient, to bring into the patient's incident;
        None if it was done meanwhile or the patient is gone."""
        async with self.units.unit_of_work() as uow:
            task = await uow.tasks.by_id(task_id)
            patient = await uow.patients.by_id(patient_id)
        if task is None or task.done_at is not None or patient is None:
            return None
        return task, patient
