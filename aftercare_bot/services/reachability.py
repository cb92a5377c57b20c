"""A patient whose messages failed with 403 is unreachable until they write again."""

from dataclasses import dataclass
from datetime import datetime

from aftercare_bot.domain.audit import AuditEvent
from aftercare_bot.domain.consent import ConsentChange
from aftercare_bot.domain.patients import Patient, PatientStatus
from aftercare_bot.domain.tasks import StaffTask, TaskKind
from aftercare_bot.services.lifecycle import stop_follow_up
from aftercare_bot.services.ports import UnitOfWork, UnitsOfWork, WakeUp
from aftercare_bot.services.tasks import open_task


@dataclass(frozen=True)
class Refused:
    """A patient's chat refused the bot; `now_status` is what that changed them to, if
    anything (staff must hear of a change, and only of a change)."""

    patient: Patient
    now_status: PatientStatus | None


async def patient_unreachable_by_chat(
    uow: UnitOfWork, chat_id: int, now: datetime, *, blocked: bool = False
) -> Refused | None:
    """Telegram refused a send to this chat for good; None if it is not a patient's chat.

    Only a linked patient changes, so staff hear of it once whichever comes first: the
    refusal or Telegram's own news of a block. A block stops the follow-up exactly as that
    news does (the caller tells staff, in the same words); a deactivated account or a chat
    gone marks the patient unreachable with a staff task, as the dispatcher does.
    """
    patient = await uow.patients.by_chat(chat_id)
    if patient is None or patient.id is None:
        return None
    if patient.status != PatientStatus.LINKED:
        return Refused(patient, None)  # already stopped or unreachable: staff know
    if blocked:
        await stop_follow_up(uow, chat_id, now, ConsentChange.BLOCKED)
        return Refused(patient, PatientStatus.STOPPED)
    await mark_unreachable(uow, patient, now)
    await uow.audit.record(AuditEvent(now, "patient.unreachable", subject=patient.code))
    await uow.commit()
    return Refused(patient, PatientStatus.UNREACHABLE)


async def mark_unreachable(
    uow: UnitOfWork, patient: Patient, now: datetime, detail: str | None = None
) -> None:
    """The patient's messages pause and staff get a task: one per patient and day, whether
    the dispatcher or a handler's reply found out first."""
    assert patient.id is not None
    patient.status = PatientStatus.UNREACHABLE
    chat_id = patient.chat_id
    if chat_id is not None:  # their next message must be looked up again, to resume them
        uow.after_commit(lambda: uow.reachable_chats.forget(chat_id))
    await open_task(
        uow,
        StaffTask(
            unique_key=f"{TaskKind.UNREACHABLE.value}:{patient.id}:{now.date().isoformat()}",
            kind=TaskKind.UNREACHABLE,
            patient_id=patient.id,
            created_at=now,
            detail=detail,
        ),
    )


async def patient_is_back(uow: UnitOfWork, chat_id: int, now: datetime) -> Patient | None:
    """An unreachable patient wrote or unblocked the bot: their still-valid messages resume.

    A chat already seen not unreachable is not looked up again (see ReachableChats): this runs
    before the answer to every private message.
    """
    memory = uow.reachable_chats
    if chat_id in memory:
        return None
    generation = memory.generation
    patient = await uow.patients.by_chat(chat_id)
    if patient is None or patient.status != PatientStatus.UNREACHABLE:
        memory.remember(chat_id, generation)
        return None
    patient.status = PatientStatus.LINKED
    await uow.audit.record(AuditEvent(now, "patient.reachable", subject=patient.code))
    await uow.commit()
    return patient


async def chat_wrote(units: UnitsOfWork, wake: WakeUp, chat_id: int, now: datetime) -> None:
    """Any private message: an unreachable patient who writes is back, and the messages that
    waited for them go out now rather than at the dispatcher's next tick."""
    async with units.unit_of_work() as uow:
        patient = await patient_is_back(uow, chat_id, now)
    if patient is not None:
        wake.wake()


async def chat_blocked(units: UnitsOfWork, chat_id: int, now: datetime) -> Patient | None:
    """Telegram says this private chat blocked the bot: a patient's follow-up stops at once,
    without waiting for a send to fail; the patient if there was one to stop (staff are told)."""
    async with units.unit_of_work() as uow:
        return await stop_follow_up(uow, chat_id, now, ConsentChange.BLOCKED)


async def chat_refused(
    units: UnitsOfWork, wake: WakeUp, chat_id: int, now: datetime, *, blocked: bool
) -> Refused | None:
    """A reply to this private chat was refused for good (see `patient_unreachable_by_chat`);
    a patient now unreachable has a staff task whose timer the dispatcher runs, so it wakes."""
    async with units.unit_of_work() as uow:
        refused = await patient_unreachable_by_chat(uow, chat_id, now, blocked=blocked)
    if refused is not None and refused.now_status == PatientStatus.UNREACHABLE:
        wake.wake()
    return refused
