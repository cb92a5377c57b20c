"""Check-ins, on the database and on the fake: kept, found by id, message or patient."""

from datetime import UTC, datetime, timedelta
from typing import Any

from aftercare_bot.domain.check_ins import CheckIn, CheckInState
from aftercare_bot.domain.outbox import CHECK_IN_KIND, ScheduledMessage
from aftercare_bot.domain.patients import Patient, PatientStatus

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


async def add_patient(units: Any, code: str = "P-AAAA") -> int:
    """A committed patient; their id."""
    async with units.unit_of_work() as uow:
        patient = Patient(code, "Pat", "Europe/London", "Grey", NOW, status=PatientStatus.LINKED)
        uow.patients.add(patient)
        await uow.patients.flush()
        await uow.commit()
    assert patient.id is not None
    return patient.id


async def add_check_ins(units: Any, *check_ins: CheckIn) -> None:
    """Commit these check-ins."""
    async with units.unit_of_work() as uow:
        for check_in in check_ins:
            uow.check_ins.add(check_in)
        await uow.check_ins.flush()
        await uow.commit()


async def test_a_committed_check_in_is_read_back_by_a_fresh_unit(units: Any) -> None:
    patient_id = await add_patient(units)
    check_in = CheckIn(patient_id, NOW, answers='{"redness": "mild"}', step="swelling")
    await add_check_ins(units, check_in)
    assert check_in.id is not None
    async with units.unit_of_work() as uow:
        assert await uow.check_ins.by_id(check_in.id) == check_in
        assert await uow.check_ins.by_id(check_in.id + 1000) is None


async def test_an_uncommitted_check_in_is_gone(units: Any) -> None:
    patient_id = await add_patient(units)
    async with units.unit_of_work() as uow:
        uow.check_ins.add(CheckIn(patient_id, NOW))
        await uow.check_ins.flush()
    async with units.unit_of_work() as uow:
        assert await uow.check_ins.of_patient(patient_id) == []


async def test_a_change_to_a_loaded_check_in_is_kept_on_commit(units: Any) -> None:
    patient_id = await add_patient(units)
    check_in = CheckIn(patient_id, NOW)
    await add_check_ins(units, check_in)
    assert check_in.id is not None
    async with units.unit_of_work() as uow:
        loaded = await uow.check_ins.by_id(check_in.id)
        assert loaded is not None
        loaded.state, loaded.answered_at = CheckInState.ANSWERED, NOW + HOUR
        await uow.commit()
    async with units.unit_of_work() as uow:
        stored = await uow.check_ins.by_id(check_in.id)
    assert stored is not None
    assert (stored.state, stored.answered_at) == (CheckInState.ANSWERED, NOW + HOUR)


async def test_for_message_finds_the_check_in_a_plan_message_asks(units: Any) -> None:
    patient_id = await add_patient(units)
    async with units.unit_of_work() as uow:
        asking = ScheduledMessage("ask", patient_id, CHECK_IN_KIND, "ask", NOW, NOW + HOUR)
        uow.outbox.add_new([asking])
        await uow.commit()
    assert asking.id is not None
    check_in = CheckIn(patient_id, NOW, scheduled_message_id=asking.id)
    await add_check_ins(units, CheckIn(patient_id, NOW), check_in)
    async with units.unit_of_work() as uow:
        assert await uow.check_ins.for_message(asking.id) == check_in
        assert await uow.check_ins.for_message(asking.id + 1000) is None


async def test_of_patient_lists_the_patients_check_ins_oldest_first(units: Any) -> None:
    patient_id = await add_patient(units)
    other = await add_patient(units, "P-BBBB")
    await add_check_ins(
        units,
        CheckIn(patient_id, NOW, answers="second"),
        CheckIn(patient_id, NOW - HOUR, answers="first"),
        CheckIn(other, NOW - 2 * HOUR, answers="someone else's"),
        CheckIn(patient_id, NOW, answers="third"),
    )
    async with units.unit_of_work() as uow:
        found = [check_in.answers for check_in in await uow.check_ins.of_patient(patient_id)]
    assert found == ["first", "second", "third"]
