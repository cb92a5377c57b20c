"""Escalation: a worrying report is stored as an incident first, then posted; staff own it.

Reports are check-in results, a patient's own words and staff tasks; one incident per episode
gathers them. Every timer of an incident (post, re-page rounds, safety net, acknowledgement
reminder) is an outbox row, so a restart neither loses nor doubles a page.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from aftercare_bot.adapters.persistence.unit_of_work import SqlUnitOfWork
from aftercare_bot.domain.audit import AuditEvent
from aftercare_bot.domain.incidents import Incident, IncidentUrgency
from aftercare_bot.domain.outbox import (
    INCIDENT_ACK_REMINDER,
    INCIDENT_PAGE,
    INCIDENT_POST,
    INCIDENT_SAFETY_NET,
    INCIDENT_TIMERS,
    Priority,
    ScheduledMessage,
)
from aftercare_bot.domain.patients import Patient
from aftercare_bot.services.check_ins import TIMER_LIFETIME
from aftercare_bot.services.tasks import close_incident_tasks

ADMIN_ROUND = 0  # the last round: every admin, after the on-call rounds


@dataclass(frozen=True)
class Reported:
    """The incident a report opened or joined, and whether staff must be paged about it."""

    incident: Incident
    page: bool


POST_SAFETY_DELAY = timedelta(seconds=30)


async def report(
    uow: SqlUnitOfWork,
    patient: Patient,
    urgency: IncidentUrgency,
    now: datetime,
    post_text: str = "",
    *,
    from_patient: bool = True,
    task_id: int | None = None,
) -> Reported:
    """Open an incident for the patient, or join their open one (stored before any post).

    With it goes a timer that posts it in `POST_SAFETY_DELAY` unless the post is made (and the
    timer cancelled) first: a crash between storing and posting still gets it posted. A task
    that joins is linked to the incident, so resolving the incident closes it.
    """
    assert patient.id is not None
    incident = await uow.incidents.open_for_patient(patient.id)
    if incident is None:
        incident = Incident(patient.id, urgency, now)
        uow.incidents.add(incident)
        await uow.incidents.flush()
        page = True
    else:
        page = incident.join(urgency, now) or incident.post_message_id is None
    incident.patient_reported = incident.patient_reported or from_patient
    if task_id is not None:
        task = await uow.tasks.by_id(task_id)
        if task is not None:
            task.incident_id = incident.id
    if page:
        incident.post_text = post_text
        await uow.outbox.add_unless_present(
            _timer(
                incident,
                INCIDENT_POST,
                f"incident-post:{incident.id}:{incident.reports}",
                now + POST_SAFETY_DELAY,
                str(incident.id),
            )
        )
    await uow.audit.record(
        AuditEvent(now, f"incident.{urgency.value}", subject=patient.code, detail=str(incident.id))
    )
    await uow.commit()
    return Reported(incident, page)


async def record_post(
    uow: SqlUnitOfWork, incident_id: int, chat_id: int | None, message_id: int | None
) -> None:
    """The incident is posted: remember where (to edit it later) and stand its safety post down."""
    incident = await uow.incidents.by_id(incident_id)
    if incident is None:
        return
    if message_id is not None:
        incident.post_chat_id, incident.post_message_id = chat_id, message_id
    assert incident.patient_id is not None
    await uow.outbox.cancel_pending_of_kinds(incident.patient_id, frozenset({INCIDENT_POST}))
    await uow.commit()


async def acknowledge(
    uow: SqlUnitOfWork, incident_id: int, staff_id: int, staff_name: str, now: datetime
) -> tuple[Incident, Patient | None] | None:
    """Staff own the incident; None when there was nothing to acknowledge."""
    incident = await uow.incidents.by_id(incident_id)
    if incident is None or not incident.acknowledge(staff_id, staff_name, now):
        return None
    patient = await uow.patients.by_id(incident.patient_id)
    await uow.audit.record(
        AuditEvent(now, "incident.acknowledged", staff_id, detail=str(incident_id))
    )
    await uow.commit()
    return incident, patient


async def resolve(
    uow: SqlUnitOfWork, incident_id: int, staff_id: int, now: datetime
) -> Incident | None:
    """Close the incident and the tasks it gathered; None when it was already closed."""
    incident = await uow.incidents.by_id(incident_id)
    if incident is None or not incident.resolve(staff_id, now):
        return None
    await close_incident_tasks(uow, incident_id, staff_id, now)
    await uow.audit.record(AuditEvent(now, "incident.resolved", staff_id, detail=str(incident_id)))
    await uow.commit()
    return incident


@dataclass(frozen=True)
class PagingRules:
    """When an urgent, unacknowledged incident is paged again, and the patient told."""

    reescalate_after: timedelta
    max_rounds: int
    ack_timeout: timedelta
    safety_net_after: timedelta


async def arm_pages(
    uow: SqlUnitOfWork, incident: Incident, rules: PagingRules, now: datetime
) -> None:
    """Store the re-page rounds (then the admins' round) and the patient's safety net as timers,
    so a restart inside a window loses no page and doubles none."""
    assert incident.id is not None
    version = f"{incident.id}:{incident.reports}"
    rounds = [*range(1, rules.max_rounds + 1), ADMIN_ROUND]
    for number, offset in zip(rounds, range(1, len(rounds) + 1), strict=True):
        await uow.outbox.add_unless_present(
            _timer(
                incident,
                INCIDENT_PAGE,
                f"incident-page:{version}:{number}",
                now + rules.reescalate_after * offset,
                f"{incident.id}:{number}",
            )
        )
    await uow.outbox.add_unless_present(
        _timer(
            incident,
            INCIDENT_SAFETY_NET,
            f"incident-safety:{version}",
            now + rules.safety_net_after,
            str(incident.id),
        )
    )
    await uow.commit()


async def arm_ack_reminder(
    uow: SqlUnitOfWork, incident: Incident, rules: PagingRules, now: datetime
) -> None:
    """Acknowledged: no more pages; one reminder to the acknowledger if it stays unresolved."""
    assert incident.id is not None and incident.patient_id is not None
    await uow.outbox.cancel_pending_of_kinds(
        incident.patient_id, frozenset({INCIDENT_PAGE, INCIDENT_SAFETY_NET})
    )
    await uow.outbox.add_unless_present(
        _timer(
            incident,
            INCIDENT_ACK_REMINDER,
            f"incident-ack:{incident.id}:{incident.reports}",
            now + rules.ack_timeout,
            str(incident.id),
        )
    )
    await uow.commit()


async def disarm(uow: SqlUnitOfWork, incident: Incident) -> None:
    """Resolved: every timer of the incident stops."""
    assert incident.patient_id is not None
    await uow.outbox.cancel_pending_of_kinds(incident.patient_id, INCIDENT_TIMERS)
    await uow.commit()


def _timer(incident: Incident, kind: str, key: str, due: datetime, step: str) -> ScheduledMessage:
    assert incident.patient_id is not None
    return ScheduledMessage(
        unique_key=key,
        patient_id=incident.patient_id,
        kind=kind,
        message_key="",
        due_at=due,
        valid_until=due + TIMER_LIFETIME,
        step_key=step,
        priority=Priority.STAFF,
    )
