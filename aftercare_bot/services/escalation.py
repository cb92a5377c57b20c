"""Escalation: a worrying report is stored as an incident first, then posted; staff own it.

Reports are check-in answers (at the tap that makes them urgent), a patient's own words and
staff tasks; one incident per episode gathers them. Every timer of an incident (post, re-page
rounds, safety net, acknowledgement reminder) is an outbox row, so a restart neither loses nor
doubles a page. Acknowledge and Resolve are compare-and-set in the database: two staff pressing
at once get one winner, and every message showing the incident is edited to the one state.

These use cases are called the same way by the Telegram handlers, the command line and (next)
the web console: they speak to people only through the ports in `services.ports`.
"""

import asyncio
import contextlib
import logging
import weakref
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from aftercare_bot.domain.audit import AuditEvent
from aftercare_bot.domain.incidents import (
    Incident,
    IncidentOutcome,
    IncidentState,
    IncidentUrgency,
)
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
from aftercare_bot.services.ports import PatientMessenger, StaffNotifier, UnitOfWork, UnitsOfWork
from aftercare_bot.services.retention import finish_erasure
from aftercare_bot.services.staff import staff_group
from aftercare_bot.services.tasks import close_incident_tasks

logger = logging.getLogger(__name__)

ADMIN_ROUND = 0  # the last round: every admin, after the on-call rounds
ONCALL_SETTING = "oncall_id"
POST_SAFETY_DELAY = timedelta(seconds=30)
# A post nobody could receive (the group and every admin unreachable) is tried again.
POST_RETRY_FIRST = timedelta(minutes=2)
POST_RETRY_LONGEST = timedelta(hours=1)
MAX_NOTE = 1000


@dataclass(frozen=True)
class PagingRules:
    """When an urgent, unacknowledged incident is paged again, and the patient told."""

    reescalate_after: timedelta
    max_rounds: int
    ack_timeout: timedelta
    safety_net_after: timedelta


@dataclass(frozen=True)
class StaffRoster:
    """Who is paged: the configured group, on-call staff and admins."""

    configured_group: int | None
    admin_ids: tuple[int, ...]
    oncall_ids: tuple[int, ...]


@dataclass(frozen=True)
class Reported:
    """The incident a report opened or joined, and whether staff were paged about it."""

    incident: Incident
    page: bool


@dataclass(frozen=True)
class Taken:
    """This staff member acknowledged or resolved the incident."""

    incident: Incident


@dataclass(frozen=True)
class AlreadyHandled:
    """Someone else got there first: the incident says who and when."""

    incident: Incident


async def report(
    uow: UnitOfWork,
    patient: Patient,
    urgency: IncidentUrgency,
    now: datetime,
    post_text: str = "",
    *,
    from_patient: bool = True,
    task_id: int | None = None,
    check_in_id: int | None = None,
    rules: PagingRules | None = None,
) -> Reported:
    """Open an incident for the patient, or join their open one (stored before any post).

    With it go, in the same transaction, a timer that posts it in `POST_SAFETY_DELAY` unless
    the post is made (and the timer cancelled) first, and for an urgent one its re-page rounds
    and safety net (`rules`): a crash between storing and posting still gets it posted, and
    paged. A task or check-in that joins is linked to the incident.
    """
    assert patient.id is not None
    await uow.incidents.lock_patient(patient.id)
    incident = await uow.incidents.open_for_patient(patient.id)
    if incident is None:
        incident = Incident(patient.id, urgency, now)
        uow.incidents.add(incident)
        await uow.incidents.flush()
        page = True
    else:
        # Posted already (in the group, or to the admins): a report that joins goes under it,
        # unless it makes the incident newly urgent.
        posted = incident.post_message_id is not None or await uow.incidents.has_post(
            incident.id or 0
        )
        page = incident.join(urgency, now) or not posted
    incident.patient_reported = incident.patient_reported or from_patient
    if task_id is not None:
        task = await uow.tasks.by_id(task_id)
        if task is not None:
            task.incident_id = incident.id
    if check_in_id is not None:
        check_in = await uow.check_ins.by_id(check_in_id)
        if check_in is not None:
            check_in.incident_id = incident.id
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
        if rules is not None and incident.urgency == IncidentUrgency.URGENT:
            await _add_pages(uow, incident, rules, now)
    await uow.audit.record(
        AuditEvent(now, f"incident.{urgency.value}", subject=patient.code, detail=str(incident.id))
    )
    await uow.commit()
    return Reported(incident, page)


async def escalate(
    units: UnitsOfWork,
    staff: StaffNotifier,
    patients: PatientMessenger,
    patient_id: int,
    urgency: IncidentUrgency,
    post_text: str,
    rules: PagingRules,
    now: datetime,
    *,
    from_patient: bool = True,
    task_id: int | None = None,
    check_in_id: int | None = None,
) -> Reported | None:
    """Store the report as an incident (with its safety post), arm its pages when urgent, then
    post it; a report joining a posted incident goes under its post instead. When no staff
    member can be reached at all, an urgent report gives the patient the safety net at once."""
    async with _one_report_at_a_time(patient_id), units.unit_of_work() as uow:
        patient = await uow.patients.by_id(patient_id)
        if patient is None:
            return None
        reported = await report(
            uow,
            patient,
            urgency,
            now,
            post_text,
            from_patient=from_patient,
            task_id=task_id,
            check_in_id=check_in_id,
            rules=rules,
        )
    incident = reported.incident
    if not reported.page:
        await staff.reply_under(incident, post_text)
        return reported
    if await staff.post(incident):
        await _stand_down_post(units, incident)
    elif incident.urgency == IncidentUrgency.URGENT:
        logger.error("incident %s reached no staff member", incident.id)
        await _safety_net_now(units, patients, patient, incident)
    return reported


async def _safety_net_now(
    units: UnitsOfWork, patients: PatientMessenger, patient: Patient, incident: Incident
) -> None:
    """Nobody on staff could be reached: the patient hears what to do at once, and only once
    (its timer stands down; the post is retried by its own timer)."""
    assert incident.patient_id is not None
    await patients.safety_net(patient)
    async with units.unit_of_work() as uow:
        await uow.outbox.cancel_pending_of_kinds(
            incident.patient_id, frozenset({INCIDENT_SAFETY_NET})
        )
        await uow.commit()


async def _stand_down_post(units: UnitsOfWork, incident: Incident) -> None:
    """Posted: its safety post is not needed (the timer would post it once more)."""
    assert incident.patient_id is not None
    async with units.unit_of_work() as uow:
        await uow.outbox.cancel_pending_of_kinds(incident.patient_id, frozenset({INCIDENT_POST}))
        await uow.commit()


# Per event loop (a lock belongs to one), then per patient.
_reporting: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, asyncio.Lock]]" = (
    weakref.WeakKeyDictionary()
)


@contextlib.asynccontextmanager
async def _one_report_at_a_time(patient_id: int) -> AsyncIterator[None]:
    """In one process, a patient's reports are stored one after another (a tap and a task timer
    at once must join one incident; across instances the row lock in `report` does it)."""
    # One small lock per patient who ever reported while this loop runs: a few bytes each.
    locks = _reporting.setdefault(asyncio.get_running_loop(), {})
    async with locks.setdefault(patient_id, asyncio.Lock()):
        yield


async def follow_up(units: UnitsOfWork, staff: StaffNotifier, incident_id: int, text: str) -> None:
    """Later news of a reported check-in goes under its incident (the completed answers, a
    correction, new urgent reasons, "left unfinished"): it never opens a second incident and
    never lowers or closes this one."""
    async with units.unit_of_work() as uow:
        incident = await uow.incidents.by_id(incident_id)
    if incident is not None:
        await staff.reply_under(incident, text)


async def post_stored(
    units: UnitsOfWork, staff: StaffNotifier, incident_id: int, attempt: int, now: datetime
) -> None:
    """Post an incident whose post timer fired (stored before a crash, or no staff member could
    be reached): once, never dropped; tried again with backoff while nobody can be reached."""
    async with units.unit_of_work() as uow:
        incident = await uow.incidents.by_id(incident_id)
    if incident is None or incident.state == IncidentState.RESOLVED or not incident.post_text:
        return
    if incident.post_message_id is not None:
        return
    if await staff.post(incident):
        await _stand_down_post(units, incident)
        return
    logger.error("incident %s still reached no staff member (attempt %s)", incident_id, attempt)
    retry = attempt + 1
    due = now + min(POST_RETRY_FIRST * 2**attempt, POST_RETRY_LONGEST)
    async with units.unit_of_work() as uow:
        await uow.outbox.add_unless_present(
            _timer(
                incident,
                INCIDENT_POST,
                f"incident-post:{incident.id}:{incident.reports}:retry{retry}",
                due,
                f"{incident.id}:{retry}",
            )
        )
        await uow.commit()


async def record_post(
    uow: UnitOfWork, incident_id: int, chat_id: int | None, message_id: int | None
) -> None:
    """The incident is posted: remember where (to reply under it) and stand its safety post
    down."""
    incident = await uow.incidents.by_id(incident_id)
    if incident is None or incident.patient_id is None:
        return
    if message_id is not None:
        incident.post_chat_id, incident.post_message_id = chat_id, message_id
    await uow.outbox.cancel_pending_of_kinds(incident.patient_id, frozenset({INCIDENT_POST}))
    await uow.commit()


async def acknowledge(
    units: UnitsOfWork,
    staff: StaffNotifier,
    patients: PatientMessenger,
    incident_id: int,
    staff_id: int,
    staff_name: str,
    rules: PagingRules,
    now: datetime,
) -> Taken | AlreadyHandled | None:
    """Take ownership of an incident: its pages stop, every copy shows who, the patient hears.

    None when there is no such incident."""
    async with units.unit_of_work() as uow:
        won = await uow.incidents.acknowledge_if_open(incident_id, staff_id, staff_name, now)
        incident = await uow.incidents.by_id(incident_id)
        if incident is None:
            return None
        if not won:
            return AlreadyHandled(incident)
        await uow.audit.record(
            AuditEvent(now, "incident.acknowledged", staff_id, detail=str(incident_id))
        )
        await arm_ack_reminder(uow, incident, rules, now)  # commits
        patient = await uow.patients.by_id(incident.patient_id)
    await staff.refresh(incident)
    if incident.patient_reported and patient is not None:
        await patients.seen_by(patient, staff_name)
    return Taken(incident)


async def resolve(
    units: UnitsOfWork,
    staff: StaffNotifier,
    incident_id: int,
    staff_id: int,
    staff_name: str,
    outcome: IncidentOutcome,
    now: datetime,
) -> Taken | AlreadyHandled | None:
    """Close the incident with what was done about it: its timers stop, the tasks it gathered
    close, every copy shows it; a patient who left while it was open is erased now."""
    async with units.unit_of_work() as uow:
        won = await uow.incidents.resolve_if_unresolved(
            incident_id, staff_id, staff_name, outcome.value, now
        )
        incident = await uow.incidents.by_id(incident_id)
        if incident is None:
            return None
        if not won:
            return AlreadyHandled(incident)
        await close_incident_tasks(uow, incident_id, staff_id, now)
        if incident.patient_id is not None:
            await uow.outbox.cancel_pending_of_kinds(incident.patient_id, INCIDENT_TIMERS)
        await uow.audit.record(
            AuditEvent(now, "incident.resolved", staff_id, detail=f"{incident_id}:{outcome}")
        )
        await finish_erasure(uow, incident)
        await uow.commit()
    await staff.refresh(incident)
    return Taken(incident)


async def add_outcome_note(
    units: UnitsOfWork, incident_id: int, staff_id: int, note: str, now: datetime
) -> Incident | None:
    """A note on what was done, added after resolving; None when the incident is not resolved
    (or its patient has since been erased)."""
    async with units.unit_of_work() as uow:
        incident = await uow.incidents.by_id(incident_id)
        if (
            incident is None
            or incident.state != IncidentState.RESOLVED
            or incident.patient_id is None
            or incident.patient_left_at is not None  # erased on resolve: notes go with them
        ):
            return None
        incident.outcome_note = note.strip()[:MAX_NOTE]
        await uow.audit.record(
            AuditEvent(now, "incident.outcome_note", staff_id, detail=str(incident_id))
        )
        await uow.commit()
    return incident


async def arm_pages(uow: UnitOfWork, incident: Incident, rules: PagingRules, now: datetime) -> None:
    """Store the re-page rounds (then the admins' round) and the patient's safety net as timers,
    so a restart inside a window loses no page and doubles none."""
    await _add_pages(uow, incident, rules, now)
    await uow.commit()


async def _add_pages(
    uow: UnitOfWork, incident: Incident, rules: PagingRules, now: datetime
) -> None:
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
    if incident.patient_left_at is None:
        await uow.outbox.add_unless_present(
            _timer(
                incident,
                INCIDENT_SAFETY_NET,
                f"incident-safety:{version}",
                now + rules.safety_net_after,
                str(incident.id),
            )
        )


async def arm_ack_reminder(
    uow: UnitOfWork, incident: Incident, rules: PagingRules, now: datetime
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


async def act_on_timer(
    units: UnitsOfWork,
    staff: StaffNotifier,
    patients: PatientMessenger,
    timer: ScheduledMessage,
    roster: StaffRoster,
    now: datetime,
) -> None:
    """A due escalation timer: post, re-page, the admins' round, the safety net or the
    acknowledgement reminder. Each checks the incident first: an acknowledged one is not paged."""
    subject, _, round_text = (timer.step_key or "").partition(":")
    if not subject.isdigit():
        return
    if timer.kind == INCIDENT_POST:
        attempt = int(round_text) if round_text.isdigit() else 0
        await post_stored(units, staff, int(subject), attempt, now)
        return
    async with units.unit_of_work() as uow:
        incident = await uow.incidents.by_id(int(subject))
        patient = await uow.patients.by_id(timer.patient_id)
        group = await staff_group(uow, roster.configured_group)
        oncall = await uow.settings.get(ONCALL_SETTING)
    if incident is None:
        return
    if timer.kind == INCIDENT_PAGE and incident.state == IncidentState.OPEN:
        number = int(round_text) if round_text.isdigit() else ADMIN_ROUND
        await staff.page(incident, page_recipients(roster, group, oncall, number), number)
    elif timer.kind == INCIDENT_SAFETY_NET and incident.state == IncidentState.OPEN:
        if patient is not None and patient.chat_id is not None and not incident.patient_left_at:
            await patients.safety_net(patient)
    elif (
        timer.kind == INCIDENT_ACK_REMINDER
        and incident.state == IncidentState.ACKNOWLEDGED
        and incident.acknowledged_by is not None
    ):
        await staff.remind_owner(incident)


def page_recipients(
    roster: StaffRoster, group: int | None, oncall: str | None, round_number: int
) -> Sequence[int]:
    """The group and whoever is on call (configured, else the last /oncall, else the admins);
    the last round goes to every admin."""
    if round_number == ADMIN_ROUND:
        return roster.admin_ids
    on_call = list(roster.oncall_ids) or (
        [int(oncall)] if oncall and oncall.lstrip("-").isdigit() else list(roster.admin_ids)
    )
    return ([group] if group is not None else []) + on_call


async def repost_open(units: UnitsOfWork, staff: StaffNotifier) -> int:
    """A newly bound staff group gets every open incident posted (none is stranded in the old
    one); returns how many."""
    async with units.unit_of_work() as uow:
        open_ones = list(await uow.incidents.open_incidents())
    posted = 0
    for incident in open_ones:
        if incident.post_text and await staff.post(incident):
            posted += 1
    return posted


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
