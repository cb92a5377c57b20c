"""A patient whose messages failed with 403 is unreachable until they write again."""

from datetime import datetime

from aftercare_bot.adapters.persistence.unit_of_work import SqlUnitOfWork
from aftercare_bot.domain.audit import AuditEvent
from aftercare_bot.domain.patients import Patient, PatientStatus


async def patient_is_back(uow: SqlUnitOfWork, chat_id: int, now: datetime) -> Patient | None:
    """An unreachable patient wrote or unblocked the bot: their still-valid messages resume."""
    patient = await uow.patients.by_chat(chat_id)
    if patient is None or patient.status != PatientStatus.UNREACHABLE:
        return None
    patient.status = PatientStatus.LINKED
    await uow.audit.record(AuditEvent(now, "patient.reachable", subject=patient.code))
    await uow.commit()
    return patient
