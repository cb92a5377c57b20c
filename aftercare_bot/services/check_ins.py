"""The life of a check-in question: opened when sent, nudged once, missed if never answered.

Its nudge and its expiry are rows in the outbox like every other timer, so a restart loses
neither; an answer cancels both.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from aftercare_bot.domain.check_ins import (
    CheckIn,
    CheckInState,
    abandon_key,
    expiry_key,
    nudge_key,
)
from aftercare_bot.domain.outbox import CHECK_IN_ABANDON, CHECK_IN_EXPIRY, ScheduledMessage
from aftercare_bot.services.ports import UnitOfWork

TIMER_LIFETIME = timedelta(days=30)  # a timer is acted on however late the bot comes back


@dataclass(frozen=True)
class CheckInTiming:
    """When an unanswered check-in is nudged, when it counts as missed, and when one answered
    halfway is closed and triaged."""

    nudge_after: timedelta
    expire_after: timedelta
    abandon_after: timedelta = timedelta(hours=2)


async def open_check_in(
    uow: UnitOfWork,
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
    if check_in.last_answer_at is None:  # the patient may have started before it was recorded
        await arm_unstarted(uow, check_in, sent_at, timing, message.session_id)
    return check_in


async def arm_unstarted(
    uow: UnitOfWork,
    check_in: CheckIn,
    now: datetime,
    timing: CheckInTiming,
    session_id: int | None = None,
) -> None:
    """A check-in nobody has started answering gets its nudge and its expiry (plan check-ins,
    and a /checkin the patient may have begun before it was stored); a timer already there
    is kept, so nothing is sent twice."""
    await uow.outbox.add_all_unless_present(_unstarted_timers(check_in, now, timing, session_id))


async def arm_new(uow: UnitOfWork, check_in: CheckIn, now: datetime, timing: CheckInTiming) -> None:
    """`arm_unstarted` for a check-in created in this unit of work (/checkin, "I have a
    concern"): its timers cannot exist yet, so they are added without looking them up, one
    round trip less in front of the patient's first question. (A check-in's timers are
    deleted with it, so even an id SQLite hands out again starts clean.)"""
    uow.outbox.add_new(_unstarted_timers(check_in, now, timing, None))


def _unstarted_timers(
    check_in: CheckIn, now: datetime, timing: CheckInTiming, session_id: int | None
) -> list[ScheduledMessage]:
    assert check_in.id is not None
    expires = now + timing.expire_after
    return [
        ScheduledMessage(
            unique_key=nudge_key(check_in.id),
            patient_id=check_in.patient_id,
            kind="nudge",
            message_key="checkin.nudge",
            due_at=now + timing.nudge_after,
            valid_until=expires,
            session_id=session_id,
            step_key=str(check_in.id),
        ),
        ScheduledMessage(
            unique_key=expiry_key(check_in.id),
            patient_id=check_in.patient_id,
            kind=CHECK_IN_EXPIRY,
            message_key="",
            due_at=expires,
            valid_until=expires + TIMER_LIFETIME,
            session_id=session_id,
            step_key=str(check_in.id),
        ),
    ]


async def record_progress(
    uow: UnitOfWork, check_in: CheckIn, now: datetime, timing: CheckInTiming
) -> None:
    """An answer arrived: the nudge and expiry of an unstarted check-in stand down, and the
    check-in is closed `abandon_after` after its latest answer unless it is finished first."""
    assert check_in.id is not None
    check_in.last_answer_at = now
    await uow.outbox.cancel_pending([nudge_key(check_in.id), expiry_key(check_in.id)])
    due = now + timing.abandon_after
    await uow.outbox.put_timer(
        ScheduledMessage(
            unique_key=abandon_key(check_in.id),
            patient_id=check_in.patient_id,
            kind=CHECK_IN_ABANDON,
            message_key="",
            due_at=due,
            valid_until=due + TIMER_LIFETIME,
            step_key=str(check_in.id),
        )
    )


async def mark_missed(uow: UnitOfWork, check_in_id: int, now: datetime) -> bool:
    """The expiry timer fired: a check-in nobody started is missed (staff see it in the
    digest). One with answers is not missed: it is closed and triaged instead."""
    check_in = await uow.check_ins.by_id(check_in_id)
    if check_in is None or check_in.state != CheckInState.OPEN or check_in.answers:
        return False
    check_in.state, check_in.missed_at = CheckInState.MISSED, now
    await uow.outbox.cancel_pending([nudge_key(check_in_id)])
    await uow.commit()
    return True


async def record_answered(uow: UnitOfWork, check_in_id: int, now: datetime) -> CheckIn | None:
    """The patient answered: no nudge, no expiry. A late answer to a missed check-in still
    counts (what a patient reports is never discarded)."""
    check_in = await uow.check_ins.by_id(check_in_id)
    if check_in is None:
        return None
    check_in.state, check_in.answered_at = CheckInState.ANSWERED, now
    await uow.outbox.cancel_pending(
        [nudge_key(check_in_id), expiry_key(check_in_id), abandon_key(check_in_id)]
    )
    await uow.commit()
    return check_in
