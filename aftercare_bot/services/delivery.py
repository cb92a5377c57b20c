"""The dispatcher: claim what is due, send it, record what happened.

Claim → send → record, each step short, so that a crash leaves at most the messages being
sent at that moment in the explicit `sending` state (never silently lost or doubled). The
Scheduling issue completes this seed with pacing, retries and recovery of that state.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from aftercare_bot.adapters.persistence.database import Database
from aftercare_bot.domain.errors import DeliveryDeferred, RecipientUnreachable
from aftercare_bot.domain.outbox import MessageState, ScheduledMessage
from aftercare_bot.domain.outgoing import Outgoing
from aftercare_bot.domain.patients import Patient, PatientStatus

logger = logging.getLogger(__name__)

CLAIM_BATCH = 50
MAX_ATTEMPTS = 5


class Sender(Protocol):
    """Delivers one composed message to a chat and returns Telegram's message id."""

    async def send(self, chat_id: int, message: Outgoing) -> int:
        """Send, raising RecipientUnreachable or DeliveryDeferred on failure."""
        ...


@dataclass(frozen=True)
class Delivery:
    """Everything a composer needs to render one scheduled message for one patient."""

    patient: Patient
    message: ScheduledMessage
    next_appointment_at: datetime | None


Composer = Callable[[Delivery], Outgoing]


@dataclass(frozen=True)
class DeliveryReport:
    """What one round did, for logs and tests."""

    sent: int = 0
    skipped: int = 0
    failed: int = 0
    deferred: int = 0


async def deliver_due(
    database: Database, sender: Sender, compose: Composer, now: datetime
) -> DeliveryReport:
    """Send every message due by `now`, in due order."""
    claimed, skipped = await _claim(database, now)
    sent = failed = deferred = 0
    for message_id, patient_id in claimed:
        outcome = await _deliver_one(database, sender, compose, message_id, patient_id, now)
        sent += outcome == MessageState.SENT
        failed += outcome == MessageState.FAILED
        deferred += outcome == MessageState.PENDING
    return DeliveryReport(sent, skipped, failed, deferred)


async def _claim(database: Database, now: datetime) -> tuple[list[tuple[int, int]], int]:
    claimed: list[tuple[int, int]] = []
    skipped = 0
    async with database.unit_of_work() as uow:
        for message in await uow.outbox.due(now, CLAIM_BATCH):
            assert message.id is not None
            if message.is_stale(now):
                message.state = MessageState.SKIPPED
                skipped += 1
                continue
            message.state = MessageState.SENDING
            message.attempts += 1
            claimed.append((message.id, message.patient_id))
        await uow.commit()
    return claimed, skipped


async def _deliver_one(
    database: Database,
    sender: Sender,
    compose: Composer,
    message_id: int,
    patient_id: int,
    now: datetime,
) -> MessageState:
    async with database.unit_of_work() as uow:
        message = await uow.outbox.by_id(message_id)
        patient = await uow.patients.by_id(patient_id)
        assert message is not None and patient is not None
        if patient.status != PatientStatus.LINKED or patient.chat_id is None:
            message.state = MessageState.CANCELLED
            await uow.commit()
            return MessageState.CANCELLED
        course = await uow.patients.current_course(patient_id)
        delivery = Delivery(patient, message, course.next_appointment_at if course else None)
        try:
            message.telegram_message_id = await sender.send(patient.chat_id, compose(delivery))
            message.state, message.sent_at = MessageState.SENT, now
        except RecipientUnreachable as error:
            message.state, message.last_error = MessageState.FAILED, str(error)[:256]
        except DeliveryDeferred as error:
            give_up = message.attempts >= MAX_ATTEMPTS
            message.state = MessageState.FAILED if give_up else MessageState.PENDING
            message.last_error = str(error)[:256]
        logger.info("scheduled message %s: %s", message.id, message.state)
        await uow.commit()
        return message.state
