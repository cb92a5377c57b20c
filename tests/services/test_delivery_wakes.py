"""When the dispatcher should run next, and what a restart says about messages it sends again
(real database, fake sender)."""

import logging
from datetime import UTC, datetime, timedelta

import pytest

from aftercare_bot.clock import ManualClock
from aftercare_bot.domain.outbox import MessageState, Priority
from aftercare_bot.domain.patients import PatientStatus
from aftercare_bot.services import delivery
from tests.fakes.unit_of_work import Units
from tests.services.outbox_data import add_patient_with_messages
from tests.services.test_delivery_batches import RecordingSender, dispatcher

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


async def test_the_next_round_is_due_when_the_next_message_is(units: Units) -> None:
    database = units
    await add_patient_with_messages(
        database,
        7,
        [("a", Priority.PLAN, NOW + 2 * SECOND), ("b", Priority.PLAN, NOW + 4 * SECOND)],
    )
    bot = dispatcher(database, RecordingSender(), ManualClock(NOW))

    assert await bot.next_due(after=NOW) == NOW + 2 * SECOND
    assert await bot.next_due(after=NOW + 2 * SECOND) == NOW + 4 * SECOND
    assert await bot.next_due(after=NOW + 4 * SECOND) is None
    await database.dispose()


async def test_a_message_that_fell_due_during_the_round_still_counts(units: Units) -> None:
    database = units
    await add_patient_with_messages(database, 7, [("a", Priority.PLAN, NOW + SECOND)])
    clock = ManualClock(NOW)
    bot = dispatcher(database, RecordingSender(), clock)
    started = clock.now()
    await bot.deliver_due()
    clock.advance(3 * SECOND)  # a long round

    assert await bot.next_due(after=started) == NOW + SECOND  # already past: run again at once
    await database.dispose()


async def test_a_deferred_message_is_next_due_at_its_retry_not_at_once(units: Units) -> None:
    database = units
    await add_patient_with_messages(database, 7, [("a", Priority.PLAN, NOW)])
    clock = ManualClock(NOW)
    bot = dispatcher(database, RecordingSender(fail_once={"a"}), clock)

    report = await bot.deliver_due()

    assert report.deferred == 1
    assert await bot.next_due(after=NOW) == NOW + delivery.FIRST_BACKOFF
    await database.dispose()


async def test_an_unreachable_patients_messages_wake_nothing(units: Units) -> None:
    database = units
    await add_patient_with_messages(database, 7, [("a", Priority.PLAN, NOW + 2 * SECOND)])
    async with database.unit_of_work() as uow:
        patient = await uow.patients.by_chat(7)
        assert patient is not None
        patient.status = PatientStatus.UNREACHABLE
        await uow.commit()
    bot = dispatcher(database, RecordingSender(), ManualClock(NOW))

    assert await bot.next_due(after=NOW) is None
    await database.dispose()


async def test_a_restart_says_the_claimed_messages_are_sent_again_without_calling_them_sent(
    units: Units, caplog: pytest.LogCaptureFixture
) -> None:
    database = units
    await add_patient_with_messages(
        database, 7, [(key, Priority.PLAN, NOW) for key in ("a", "b", "c")]
    )
    async with database.unit_of_work() as uow:  # as a process killed mid-send leaves them
        patient = await uow.patients.by_chat(7)
        assert patient is not None and patient.id is not None
        for message in await uow.outbox.for_patient(patient.id):
            message.state, message.attempts = MessageState.SENDING, 1
        await uow.commit()
    bot = dispatcher(database, RecordingSender(), ManualClock(NOW))

    with caplog.at_level(logging.INFO, logger=delivery.__name__):
        assert await bot.recover() == 3

    assert [
        record.getMessage() for record in caplog.records if record.name == delivery.__name__
    ] == [
        "3 messages were claimed by the previous instance without a confirmed send; they will "
        "be sent again (some may already have reached Telegram)"
    ]
    await database.dispose()
