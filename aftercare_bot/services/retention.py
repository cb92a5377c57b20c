"""Forgetting patients: on request, and when their follow-up ended long enough ago.

Health data is kept only while it serves the patient's care. `privacy.retain_after_course`
after a patient's last course closed, the bot erases them (or anonymises them, keeping their
check-in answers without name, chat or code, when the clinic chose `anonymise`). An operator
erases one patient at once with `python bot.py forget CODE`.

Erasure never hides an open incident. A patient who asks to be forgotten (by /delete or
`forget CODE`) while an incident of theirs is open *leaves*: everything is erased at once but
their code, which stays on a row with status `LEFT` so that staff still see the incident (by
code), its pages still come, and its summary stays until it is resolved; resolving it
(`finish_erasure`) erases or anonymises what is left. The retention sweep leaves such patients
alone until then.
"""

import html
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from aftercare_bot.domain.audit import AuditEvent
from aftercare_bot.domain.incidents import Incident, IncidentState
from aftercare_bot.domain.patients import Patient, PatientStatus
from aftercare_bot.domain.privacy import DeleteMode
from aftercare_bot.services.ports import UnitOfWork

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Forgotten:
    """A patient forgotten: the code, chat and language they had (to tell them), and the
    incident that was open, which keeps their code until it is resolved (None: nothing kept).
    `already_left` when they had left before, and were told then."""

    code: str
    chat_id: int | None
    language: str | None
    incident: Incident | None = None
    already_left: bool = False


async def forget(
    uow: UnitOfWork, patient: Patient, mode: DeleteMode, now: datetime, reason: str
) -> Forgotten:
    """Erase or anonymise one patient, or, while an incident of theirs is open, erase all but
    their code until it is resolved (the caller commits)."""
    assert patient.id is not None
    code, patient_id = patient.code, patient.id
    chat_id, language, status = patient.chat_id, patient.language, patient.status
    name = patient.display_name
    incident = await uow.incidents.open_for_patient(patient_id)
    await uow.bookings.unlink(patient_id)  # her e-mail's hash goes with her, whatever the mode
    uow.patients.detach(patient)
    if incident is not None:
        if status == PatientStatus.LEFT:
            return Forgotten(code, None, language, incident, already_left=True)
        await _leave(uow, patient_id, code, incident, mode, now, reason)
        incident.post_text = pseudonymised(incident.post_text, code, name)
        return Forgotten(code, chat_id, language, incident)
    if mode == DeleteMode.ERASE:
        await uow.records.erase(patient_id, code)
    else:
        await uow.records.anonymise(patient_id, code)
    await uow.audit.record(AuditEvent(now, f"patient.{mode.value}d", detail=reason))
    return Forgotten(code, chat_id, language)


async def _leave(
    uow: UnitOfWork,
    patient_id: int,
    code: str,
    incident: Incident,
    mode: DeleteMode,
    now: datetime,
    reason: str,
) -> None:
    await uow.records.leave(patient_id, keep_for_statistics=mode == DeleteMode.ANONYMISE)
    incident.patient_left_at = now
    # The code stays in the trail until the incident is resolved, then is scrubbed with it.
    await uow.audit.record(
        AuditEvent(now, "patient.left", subject=code, detail=f"incident {incident.id}: {reason}")
    )


def pseudonymised(text: str | None, code: str, name: str) -> str | None:
    """A staff summary without the patient's name: "patient P-7K3Q (Anna)" reads "patient
    P-7K3Q" (names appear escaped, next to the code, in every staff text)."""
    if not text or not name:
        return text
    return text.replace(f"{code} ({html.escape(name)})", code)


async def forget_expired(
    uow: UnitOfWork, now: datetime, retain_after: timedelta, mode: DeleteMode
) -> int:
    """Forget every patient whose last course closed more than `retain_after` ago, except
    those with an incident still open (they are forgotten on a later sweep)."""
    forgotten = 0
    for patient in await uow.patients.followed_up_before(now - retain_after):
        assert patient.id is not None
        if await uow.incidents.open_for_patient(patient.id) is not None:
            logger.info("patient %s kept past retention: an incident is open", patient.id)
            continue
        await forget(uow, patient, mode, now, "retention period after the course ended")
        forgotten += 1
    await uow.commit()
    return forgotten


async def finish_erasure(uow: UnitOfWork, incident: Incident) -> bool:
    """The incident is resolved: a patient who left while it was open is erased now (or
    anonymised, when they left keeping data for statistics). The incident stays for the
    adverse-event log (urgency, dates, outcome) without its summary or note. Does not commit;
    True if the patient was forgotten."""
    if (
        incident.patient_left_at is None
        or incident.patient_id is None
        or incident.state != IncidentState.RESOLVED
    ):
        return False
    patient = await uow.patients.by_id(incident.patient_id)
    if patient is None or patient.id is None or patient.status != PatientStatus.LEFT:
        return False
    if await uow.incidents.open_for_patient(patient.id) is not None:
        return False  # another incident still needs the code
    code, patient_id = patient.code, patient.id
    uow.patients.detach(patient)
    anonymise = await uow.records.kept_for_statistics(patient_id)
    if anonymise:
        await uow.records.anonymise(patient_id, code)
    else:
        await uow.records.erase(patient_id, code)
        incident.patient_id = None  # as the database's ON DELETE SET NULL made it
    incident.post_text = incident.outcome_note = None
    action = "patient.anonymised" if anonymise else "patient.erased"
    when = incident.resolved_at or incident.patient_left_at
    await uow.audit.record(AuditEvent(when, action, detail=f"incident {incident.id} resolved"))
    return True
