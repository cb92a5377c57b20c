"""A patient's own /checkin gets its nudge and expiry without a look-up; this holds because a
check-in's timers never outlive it, even where SQLite hands a deleted check-in's id out again."""

from datetime import UTC, datetime, timedelta

import pytest

from aftercare_bot.adapters.persistence.database import Database
from aftercare_bot.domain.check_ins import expiry_key, nudge_key
from aftercare_bot.domain.outbox import MessageState, Priority
from aftercare_bot.domain.patients import Patient
from aftercare_bot.services.check_in_flow import begin
from aftercare_bot.services.check_ins import CheckInTiming, arm_new
from tests.services.outbox_data import add_patient_with_messages

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
TIMING = CheckInTiming(nudge_after=timedelta(hours=8), expire_after=timedelta(hours=24))


async def _patient(database: Database, chat_id: int) -> Patient:
    await add_patient_with_messages(database, chat_id, [("welcome", Priority.PLAN, NOW)])
    async with database.unit_of_work() as uow:
        patient = await uow.patients.by_chat(chat_id)
    assert patient is not None and patient.id is not None
    return patient


async def _checkin(database: Database, patient: Patient) -> int:
    """What /checkin stores before its first question goes out."""
    async with database.unit_of_work() as uow:
        check_in = await begin(uow, patient, NOW)
        await arm_new(uow, check_in, NOW, TIMING)
        await uow.commit()
    assert check_in.id is not None
    return check_in.id


@pytest.mark.parametrize("gone", ["erased", "left"])
async def test_a_new_check_in_gets_its_timers_even_on_an_id_used_before(
    database_url: str, gone: str
) -> None:
    database = Database(database_url)
    try:
        anna, bea = await _patient(database, 7), await _patient(database, 8)
        first = await _checkin(database, anna)
        async with database.unit_of_work() as uow:
            assert anna.id is not None
            if gone == "erased":
                await uow.records.erase(anna.id, anna.code)
            else:
                await uow.records.leave(anna.id, keep_for_statistics=False)
            await uow.commit()

        second = await _checkin(database, bea)

        async with database.unit_of_work() as uow:
            assert bea.id is not None
            timers = {
                message.unique_key: message
                for message in await uow.outbox.for_patient(bea.id)
                if message.unique_key in (nudge_key(second), expiry_key(second))
            }
        if database_url.startswith("sqlite"):
            assert second == first  # the very case: SQLite hands the deleted id out again
        assert sorted(timers) == sorted([nudge_key(second), expiry_key(second)])
        assert all(timer.state == MessageState.PENDING for timer in timers.values())
        assert timers[nudge_key(second)].due_at == NOW + TIMING.nudge_after
        assert timers[expiry_key(second)].due_at == NOW + TIMING.expire_after
    finally:
        await database.dispose()
