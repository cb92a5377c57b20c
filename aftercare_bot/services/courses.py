"""A course over time: recording the next session and moving the next appointment."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from aftercare_bot.domain.audit import AuditEvent
from aftercare_bot.domain.outbox import ScheduledMessage
from aftercare_bot.domain.patients import Course, Patient, PatientStatus, TreatmentSession
from aftercare_bot.domain.plans import Plan
from aftercare_bot.domain.quiet_hours import QuietHours
from aftercare_bot.domain.tasks import StaffTask, TaskKind
from aftercare_bot.services.clinic_lists import listed_practitioner
from aftercare_bot.services.lifecycle import discharge
from aftercare_bot.services.plan_expansion import schedule_session_messages
from aftercare_bot.services.ports import UnitOfWork
from aftercare_bot.services.tasks import open_task


@dataclass(frozen=True)
class SessionRecorded:
    """The new session and its place in the course."""

    session: TreatmentSession
    course: Course


@dataclass(frozen=True)
class CourseComplete:
    """Every planned session has already been held."""

    course: Course


async def record_session(
    uow: UnitOfWork,
    patient: Patient,
    held_at: datetime,
    practitioner: str,
    plans: Mapping[str, Plan],
    quiet: QuietHours | None,
    by: int | None,
    now: datetime,
) -> SessionRecorded | CourseComplete | None:
    """Record the next session: the previous one's pending aftercare is cancelled and the
    plan starts again from this one. None when the patient has no open course."""
    assert patient.id is not None
    course = await uow.patients.current_course(patient.id)
    if course is None or course.id is None:
        return None
    previous = await uow.patients.latest_session(course.id)
    if previous is not None and previous.held_at == held_at:
        # The same session again (a second press on its read-back, two staff at once): it is
        # recorded already, and its plan must not start a second time.
        return SessionRecorded(previous, course)
    number = previous.number + 1 if previous else 1
    if number > course.sessions_planned:
        return CourseComplete(course)
    if previous is not None and previous.id is not None:
        await uow.outbox.cancel_pending_for_session(previous.id)
    listed = await listed_practitioner(uow, practitioner, now)
    session = TreatmentSession(course.id, number, held_at, listed)
    uow.patients.add(session)
    course.next_appointment_at, course.appointment_confirmed_at = None, None
    await uow.patients.flush()
    plan = plans.get(course.plan_name)
    if plan is not None and patient.status == PatientStatus.LINKED:
        # Later sessions have no link to wait for: "on link" steps go out now.
        await schedule_session_messages(uow, patient, course, session, plan, quiet, now, now)
    await uow.audit.record(
        AuditEvent(now, "session.recorded", by, subject=patient.code, detail=str(number))
    )
    await uow.commit()
    return SessionRecorded(session, course)


async def set_appointment(
    uow: UnitOfWork,
    patient: Patient,
    at: datetime,
    plans: Mapping[str, Plan],
    quiet: QuietHours | None,
    by: int | None,
    now: datetime,
) -> Course | None:
    """Set or move the next appointment; reminders for the old time are cancelled."""
    assert patient.id is not None
    course = await uow.patients.current_course(patient.id)
    if course is None or course.id is None:
        return None
    session = await uow.patients.latest_session(course.id)
    course.next_appointment_at, course.appointment_confirmed_at = at, None
    if session is not None and session.id is not None:
        await uow.outbox.cancel_pending_reminders(session.id)
        plan = plans.get(course.plan_name)
        if plan is not None and patient.status == PatientStatus.LINKED:
            await schedule_session_messages(uow, patient, course, session, plan, quiet, now, now)
    await uow.audit.record(AuditEvent(now, "appointment.set", by, subject=patient.code))
    await uow.commit()
    return course


async def clear_appointment(
    uow: UnitOfWork, patient: Patient, by: int | None, now: datetime
) -> Course | None:
    """The next appointment is cancelled: its pending reminders go, nothing else does (open
    check-ins and incident timers stay). None when there is no open course."""
    assert patient.id is not None
    course = await uow.patients.current_course(patient.id)
    if course is None or course.id is None:
        return None
    session = await uow.patients.latest_session(course.id)
    course.next_appointment_at, course.appointment_confirmed_at = None, None
    if session is not None and session.id is not None:
        await uow.outbox.cancel_pending_reminders(session.id)
    await uow.audit.record(AuditEvent(now, "appointment.cancelled", by, subject=patient.code))
    await uow.commit()
    return course


BOOKING_NUDGE_VALID_FOR = timedelta(days=7)


async def follow_up_unbooked_courses(
    uow: UnitOfWork, now: datetime, overdue_after: timedelta
) -> int:
    """When a course's next session is due and none is booked, nudge the patient to book;
    long overdue, give staff a task. Returns how many nudges or tasks were added."""
    added = 0
    for course, patient in await uow.patients.courses_without_appointment():
        assert course.id is not None and patient.id is not None
        latest = await uow.patients.latest_session(course.id)
        if latest is None:
            continue
        due = latest.held_at + course.spacing
        if now < due:
            continue
        if latest.number >= course.sessions_planned:
            # The course is complete: close the follow-up with a goodbye.
            added += await discharge(uow, patient, now, None)
            continue
        occurrence = f"{course.id}:{latest.number}"
        added += await uow.outbox.add_unless_present(
            ScheduledMessage(
                unique_key=f"nudge:book:{occurrence}",
                patient_id=patient.id,
                kind="info",
                message_key="course.nudge_book",
                due_at=due,
                valid_until=due + BOOKING_NUDGE_VALID_FOR,
                session_id=latest.id,
                step_key="book-next-session",
            )
        )
        if now >= due + overdue_after:
            added += await open_task(
                uow,
                StaffTask(
                    unique_key=f"course_overdue:{occurrence}",
                    kind=TaskKind.COURSE_OVERDUE,
                    patient_id=patient.id,
                    created_at=now,
                ),
            )
    await uow.commit()
    return added
