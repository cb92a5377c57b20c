"""Relay: a staff member's message to a patient, written in the staff chat, sent only on Send.

Each draft is its own row, named by id in its buttons, and a staff reply finds its draft by
the prompt it answers, so several drafts (for several patients, by several staff) can be open
at once. Send re-checks everything it depends on (who presses, the draft's state, the
patient's status and chat) and hands exactly the text shown to the outbox, in the same
transaction that marks the draft sent and audits it; the dispatcher delivers it like any
other message. Nothing here talks to Telegram.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from aftercare_bot.domain.audit import AuditEvent
from aftercare_bot.domain.outbox import MessageState, Priority, ScheduledMessage
from aftercare_bot.domain.patients import Patient, PatientStatus
from aftercare_bot.domain.relay import MAX_RELAY_TEXT, RELAY_KIND, DraftState, RelayDraft
from aftercare_bot.services.ports import UnitOfWork

RELAY_MESSAGE_KEY = "incident.relay_to_patient"
# A confirmed message not delivered within a day (the patient stopped, then came back) is
# skipped and becomes a staff task: by then it may say the wrong thing.
RELAY_VALID_FOR = timedelta(days=1)
MAX_STAFF_NAME = 64  # the column's width


class RefusalReason(StrEnum):
    """Why a draft was not written, sent or cancelled."""

    UNKNOWN = "unknown"  # no such draft (or nothing written in it yet)
    NOT_AUTHOR = "not_author"
    TOO_LONG = "too_long"
    REPLACED = "replaced"
    ALREADY_SENT = "already_sent"
    CANCELLED = "cancelled"
    ERASED = "erased"
    STOPPED = "stopped"
    UNREACHABLE = "unreachable"
    NOT_FOLLOWED = "not_followed"  # discharged, declined or never linked
    RELINKED = "relinked"


@dataclass(frozen=True)
class Drafted:
    """A text ready to be shown back with Send / Cancel; `replaced` is the draft it displaced."""

    draft: RelayDraft
    patient: Patient
    replaced: RelayDraft | None = None


@dataclass(frozen=True)
class Sent:
    """The draft is confirmed and queued for the patient."""

    draft: RelayDraft
    patient: Patient


@dataclass(frozen=True)
class Cancelled:
    """The draft was dropped by its author."""

    draft: RelayDraft


@dataclass(frozen=True)
class Refused:
    """Nothing changed, and why (the draft, when there is one, for naming its author)."""

    reason: RefusalReason
    draft: RelayDraft | None = None


@dataclass(frozen=True)
class RelayText:
    """What the dispatcher puts in a relay message: the text and who signs it."""

    text: str
    staff: str


_ENDED = {
    DraftState.SENT: RefusalReason.ALREADY_SENT,
    DraftState.CANCELLED: RefusalReason.CANCELLED,
    DraftState.REPLACED: RefusalReason.REPLACED,
}
_UNREACHABLE_STATUS = {
    PatientStatus.LEFT: RefusalReason.ERASED,
    PatientStatus.ANONYMISED: RefusalReason.ERASED,
    PatientStatus.STOPPED: RefusalReason.STOPPED,
    PatientStatus.UNREACHABLE: RefusalReason.UNREACHABLE,
}


async def begin_draft(
    uow: UnitOfWork,
    incident_id: int,
    staff_id: int,
    staff_name: str,
    prompt_chat_id: int,
    now: datetime,
) -> RelayDraft | None:
    """Open a draft to the incident's patient (before its prompt is shown); None if the
    incident or its patient is gone."""
    incident = await uow.incidents.by_id(incident_id)
    if incident is None or incident.patient_id is None:
        return None
    patient = await uow.patients.by_id(incident.patient_id)
    if patient is None:
        return None
    draft = RelayDraft(
        staff_id=staff_id,
        staff_name=staff_name[:MAX_STAFF_NAME],
        prompt_chat_id=prompt_chat_id,
        created_at=now,
        updated_at=now,
        incident_id=incident_id,
        patient_id=patient.id,
        patient_chat_id=patient.chat_id,
    )
    uow.relay_drafts.add(draft)
    await uow.relay_drafts.flush()
    await uow.commit()
    return draft


async def record_prompt(uow: UnitOfWork, draft_id: int, message_id: int) -> None:
    """Remember the prompt's message: replies to it are this draft's text."""
    draft = await uow.relay_drafts.by_id(draft_id)
    if draft is None:
        return
    draft.prompt_message_id = message_id
    await uow.commit()


async def write_draft(
    uow: UnitOfWork,
    chat_id: int,
    reply_to_message_id: int,
    staff_id: int,
    text: str,
    now: datetime,
) -> Drafted | Refused | None:
    """A staff reply to a prompt becomes that prompt's draft, ready for Send; a later reply
    to the same prompt replaces a draft still waiting for Send. None if the message replied
    to is no prompt (ordinary conversation in the staff chat)."""
    prompted = await uow.relay_drafts.by_prompt(chat_id, reply_to_message_id)
    if prompted is None:
        return None
    patient = await _writable(uow, prompted, staff_id, text)
    if isinstance(patient, Refused):
        return patient
    if await uow.relay_drafts.move(prompted, DraftState.AWAITING_TEXT, DraftState.READY, now):
        prompted.text = text
        await uow.commit()
        return Drafted(prompted, patient)
    replaced = None
    if await uow.relay_drafts.move(prompted, DraftState.READY, DraftState.REPLACED, now):
        replaced = prompted
    draft = prompted.with_new_text(text, now)
    uow.relay_drafts.add(draft)
    await uow.relay_drafts.flush()
    await uow.commit()
    return Drafted(draft, patient, replaced)


async def write_draft_text(
    uow: UnitOfWork, draft_id: int, staff_id: int, text: str, now: datetime
) -> Drafted | Refused:
    """A draft's text written where there is no prompt to reply to (the console's form): the
    same checks as a reply to a prompt, the draft found by its id."""
    draft = await uow.relay_drafts.by_id(draft_id)
    if draft is None:
        return Refused(RefusalReason.UNKNOWN)
    patient = await _writable(uow, draft, staff_id, text)
    if isinstance(patient, Refused):
        return patient
    if not await uow.relay_drafts.move(draft, DraftState.AWAITING_TEXT, DraftState.READY, now):
        return Refused(_refusal_to_press(draft, staff_id) or RefusalReason.UNKNOWN, draft)
    draft.text = text
    await uow.commit()
    return Drafted(draft, patient)


async def send_draft(
    uow: UnitOfWork, draft_id: int, staff_id: int, now: datetime
) -> Sent | Refused:
    """Send exactly the draft's text to its patient (queued in the outbox, audited), or refuse
    and say why; only the author may send."""
    draft = await uow.relay_drafts.by_id(draft_id)
    refusal = _refusal_to_press(draft, staff_id)
    if refusal is not None or draft is None or draft.text is None:
        return Refused(refusal or RefusalReason.UNKNOWN, draft)
    patient = await _recipient(uow, draft)
    if isinstance(patient, RefusalReason):
        return Refused(patient, draft)
    assert draft.id is not None and patient.id is not None
    if not await uow.relay_drafts.move(draft, DraftState.READY, DraftState.SENT, now):
        return Refused(_refusal_to_press(draft, staff_id) or RefusalReason.UNKNOWN, draft)
    draft.sent_at = now
    await uow.outbox.add_unless_present(
        ScheduledMessage(
            unique_key=f"relay:{draft.id}",
            patient_id=patient.id,
            kind=RELAY_KIND,
            message_key=RELAY_MESSAGE_KEY,
            due_at=now,
            valid_until=now + RELAY_VALID_FOR,
            step_key=str(draft.id),
            priority=Priority.REPLY,
        )
    )
    # Ids only: the text is the patient's health conversation, not the audit trail's.
    await uow.audit.record(
        AuditEvent(now, "relay.sent", staff_id, subject=patient.code, detail=str(draft.id))
    )
    await uow.commit()
    return Sent(draft, patient)


async def cancel_draft(
    uow: UnitOfWork, draft_id: int, staff_id: int, now: datetime
) -> Cancelled | Refused:
    """Drop a draft waiting for Send; only its author may."""
    draft = await uow.relay_drafts.by_id(draft_id)
    refusal = _refusal_to_press(draft, staff_id)
    if refusal is not None or draft is None:
        return Refused(refusal or RefusalReason.UNKNOWN, draft)
    if not await uow.relay_drafts.move(draft, DraftState.READY, DraftState.CANCELLED, now):
        return Refused(_refusal_to_press(draft, staff_id) or RefusalReason.UNKNOWN, draft)
    await uow.commit()
    return Cancelled(draft)


async def relay_text(uow: UnitOfWork, message: ScheduledMessage, chat_id: int) -> RelayText | None:
    """The text of a queued relay row, read from its draft; None, with the row cancelled (the
    caller commits), when the draft is gone, empty, or was written for another chat."""
    draft_id = message.step_key or ""
    draft = await uow.relay_drafts.by_id(int(draft_id)) if draft_id.isdigit() else None
    if draft is None or draft.text is None or draft.patient_chat_id != chat_id:
        message.state, message.last_error = MessageState.CANCELLED, "relay draft gone"
        return None
    return RelayText(draft.text, draft.staff_name)


def _refusal_to_press(draft: RelayDraft | None, staff_id: int) -> RefusalReason | None:
    """Why Send or Cancel on this draft cannot be done by this staff member, if it cannot."""
    if draft is None or draft.state == DraftState.AWAITING_TEXT:
        return RefusalReason.UNKNOWN
    if draft.staff_id != staff_id:
        return RefusalReason.NOT_AUTHOR
    return _ENDED.get(DraftState(draft.state))


async def _writable(
    uow: UnitOfWork, draft: RelayDraft, staff_id: int, text: str
) -> Patient | Refused:
    """The draft's patient, if `staff_id` may write `text` in it now; else why not."""
    if draft.staff_id != staff_id:
        return Refused(RefusalReason.NOT_AUTHOR, draft)
    if len(text) > MAX_RELAY_TEXT:
        return Refused(RefusalReason.TOO_LONG, draft)
    patient = await _recipient(uow, draft)
    return Refused(patient, draft) if isinstance(patient, RefusalReason) else patient


async def _recipient(uow: UnitOfWork, draft: RelayDraft) -> Patient | RefusalReason:
    """The draft's patient if the bot may still write to them in the chat it was begun for."""
    patient = await uow.patients.by_id(draft.patient_id) if draft.patient_id is not None else None
    if patient is None:
        return RefusalReason.ERASED
    if patient.status in _UNREACHABLE_STATUS:
        return _UNREACHABLE_STATUS[patient.status]
    if patient.status != PatientStatus.LINKED:
        return RefusalReason.NOT_FOLLOWED
    if patient.chat_id is None or patient.chat_id != draft.patient_chat_id:
        return RefusalReason.RELINKED
    return patient
