"""An unanswered check-in is nudged once, then marked missed; an answer stops both."""

from datetime import UTC, datetime

from aftercare_bot.domain.check_ins import CheckInState
from aftercare_bot.services.check_ins import record_answered
from tests.e2e.conftest import RunningBot
from tests.e2e.test_delivery import linked

DAY_1_CHECK_IN = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


async def check_ins_of(bot: RunningBot, code: str) -> list[CheckInState]:
    async with bot.runtime.services.database.unit_of_work() as uow:
        patient = await uow.patients.by_code(code)
        assert patient is not None and patient.id is not None
        return [check_in.state for check_in in await uow.check_ins.of_patient(patient.id)]


def nudges(bot: RunningBot, anna: object) -> int:
    return sum(
        "A gentle reminder" in message.get("text", "")
        for message in bot.simulator.messages_in(anna)  # type: ignore[arg-type]
    )


async def test_an_unanswered_check_in_gets_one_nudge_after_8_hours_then_is_missed_at_24(
    bot: RunningBot,
) -> None:
    anna, code = await linked(bot)
    await bot.live_until(DAY_1_CHECK_IN)
    assert await check_ins_of(bot, code) == [CheckInState.OPEN]
    await bot.live_until(datetime(2026, 11, 26, 17, 59, tzinfo=UTC))
    assert nudges(bot, anna) == 0
    await bot.live_until(datetime(2026, 11, 26, 18, 0, tzinfo=UTC))
    assert nudges(bot, anna) == 1
    await bot.live_until(datetime(2026, 11, 27, 10, 0, tzinfo=UTC))
    assert await check_ins_of(bot, code) == [CheckInState.MISSED]
    assert nudges(bot, anna) == 1


async def test_an_answered_check_in_is_neither_nudged_nor_missed(bot: RunningBot) -> None:
    anna, code = await linked(bot)
    await bot.live_until(DAY_1_CHECK_IN)
    async with bot.runtime.services.database.unit_of_work() as uow:
        patient = await uow.patients.by_code(code)
        assert patient is not None and patient.id is not None
        [check_in] = await uow.check_ins.of_patient(patient.id)
        assert check_in.id is not None
        await record_answered(uow, check_in.id, bot.clock.now())
    await bot.live_until(datetime(2026, 11, 27, 12, 0, tzinfo=UTC))
    assert nudges(bot, anna) == 0
    assert await check_ins_of(bot, code) == [CheckInState.ANSWERED]


async def test_a_late_answer_to_a_missed_check_in_still_counts(bot: RunningBot) -> None:
    _anna, code = await linked(bot)
    await bot.live_until(datetime(2026, 11, 27, 10, 0, tzinfo=UTC))
    async with bot.runtime.services.database.unit_of_work() as uow:
        patient = await uow.patients.by_code(code)
        assert patient is not None and patient.id is not None
        [check_in] = await uow.check_ins.of_patient(patient.id)
        assert check_in.id is not None and check_in.state == CheckInState.MISSED
        await record_answered(uow, check_in.id, bot.clock.now())
    assert await check_ins_of(bot, code) == [CheckInState.ANSWERED]
