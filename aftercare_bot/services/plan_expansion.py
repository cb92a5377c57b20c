"""Turning a session's plan into stored scheduled messages, idempotently.

Each message's unique key names the patient, the session and the step (and, for reminders,
the appointment they remind of), so expanding the same plan twice adds nothing, and moving
an appointment adds reminders for the new time while the old ones are cancelled.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from aftercare_bot.domain.outbox import PLAN_ROW_PREFIX, MessageState, Priority, ScheduledMessage
from aftercare_bot.domain.patients import Course, Patient, TreatmentSession
from aftercare_bot.domain.plans import AnchorKind, Plan, PlannedMessage, expand
from aftercare_bot.domain.quiet_hours import QuietHours
from aftercare_bot.services.ports import UnitOfWork


def unique_key(
    patient: Patient, session: TreatmentSession, planned: PlannedMessage, course: Course
) -> str:
    """What a scheduled message is, so that it is never stored twice."""
    key = f"{PLAN_ROW_PREFIX}{patient.id}:{session.id}:{planned.step_key}"
    if planned.anchor == AnchorKind.BEFORE and course.next_appointment_at is not None:
        key += f"@{course.next_appointment_at.isoformat()}"
    return key


async def schedule_session_messages(
    uow: UnitOfWork,
    patient: Patient,
    course: Course,
    session: TreatmentSession,
    plan: Plan,
    quiet: QuietHours | None,
    linked_at: datetime,
    now: datetime,
) -> list[ScheduledMessage]:
    """Store every message of `plan` for this session; ones already too late as skipped."""
    assert patient.id is not None and session.id is not None
    added: list[ScheduledMessage] = []
    for planned in expand(
        plan,
        session_at=session.held_at,
        linked_at=linked_at,
        next_appointment_at=course.next_appointment_at,
        zone=ZoneInfo(patient.timezone),
        quiet=quiet,
    ):
        assert planned.due_at is not None and planned.valid_until is not None
        message = ScheduledMessage(
            unique_key=unique_key(patient, session, planned, course),
            patient_id=patient.id,
            kind=planned.kind.value,
            message_key=planned.message_key,
            due_at=planned.due_at,
            valid_until=planned.valid_until,
            session_id=session.id,
            step_key=planned.step_key,
            state=MessageState.PENDING if planned.valid_until >= now else MessageState.SKIPPED,
            # "On link" steps answer what the patient just did: never behind bulk reminders.
            priority=Priority.REPLY if planned.anchor == AnchorKind.LINK else Priority.PLAN,
            reassurance=planned.reassurance,
        )
        if await uow.outbox.add_unless_present(message):
            added.append(message)
    return added
