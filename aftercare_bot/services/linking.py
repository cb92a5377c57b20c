"""A patient (or a new staff member) opens a one-time link and, for a patient, consents.

Only consent links the chat: opening the link shows what the bot will do and asks. The link
is claimed by the first chat that opens it, so a photo of the QR code taken by someone else
cannot be used once the patient has opened it.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from aftercare_bot.domain.audit import AuditEvent
from aftercare_bot.domain.consent import ConsentChange, ConsentEvent
from aftercare_bot.domain.enrollment_links import (
    EnrollmentLink,
    LinkProblem,
    LinkPurpose,
    hash_token,
)
from aftercare_bot.domain.patients import Patient, PatientStatus
from aftercare_bot.domain.plans import Plan
from aftercare_bot.domain.quiet_hours import QuietHours
from aftercare_bot.domain.staff import StaffMember
from aftercare_bot.services.plan_expansion import schedule_session_messages
from aftercare_bot.services.ports import UnitOfWork


class Opening(StrEnum):
    """What opening a link led to."""

    ASK_CONSENT = "ask_consent"
    STAFF_JOINED = "staff_joined"
    PROBLEM = "problem"
    CHAT_TAKEN = "chat_taken"


@dataclass(frozen=True)
class LinkOpened:
    """The outcome of `/start <token>`."""

    outcome: Opening
    link_id: int | None = None
    patient: Patient | None = None
    problem: LinkProblem | None = None


@dataclass(frozen=True)
class ConsentGiven:
    """A linked patient; `moved_from_chat` is set when a new phone replaced an old one."""

    patient: Patient
    moved_from_chat: int | None


async def open_link(
    uow: UnitOfWork, token: str, chat_id: int, user_name: str, now: datetime
) -> LinkOpened:
    """Check a token from a deep link and act on it."""
    link = await uow.links.by_token_hash(hash_token(token))
    if link is None:
        return LinkOpened(Opening.PROBLEM, problem=LinkProblem.UNKNOWN)
    problem = link.problem_for(chat_id, now)
    if problem is not None:
        return LinkOpened(Opening.PROBLEM, link.id, problem=problem)
    if link.purpose == LinkPurpose.STAFF:
        await _join_staff(uow, link, chat_id, user_name, now)
        return LinkOpened(Opening.STAFF_JOINED, link.id)
    patient = await _patient_of(uow, link)
    if await _chat_follows_someone_else(uow, chat_id, patient):
        return LinkOpened(Opening.CHAT_TAKEN, link.id, patient)
    link.opened_by_chat = chat_id
    await uow.commit()
    return LinkOpened(Opening.ASK_CONSENT, link.id, patient)


async def accept_consent(
    uow: UnitOfWork,
    link_id: int,
    chat_id: int,
    language: str,
    plans: Mapping[str, Plan],
    quiet: QuietHours | None,
    now: datetime,
) -> ConsentGiven | LinkProblem:
    """Link the chat to the patient, record the consent, and make the follow-up due."""
    usable = await _usable_link(uow, link_id, chat_id, now)
    if isinstance(usable, LinkProblem):
        return usable
    link, patient = usable
    if await _chat_follows_someone_else(uow, chat_id, patient):
        return LinkProblem.USED
    moved_from = patient.chat_id if patient.chat_id not in (None, chat_id) else None
    link.used_at, link.used_by_chat, link.opened_by_chat = now, chat_id, chat_id
    patient.chat_id = chat_id
    patient.status = PatientStatus.LINKED
    patient.language = patient.language or language
    assert patient.id is not None
    uow.patients.add(ConsentEvent(patient.id, now, ConsentChange.ACCEPTED, chat_id=chat_id))
    await _schedule_current_session(uow, patient, plans, quiet, now)
    await uow.audit.record(AuditEvent(now, "patient.linked", subject=patient.code))
    await uow.commit()
    return ConsentGiven(patient, moved_from)


async def _schedule_current_session(
    uow: UnitOfWork,
    patient: Patient,
    plans: Mapping[str, Plan],
    quiet: QuietHours | None,
    now: datetime,
) -> None:
    """Expand the plan of the patient's current session; a re-link adds nothing twice."""
    assert patient.id is not None
    course = await uow.patients.current_course(patient.id)
    if course is None or course.id is None:
        return
    session = await uow.patients.latest_session(course.id)
    plan = plans.get(course.plan_name)
    if session is None or plan is None:
        return
    await schedule_session_messages(uow, patient, course, session, plan, quiet, now, now)


async def decline_consent(
    uow: UnitOfWork, link_id: int, chat_id: int, now: datetime
) -> Patient | LinkProblem:
    """Record a refusal; nothing about the chat is kept and the link is spent."""
    usable = await _usable_link(uow, link_id, chat_id, now)
    if isinstance(usable, LinkProblem):
        return usable
    link, patient = usable
    link.used_at, link.opened_by_chat = now, None
    if patient.status == PatientStatus.NOT_LINKED:
        patient.status = PatientStatus.DECLINED
    assert patient.id is not None
    uow.patients.add(ConsentEvent(patient.id, now, ConsentChange.DECLINED))
    await uow.audit.record(AuditEvent(now, "patient.declined", subject=patient.code))
    await uow.commit()
    return patient


async def _usable_link(
    uow: UnitOfWork, link_id: int, chat_id: int, now: datetime
) -> tuple[EnrollmentLink, Patient] | LinkProblem:
    """The patient link pressed in a consent button, checked again: buttons can be forged."""
    link = await uow.links.by_id(link_id)
    if link is None or link.purpose != LinkPurpose.PATIENT:
        return LinkProblem.UNKNOWN
    problem = link.problem_for(chat_id, now)
    if problem is not None:
        return problem
    if link.opened_by_chat != chat_id:
        # Only a chat that opened the link with its token was shown the consent question.
        return LinkProblem.UNKNOWN
    return link, await _patient_of(uow, link)


async def _patient_of(uow: UnitOfWork, link: EnrollmentLink) -> Patient:
    assert link.patient_id is not None
    patient = await uow.patients.by_id(link.patient_id)
    assert patient is not None, "a patient link always names its patient (cascade on delete)"
    return patient


async def _chat_follows_someone_else(uow: UnitOfWork, chat_id: int, patient: Patient) -> bool:
    other = await uow.patients.by_chat(chat_id)
    return other is not None and other.id != patient.id


async def _join_staff(
    uow: UnitOfWork, link: EnrollmentLink, user_id: int, name: str, now: datetime
) -> None:
    link.used_at, link.used_by_chat = now, user_id
    member = await uow.staff.get(user_id)
    if member is None:
        uow.staff.add(StaffMember(user_id, name[:64], now, added_by=link.created_by))
    else:
        member.removed_at, member.display_name = None, name[:64]
        member.is_admin = False  # invited again: staff, until an admin says otherwise
    await uow.audit.record(
        AuditEvent(now, "staff.joined", user_id, detail=f"invited by {link.created_by}")
    )
    await uow.commit()
