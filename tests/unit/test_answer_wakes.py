"""A use case's wake-up inside a Telegram update waits for the handler's answer."""

import asyncio

from aftercare_bot.adapters.telegram.runtime.answer_wakes import (
    HELD_WAKES,
    HeldWakes,
    WakeAfterAnswer,
)
from tests.fakes.wakes import Wakes


def test_outside_an_update_the_dispatcher_is_woken_at_once() -> None:
    wakes = Wakes()
    WakeAfterAnswer(wakes).wake()
    assert wakes.count == 1


async def test_inside_an_update_the_wake_waits_for_its_end_and_goes_off_once() -> None:
    wakes = Wakes()
    held = HeldWakes()
    token = HELD_WAKES.set(held)

    async def handler() -> int:
        WakeAfterAnswer(wakes).wake()
        WakeAfterAnswer(wakes).wake()
        return wakes.count

    try:
        during = await asyncio.ensure_future(handler())  # the task copies the context
    finally:
        HELD_WAKES.reset(token)
    assert during == 0
    held.release()
    assert wakes.count == 1


async def test_a_wake_asked_after_the_update_ended_is_not_lost() -> None:
    wakes = Wakes()
    held = HeldWakes()
    token = HELD_WAKES.set(held)
    try:
        late = asyncio.Event()

        async def outliving_task() -> None:
            await late.wait()
            WakeAfterAnswer(wakes).wake()

        task = asyncio.ensure_future(outliving_task())
    finally:
        HELD_WAKES.reset(token)
    held.release()
    late.set()
    await task
    assert wakes.count == 1
