"""Long bursts go out in one round, batch after batch, and a chat's order survives both the
batch boundaries and a message that has to wait (real database, fake sender)."""

from datetime import UTC, datetime, timedelta

from aftercare_bot.clock import ManualClock
from aftercare_bot.domain.errors import DeliveryDeferred
from aftercare_bot.domain.outbox import MessageState, Priority
from aftercare_bot.domain.outgoing import Outgoing
from aftercare_bot.services.check_ins import CheckInTiming
from aftercare_bot.services.delivery import CLAIM_BATCH, Dispatcher
from tests.e2e.conftest import ImmediatePacer
from tests.fakes.unit_of_work import Units
from tests.services.outbox_data import add_patient_with_messages

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


class RecordingSender:
    """Accepts messages in order, except those it is told to fail once."""

    def __init__(self, fail_once: set[str] | None = None) -> None:
        self.sent: list[tuple[int, str]] = []
        self._fail_once = set(fail_once or ())

    async def send(self, chat_id: int, message: Outgoing) -> int:
        if message.text in self._fail_once:
            self._fail_once.discard(message.text)
            raise DeliveryDeferred("network error")
        self.sent.append((chat_id, message.text))
        return len(self.sent)

    def in_chat(self, chat_id: int) -> list[str]:
        return [text for chat, text in self.sent if chat == chat_id]


async def add_patient(database: Units, chat_id: int, steps: int) -> None:
    """A patient with `steps` reminders due now, step 1 first."""
    await add_patient_with_messages(
        database,
        chat_id,
        [(f"{chat_id}:{step}", Priority.PLAN, NOW) for step in range(1, steps + 1)],
    )


def dispatcher(database: Units, sender: RecordingSender, clock: ManualClock) -> Dispatcher:
    return Dispatcher(
        database=database,
        sender=sender,
        compose=lambda delivery: Outgoing(delivery.message.message_key),
        pacer=ImmediatePacer(),
        clock=clock,
        quiet=None,
        check_in_timing=CheckInTiming(timedelta(hours=8), timedelta(hours=24)),
    )


async def test_more_than_a_batch_goes_out_in_one_round_in_each_chats_order(
    units: Units,
) -> None:
    database = units
    chats = range(1000, 1000 + CLAIM_BATCH * 2 // 3 + 17)  # 3 each: batches split some chats
    for chat in chats:
        await add_patient(database, chat, steps=3)
    sender = RecordingSender()

    report = await dispatcher(database, sender, ManualClock(NOW)).deliver_due()
    await database.dispose()

    assert report.sent == 3 * len(chats) > 2 * CLAIM_BATCH
    assert len(set(sender.sent)) == len(sender.sent)
    for chat in chats:
        assert sender.in_chat(chat) == [f"{chat}:1", f"{chat}:2", f"{chat}:3"]


async def test_a_message_that_must_wait_holds_back_the_rest_of_its_chat(
    units: Units,
) -> None:
    database = units
    await add_patient(database, 7, steps=3)
    await add_patient(database, 8, steps=1)
    sender = RecordingSender(fail_once={"7:1"})
    clock = ManualClock(NOW)
    bot = dispatcher(database, sender, clock)

    first = await bot.deliver_due()
    assert (first.sent, first.deferred) == (1, 1)
    assert sender.sent == [(8, "8:1")]

    clock.advance(timedelta(seconds=1))  # a round before the failed message's retry
    await bot.deliver_due()
    assert sender.in_chat(7) == []

    clock.advance(timedelta(minutes=1))
    await bot.deliver_due()
    assert sender.in_chat(7) == ["7:1", "7:2", "7:3"]
    async with database.unit_of_work() as uow:
        states = {row[1].message_key: row[1].state for row in await uow.outbox.listing(None)}
    await database.dispose()
    assert set(states.values()) == {MessageState.SENT}
