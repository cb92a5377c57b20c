"""Updates held across a stop, on SQL and on the fake."""

from datetime import UTC, datetime
from typing import Any

from aftercare_bot.adapters.persistence.held_updates import HeldUpdate

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


async def keep(units: Any, *updates: HeldUpdate) -> None:
    async with units.unit_of_work() as uow:
        await uow.held_updates.keep(list(updates), NOW)
        await uow.commit()


async def held(units: Any) -> list[HeldUpdate]:
    async with units.unit_of_work() as uow:
        found: list[HeldUpdate] = await uow.held_updates.all()
        return found


async def test_kept_updates_come_back_in_the_order_telegram_numbered_them(units: Any) -> None:
    await keep(units, HeldUpdate(12, 5001, '{"b": 1}'), HeldUpdate(11, None, '{"a": 1}'))
    await keep(units)
    assert await held(units) == [HeldUpdate(11, None, '{"a": 1}'), HeldUpdate(12, 5001, '{"b": 1}')]


async def test_an_update_kept_twice_stays_as_it_was_first_kept(units: Any) -> None:
    await keep(units, HeldUpdate(11, 5001, "first"))
    await keep(units, HeldUpdate(11, 5002, "second"), HeldUpdate(13, 5002, "new"))
    assert await held(units) == [HeldUpdate(11, 5001, "first"), HeldUpdate(13, 5002, "new")]


async def test_forgetting_deletes_the_handled_updates_many_at_a_time(units: Any) -> None:
    await keep(units, *(HeldUpdate(update_id, 5001, "{}") for update_id in range(1, 1201)))
    async with units.unit_of_work() as uow:
        await uow.held_updates.forget(iter(range(1, 1200)))
        await uow.commit()
    assert await held(units) == [HeldUpdate(1200, 5001, "{}")]


async def test_forgetting_a_chat_deletes_only_what_that_chat_sent(units: Any) -> None:
    await keep(units, HeldUpdate(1, 5001, "a"), HeldUpdate(2, 5002, "b"), HeldUpdate(3, None, "c"))
    async with units.unit_of_work() as uow:
        await uow.held_updates.forget_chat(5001)
        await uow.commit()
    assert await held(units) == [HeldUpdate(2, 5002, "b"), HeldUpdate(3, None, "c")]


async def test_updates_kept_in_a_unit_that_does_not_commit_are_gone(units: Any) -> None:
    async with units.unit_of_work() as uow:
        await uow.held_updates.keep([HeldUpdate(1, 5001, "a")], NOW)
        assert await uow.held_updates.all() == [HeldUpdate(1, 5001, "a")]
    assert await held(units) == []
