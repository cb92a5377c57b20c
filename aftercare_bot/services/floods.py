"""A linked patient's messages during a flood: every one kept, reaching staff as one post.

A patient who sends faster than a person types (see `domain.floods`) is not answered message
by message, and staff do not get a post per message: each message is stored as held, and a
timer brings all held messages into the patient's routine incident as one post. The timer is
an outbox row armed with the first held message, so the post goes out at most `post_within`
after the flood began, however long it lasts, and survives a restart.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from aftercare_bot.domain.outbox import FLOOD_POST, Priority, ScheduledMessage
from aftercare_bot.domain.patients import Patient
from aftercare_bot.services.lifecycle import MAX_PATIENT_MESSAGE
from aftercare_bot.services.ports import UnitOfWork

# How long a held bundle's timer is acted on, however late the bot comes back.
TIMER_LIFETIME = timedelta(days=30)


@dataclass(frozen=True)
class HeldMessages:
    """A patient's messages held since the last bundled post (id, text), oldest first."""

    patient: Patient
    messages: list[tuple[int, str]]


async def hold_message(
    uow: UnitOfWork, patient_id: int, text: str, now: datetime, post_at: datetime
) -> None:
    """Store a message that came in a flood; the first of a bundle arms its post for
    `post_at`."""
    already_held = await uow.records.messages_awaiting_post(patient_id)
    await uow.records.add_message(patient_id, text[:MAX_PATIENT_MESSAGE], now, awaiting_post=True)
    if not already_held:
        due = max(post_at, now)
        await uow.outbox.add_unless_present(
            ScheduledMessage(
                unique_key=f"flood-post:{patient_id}:{now.isoformat()}",
                patient_id=patient_id,
                kind=FLOOD_POST,
                message_key="",
                due_at=due,
                valid_until=due + TIMER_LIFETIME,
                priority=Priority.STAFF,
            )
        )
    await uow.commit()


async def held_messages(uow: UnitOfWork, patient_id: int) -> HeldMessages | None:
    """What the bundle's post must carry; None when there is nothing (already posted, or the
    patient was erased)."""
    patient = await uow.patients.by_id(patient_id)
    if patient is None:
        return None
    messages = await uow.records.messages_awaiting_post(patient_id)
    return HeldMessages(patient, messages) if messages else None


async def mark_posted(uow: UnitOfWork, held: HeldMessages) -> None:
    """The bundle reached staff: its messages are no longer held."""
    await uow.records.mark_posted([message_id for message_id, _ in held.messages])
    await uow.commit()
