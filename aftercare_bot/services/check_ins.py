"""The life of a check-in question: opened when sent, nudged once, missed if never answered.

Its nudge and its expiry are rows in the outbox like every other timer, so a restart loses
neither; an answer cancels both.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from aftercare_bot.adapters.persistence.unit_of_work import SqlUnitOfWork
from aftercare_bot.domain.check_ins import CheckIn, CheckInState, expiry_key, nudge_key
from aftercare_bot.domain.outbox import CHECK_IN_EXPIRY, ScheduledMessage

TIMER_LIFETIME = timedelta(days=30)  # a timer is acted on however late the bot comes back


@dataclass(frozen=True)
class CheckInTiming:
    """When an unanswered check-in is nudged, and when it counts as missed."""

    nudge_after: timedelta
    expire_after: timedelta


async def open_check_in(
    uow: SqlUnitOfWork,
    message: ScheduledMessage,
    sent_at: datetime,
    timing: CheckInTiming,
    telegram_message_id: int | None = None,
) -> CheckIn:
    """A check-in message went out: record it (if its questions were not started already),
    remember the message to edit in place, and set its nudge and expiry."""
    check_in = await uow.check_ins.for_message(message.id) if message.id is not None else None
    if check_in is None:
        check_in = CheckIn(message.patient_id, sent_at, scheduled_message_id=message.id)
        uow.check_ins.add(check_in)
        await uow.check_ins.flush()
    check_in.opened_at = sent_at
    check_in.telegram_message_id = telegram_message_id
    assert check_in.id is not None
    expires = sent_at + timing.expire_after
    await uow.outbox.add_unless_present(
        ScheduledMessage(
            unique_key=nudge_key(check_in.id),
            patient_id=message.patient_id,
            kind="nudge",
            message_key="checkin.nudge",
            due_at=sent_at + timing.nudge_after,
            valid_until=expires,
            session_id=message.session_id,
            step_key=str(check_in.id),
        )
    )
    await uow.outbox.add_unless_present(
        ScheduledMessage(
            unique_key=expiry_key(check_in.id),
            patient_id=message.patient_id,
            kind=CHECK_IN_EXPIRY,
            message_key="",
            due_at=expires,
            valid_until=expires + TIMER_LIFETIME,
            session_id=message.session_id,
            step_key=str(check_in.id),
        )
    )
    return check_in


async def mark_missed(uow: SqlUnitOfWork, check_in_id: int, now: datetime) -> bool:
    """The expiry timer fired: an unanswered check-in is missed (staff see it in the digest)."""
    check_in = await uow.check_ins.by_id(check_in_id)
    if check_in is None or check_in.state != CheckInState.OPEN:
        return False
    check_in.state, check_in.missed_at = CheckInState.MISSED, now
    await uow.outbox.cancel_pending([nudge_key(check_in_id)])
    return True


async def record_answered(uow: SqlUnitOfWork, check_in_id: int, now: datetime) -> CheckIn | None:
    """The patient answered: no nudge, no expiry. A late answer to a missed check-in still
    counts (what a patient reports is never discarded)."""
    check_in = await uow.check_ins.by_id(check_in_id)
    if check_in is None:
        return None
    check_in.state, check_in.answered_at = CheckInState.ANSWERED, now
    await uow.outbox.cancel_pending([nudge_key(check_in_id), expiry_key(check_in_id)])
    await uow.commit()
    return check_in
