"""A reply to a patient goes ahead of a burst of bulk reminders (real database, fake sender)."""

from datetime import UTC, datetime, timedelta

from aftercare_bot.clock import ManualClock
from aftercare_bot.domain.outbox import Priority
from aftercare_bot.domain.outgoing import Outgoing
from aftercare_bot.services.check_ins import CheckInTiming
from aftercare_bot.services.delivery import Dispatcher
from tests.e2e.conftest import ImmediatePacer
from tests.fakes.unit_of_work import Units
from tests.services.outbox_data import add_patient_with_messages

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


class RecordingSender:
    """Accepts every message and remembers the order of the chats it went to."""

    def __init__(self) -> None:
        self.chats: list[int] = []

    async def send(self, chat_id: int, message: Outgoing) -> int:
        self.chats.append(chat_id)
        return len(self.chats)


async def test_a_reply_due_last_is_sent_before_a_burst_of_reminders_due_earlier(
    units: Units,
) -> None:
    database = units
    for chat_id in range(1000, 1060):
        await add_patient_with_messages(
            database, chat_id, [("plan.evening", Priority.PLAN, NOW - timedelta(minutes=5))]
        )
    await add_patient_with_messages(database, 9999, [("plan.evening", Priority.REPLY, NOW)])
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
