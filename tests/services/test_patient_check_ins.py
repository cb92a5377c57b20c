"""A patient's check-in through the use cases alone (real database, no Telegram): what the
Telegram buttons, and later the console or an API, all call."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from aftercare_bot.clock import ManualClock
from aftercare_bot.domain.check_in_steps import Step
from aftercare_bot.domain.check_ins import CheckInState, expiry_key, nudge_key
from aftercare_bot.domain.outbox import MessageState, Priority
from aftercare_bot.domain.triage import TriageRules, Urgency
from aftercare_bot.services.check_ins import CheckInTiming
from aftercare_bot.services.patient_check_ins import PatientCheckIns
from tests.fakes.unit_of_work import Units
from tests.services.outbox_data import add_patient_with_messages

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ANNA, BEA = 7, 8


@pytest.fixture
async def check_ins(units: Units) -> AsyncIterator[PatientCheckIns]:
    database = units
    for chat in (ANNA, BEA):
        await add_patient_with_messages(database, chat, [("welcome", Priority.PLAN, NOW)])
    timing = CheckInTiming(nudge_after=timedelta(hours=8), expire_after=timedelta(hours=24))
    yield PatientCheckIns(database, TriageRules(), timing, ManualClock(NOW))
    await database.dispose()


async def _timers(check_ins: PatientCheckIns, check_in_id: int) -> dict[str, MessageState]:
    async with check_ins.units.unit_of_work() as uow:
        patient = await uow.patients.by_chat(ANNA)
        assert patient is not None and patient.id is not None
        wanted = (nudge_key(check_in_id), expiry_key(check_in_id))
        return {
            m.unique_key: m.state
            for m in await uow.outbox.for_patient(patient.id)
            if m.unique_key in wanted
        }


async def test_a_started_check_in_has_its_nudge_and_expiry_until_it_is_answered(
    check_ins: PatientCheckIns,
) -> None:
    started = await check_ins.start(ANNA)
    assert started is not None and started.patient.chat_id == ANNA
    pending = MessageState.PENDING
    assert set((await _timers(check_ins, started.check_in_id)).values()) == {pending}

    progress = None
    for step, value in [
        (Step.REDNESS, "mild"),
        (Step.SWELLING, "none"),
        (Step.BRUISING, "none"),
        (Step.SIGNS, "done"),
        (Step.PHOTO, "skip"),
        (Step.NOTE, "skip"),
    ]:
        progress = await check_ins.tap(started.check_in_id, step, value, ANNA)
        assert progress is not None
    assert progress is not None and progress.result is not None
    assert progress.result.urgency == Urgency.NOTHING  # mild redness on the day: expected
    assert progress.check_in.state == CheckInState.ANSWERED
    assert MessageState.PENDING not in (await _timers(check_ins, started.check_in_id)).values()


async def test_a_severe_tap_makes_the_check_in_urgent_at_that_tap(
    check_ins: PatientCheckIns,
) -> None:
    started = await check_ins.start(ANNA)
    assert started is not None
    progress = await check_ins.tap(started.check_in_id, Step.REDNESS, "severe", ANNA)
    assert progress is not None and progress.urgent_now is not None
    assert progress.result is None and progress.step == Step.SWELLING


async def test_a_press_from_another_chat_or_a_forged_value_changes_nothing(
    check_ins: PatientCheckIns,
) -> None:
    started = await check_ins.start(ANNA)
    assert started is not None
    assert await check_ins.tap(started.check_in_id, Step.REDNESS, "severe", BEA) is None
    assert await check_ins.tap(started.check_in_id + 1000, Step.REDNESS, "mild", ANNA) is None
    with pytest.raises(ValueError):
        await check_ins.tap(started.check_in_id, Step.REDNESS, "terrible", ANNA)
    progress = await check_ins.tap(started.check_in_id, Step.REDNESS, "none", ANNA)
    assert progress is not None and progress.urgent_now is None  # nothing stuck from above


async def test_a_photo_or_note_nobody_asked_for_is_not_taken(
    check_ins: PatientCheckIns,
) -> None:
    assert await check_ins.start(999) is None  # not a patient's chat
    assert await check_ins.photo(ANNA, "file-1") is None
    assert await check_ins.note(ANNA, "it itches") is None
    started = await check_ins.start(ANNA)
    assert started is not None
    for step in (Step.REDNESS, Step.SWELLING, Step.BRUISING):
        await check_ins.tap(started.check_in_id, step, "none", ANNA)
    await check_ins.tap(started.check_in_id, Step.SIGNS, "done", ANNA)
    progress = await check_ins.photo(ANNA, "file-1")
    assert progress is not None and progress.step == Step.NOTE
    progress = await check_ins.note(ANNA, "it itches")
    assert progress is not None and progress.result is not None
