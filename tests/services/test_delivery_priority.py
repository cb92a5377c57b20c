"""A reply to a patient goes ahead of a burst of bulk reminders (real database, fake sender)."""

from datetime import UTC, datetime, timedelta

from aftercare_bot.adapters.persistence.database import Database
from aftercare_bot.clock import ManualClock
from aftercare_bot.domain.outbox import Priority, ScheduledMessage
from aftercare_bot.domain.outgoing import Outgoing
from aftercare_bot.domain.patients import Patient, PatientStatus
from aftercare_bot.services.check_ins import CheckInTiming
from aftercare_bot.services.delivery import Dispatcher
from tests.e2e.conftest import ImmediatePacer

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


class RecordingSender:
    """Accepts every message and remembers the order of the chats it went to."""

    def __init__(self) -> None:
        self.chats: list[int] = []

    async def send(self, chat_id: int, message: Outgoing) -> int:
        self.chats.append(chat_id)
        return len(self.chats)


async def add_patient_with_message(
    database: Database, chat_id: int, priority: Priority, due_at: datetime
) -> None:
    async with database.unit_of_work() as uow:
        patient = Patient(
            code=f"P-{chat_id:04d}"[-6:],
            display_name="Pat",
            timezone="Europe/London",
            practitioner="Grey",
            enrolled_at=NOW,
            status=PatientStatus.LINKED,
            chat_id=chat_id,
        )
        uow.patients.add(patient)
        await uow.patients.flush()
        assert patient.id is not None
        await uow.outbox.add_unless_present(
            ScheduledMessage(
                unique_key=f"test:{chat_id}",
                patient_id=patient.id,
                kind="info",
                message_key="plan.evening",
                due_at=due_at,
                valid_until=due_at + timedelta(hours=6),
                priority=priority,
            )
        )
        await uow.commit()


async def test_a_reply_due_last_is_sent_before_a_burst_of_reminders_due_earlier(
    database_url: str,
) -> None:
    database = Database(database_url)
    for chat_id in range(1000, 1060):
        await add_patient_with_message(database, chat_id, Priority.PLAN, NOW - timedelta(minutes=5))
    await add_patient_with_message(database, 9999, Priority.REPLY, NOW)
    sender = RecordingSender()

    dispatcher = Dispatcher(
        database=database,
        sender=sender,
        compose=lambda delivery: Outgoing(delivery.message.message_key),
        pacer=ImmediatePacer(),
        clock=ManualClock(NOW),
        quiet=None,
        check_in_timing=CheckInTiming(timedelta(hours=8), timedelta(hours=24)),
    )
    report = await dispatcher.deliver_due()
    await database.dispose()
    assert report.sent == 61
    assert sender.chats[0] == 9999
    assert sorted(sender.chats[1:]) == list(range(1000, 1060))
