"""The patient's answers to an appointment reminder, and the notes that follow them."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from aftercare_bot.domain.audit import AuditEvent
from aftercare_bot.domain.patients import Course, Patient
from aftercare_bot.domain.tasks import StaffTask, TaskKind
from aftercare_bot.services.ports import UnitOfWork
from aftercare_bot.services.tasks import open_task

NOTE_WINDOW = timedelta(hours=2)  # how long after pressing a button a message counts as its note
MAX_NOTE = 500


class ReminderAnswer(StrEnum):
    """What the patient pressed under an appointment reminder."""

    CONFIRM = "confirm"
    RESCHEDULE = "reschedule"
    CHANGED = "changed"


_TASK_FOR = {
    ReminderAnswer.RESCHEDULE: TaskKind.RESCHEDULE,
    ReminderAnswer.CHANGED: TaskKind.SOMETHING_CHANGED,
}


@dataclass(frozen=True)
class ReminderAnswered:
    """The recorded answer, with the patient and course it concerns."""

    answer: ReminderAnswer
    patient: Patient
    course: Course | None


async def answer_reminder(
    uow: UnitOfWork, message_id: int, chat_id: int, answer: ReminderAnswer, now: datetime
) -> ReminderAnswered | None:
    """Record an answer; None when the reminder is not this chat's (a forged or stale press)."""
    message = await uow.outbox.by_id(message_id)
    patient = await uow.patients.by_chat(chat_id)
    if message is None or patient is None or message.patient_id != patient.id:
        return None
    if message.kind != "appointment":
        return None
    course = await uow.patients.current_course(message.patient_id)
    if answer == ReminderAnswer.CONFIRM:
        if course is not None:
            course.appointment_confirmed_at = now
    else:
        await open_task(
            uow,
            StaffTask(
                unique_key=f"{_TASK_FOR[answer].value}:{message.unique_key}",
                kind=_TASK_FOR[answer],
                patient_id=patient.id,
                created_at=now,
            ),
        )
    await uow.audit.record(AuditEvent(now, f"appointment.{answer.value}", subject=patient.code))
    await uow.commit()
    return ReminderAnswered(answer, patient, course)


async def attach_note(
    uow: UnitOfWork, chat_id: int, text: str, now: datetime
) -> tuple[Patient, StaffTask] | None:
    """A patient's message right after "reschedule" or "something changed" is its note."""
    patient = await uow.patients.by_chat(chat_id)
    if patient is None or patient.id is None:
        return None
    task = await uow.tasks.awaiting_note(patient.id, now - NOTE_WINDOW)
    if task is None:
        return None
    task.detail = " ".join(text.split())[:MAX_NOTE]
    await uow.commit()
    return patient, task
