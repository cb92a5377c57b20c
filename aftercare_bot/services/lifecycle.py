"""The patient in control: stop and resume, language and time zone, their data, and leaving."""

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aftercare_bot.domain.audit import AuditEvent
from aftercare_bot.domain.consent import ConsentChange, ConsentEvent
from aftercare_bot.domain.outbox import GOODBYE_KIND, Priority, ScheduledMessage
from aftercare_bot.domain.patients import Patient, PatientStatus
from aftercare_bot.domain.plans import Plan
from aftercare_bot.domain.privacy import DeleteMode
from aftercare_bot.domain.quiet_hours import QuietHours
from aftercare_bot.services.plan_expansion import schedule_session_messages
from aftercare_bot.services.ports import UnitOfWork
from aftercare_bot.services.retention import Forgotten, forget

FOLLOWED = (PatientStatus.LINKED, PatientStatus.UNREACHABLE)
PLAN_KINDS = ("info", "checkin", "appointment")
MAX_PATIENT_MESSAGE = 4000
GOODBYE_VALID_FOR = timedelta(days=2)


async def stop_follow_up(
    uow: UnitOfWork, chat_id: int, now: datetime, change: ConsentChange = ConsentChange.STOPPED
) -> Patient | None:
    """No more plan messages; a dated consent event. None if there was nothing to stop."""
    patient = await uow.patients.by_chat(chat_id)
    if patient is None or patient.id is None or patient.status not in FOLLOWED:
        return None
    patient.status = PatientStatus.STOPPED
    uow.patients.add(ConsentEvent(patient.id, now, change, chat_id=chat_id))
    await uow.audit.record(AuditEvent(now, f"patient.{change.value}", subject=patient.code))
    await uow.commit()
    return patient


async def resume_follow_up(uow: UnitOfWork, chat_id: int, now: datetime) -> Patient | None:
    """A stopped patient comes back; still-valid messages go out. None if not stopped."""
    patient = await uow.patients.by_chat(chat_id)
    if patient is None or patient.id is None or patient.status != PatientStatus.STOPPED:
        return None
    patient.status = PatientStatus.LINKED
    uow.patients.add(ConsentEvent(patient.id, now, ConsentChange.RESUMED, chat_id=chat_id))
    await uow.audit.record(AuditEvent(now, "patient.resumed", subject=patient.code))
    await uow.commit()
    return patient


async def set_language(uow: UnitOfWork, chat_id: int, language: str) -> Patient | None:
    """Every later message goes in this language."""
    patient = await uow.patients.by_chat(chat_id)
    if patient is None:
        return None
    patient.language = language
    await uow.commit()
    return patient


async def set_timezone(
    uow: UnitOfWork,
    chat_id: int,
    zone: ZoneInfo,
    plans: Mapping[str, Plan],
    quiet: QuietHours | None,
    now: datetime,
) -> Patient | None:
    """Move the patient to `zone`: pending `day N at` steps and quiet hours follow it."""
    patient = await uow.patients.by_chat(chat_id)
    if patient is None or patient.id is None:
        return None
    patient.timezone = str(zone)
    course = await uow.patients.current_course(patient.id)
    session = await uow.patients.latest_session(course.id) if course and course.id else None
    plan = plans.get(course.plan_name) if course else None
    if course is not None and session is not None and session.id is not None and plan:
        await uow.outbox.cancel_pending_plan_messages(session.id, PLAN_KINDS)
        # Same unique keys: the cancelled rows come back with times in the new zone.
        await schedule_session_messages(uow, patient, course, session, plan, quiet, now, now)
    await uow.commit()
    return patient


async def export_data(uow: UnitOfWork, chat_id: int) -> dict[str, Any] | None:
    """Everything stored about the patient in this chat."""
    patient = await uow.patients.by_chat(chat_id)
    if patient is None or patient.id is None:
        return None
    return await uow.records.export(patient.id)


async def delete_patient(
    uow: UnitOfWork, chat_id: int, mode: DeleteMode, now: datetime
) -> Forgotten | None:
    """Erase (or anonymise) the patient's personal data; an open incident keeps their code
    until it is resolved (see `services.retention`). None if no patient is in this chat."""
    patient = await uow.patients.by_chat(chat_id)
    if patient is None or patient.id is None:
        return None
    forgotten = await forget(uow, patient, mode, now, "at the patient's request")
    await uow.commit()
    return forgotten


async def discharge(uow: UnitOfWork, patient: Patient, now: datetime, by: int | None) -> bool:
    """Close the follow-up: nothing more is scheduled, and one goodbye goes out."""
    if patient.id is None or patient.status in (PatientStatus.DISCHARGED, PatientStatus.ANONYMISED):
        return False
    await uow.outbox.cancel_all_pending(patient.id)
    course = await uow.patients.current_course(patient.id)
    if course is not None:
        course.closed_at = now
    was_followed = patient.status in FOLLOWED
    patient.status = PatientStatus.DISCHARGED
    if was_followed:
        await uow.outbox.add_unless_present(
            ScheduledMessage(
                unique_key=f"goodbye:{patient.id}",
                patient_id=patient.id,
                kind=GOODBYE_KIND,
                message_key="lifecycle.goodbye",
                due_at=now,
                valid_until=now + GOODBYE_VALID_FOR,
                priority=Priority.REPLY,
            )
        )
    await uow.audit.record(AuditEvent(now, "patient.discharged", by, subject=patient.code))
    await uow.commit()
    return True


async def store_patient_message(
    uow: UnitOfWork, patient: Patient, text: str, now: datetime
) -> None:
    """Keep what the patient wrote, for the clinic (the Escalation issue routes it further)."""
    assert patient.id is not None
    await uow.records.add_message(patient.id, text[:MAX_PATIENT_MESSAGE], now)
    await uow.commit()
