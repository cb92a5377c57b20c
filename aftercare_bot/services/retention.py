"""Forgetting patients: on request, and when their follow-up ended long enough ago.

Health data is kept only while it serves the patient's care. `privacy.retain_after_course`
after a patient's last course closed, the bot erases them (or anonymises them, keeping their
check-in answers without name, chat or code, when the clinic chose `anonymise`). An operator
erases one patient at once with `python bot.py forget CODE`.
"""

from datetime import datetime, timedelta

from aftercare_bot.adapters.persistence.unit_of_work import SqlUnitOfWork
from aftercare_bot.domain.audit import AuditEvent
from aftercare_bot.domain.patients import Patient
from aftercare_bot.domain.privacy import DeleteMode


async def forget(
    uow: SqlUnitOfWork, patient: Patient, mode: DeleteMode, now: datetime, reason: str
) -> str:
    """Erase or anonymise one patient (the caller commits); returns the code they had."""
    assert patient.id is not None
    code, patient_id = patient.code, patient.id
    uow.session.expunge(patient)
    if mode == DeleteMode.ERASE:
        await uow.records.erase(patient_id, code)
    else:
        await uow.records.anonymise(patient_id, code)
    await uow.audit.record(AuditEvent(now, f"patient.{mode.value}d", detail=reason))
    return code


async def forget_expired(
    uow: SqlUnitOfWork, now: datetime, retain_after: timedelta, mode: DeleteMode
) -> int:
    """Forget every patient whose last course closed more than `retain_after` ago."""
    forgotten = 0
    for patient in await uow.patients.followed_up_before(now - retain_after):
        await forget(uow, patient, mode, now, "retention period after the course ended")
        forgotten += 1
    await uow.commit()
    return forgotten
