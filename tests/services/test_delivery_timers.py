"""Timers that may reach staff: a failing action is tried again, a vanished one is skipped, and
neither stops the round's messages (real database, fake sender and timer action)."""

import asyncio
from datetime import UTC, datetime, timedelta

from aftercare_bot.clock import ManualClock
from aftercare_bot.domain.outbox import (
    INCIDENT_PAGE,
    MessageState,
    Priority,
    ScheduledMessage,
)
from aftercare_bot.domain.outgoing import Outgoing
from aftercare_bot.services.check_ins import CheckInTiming
from aftercare_bot.services.delivery import Dispatcher
from tests.e2e.conftest import ImmediatePacer
from tests.fakes.unit_of_work import Units
from tests.services.outbox_data import add_patient_with_messages

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


class Sender:
    def __init__(self) -> None:
        self.sent: list[int] = []

    async def send(self, chat_id: int, message: Outgoing) -> int:
        self.sent.append(chat_id)
        return len(self.sent)


class FlakyAction:
    """Fails the first `failures` times, then acts; remembers what it acted on."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.acted: list[int] = []

    async def __call__(self, timer: ScheduledMessage) -> None:
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionError("the staff group could not be reached")
        assert timer.id is not None
        self.acted.append(timer.id)


async def a_page_timer(database: Units, chat_id: int) -> int:
    await add_patient_with_messages(
        database, chat_id, [("plan.evening", Priority.PLAN, NOW - timedelta(minutes=1))]
    )
    async with database.unit_of_work() as uow:
        patient = await uow.patients.by_chat(chat_id)
        assert patient is not None and patient.id is not None
        timer = ScheduledMessage(
            unique_key=f"incident-page:test:{chat_id}",
            patient_id=patient.id,
            kind=INCIDENT_PAGE,
            message_key="",
            due_at=NOW - timedelta(minutes=1),
            valid_until=NOW + timedelta(days=30),
            step_key="1:1",
            priority=Priority.STAFF,
        )
        await uow.outbox.add_unless_present(timer)
        await uow.commit()
        assert timer.id is not None
        return timer.id


def dispatcher(database: Units, clock: ManualClock, action: FlakyAction) -> Dispatcher:
    return Dispatcher(
        database=database,
        sender=Sender(),
        compose=lambda delivery: Outgoing(delivery.message.message_key),
        pacer=ImmediatePacer(),
        clock=clock,
        quiet=None,
        check_in_timing=CheckInTiming(timedelta(hours=8), timedelta(hours=24)),
        act_on_incident=action,
    )


async def test_a_failing_timer_is_tried_again_and_the_rounds_messages_still_go(
    units: Units,
) -> None:
    database = units
    clock = ManualClock(NOW)
    timer_id = await a_page_timer(database, 4001)
    action = FlakyAction(failures=1)
    report = await dispatcher(database, clock, action).deliver_due()
    assert report.sent == 1  # the evening message went despite the failing page
    async with database.unit_of_work() as uow:
        timer = await uow.outbox.by_id(timer_id)
    assert timer is not None and timer.state == MessageState.PENDING and timer.retry_at
    clock.set(timer.retry_at)
    await dispatcher(database, clock, action).deliver_due()
    async with database.unit_of_work() as uow:
        timer = await uow.outbox.by_id(timer_id)
    await database.dispose()
    assert timer is not None and timer.state == MessageState.SENT
    assert action.acted == [timer_id]


async def test_a_timer_that_vanished_before_its_turn_is_skipped(units: Units) -> None:
    database = units
    clock = ManualClock(NOW)
    await a_page_timer(database, 4002)

    class Eraser(FlakyAction):
        async def __call__(self, timer: ScheduledMessage) -> None:
            async with database.unit_of_work() as uow:  # the patient is erased meanwhile
                await uow.records.erase(timer.patient_id, "P-04002")
                await uow.commit()
            raise LookupError("gone")

    report = await dispatcher(database, clock, Eraser(0)).deliver_due()
    await database.dispose()
    assert report.failed == 0


class SlowForFirst:
    """Holds the action on `slow_timer` until released (a post waiting for the staff
    group's pace); acts on any other timer at once."""

    def __init__(self, slow_timer: int) -> None:
        self.slow_timer = slow_timer
        self.release = asyncio.Event()
        self.acted: list[int] = []
        self.other_acted = asyncio.Event()

    async def __call__(self, timer: ScheduledMessage) -> None:
        assert timer.id is not None
        if timer.id == self.slow_timer:
            await self.release.wait()
        else:
            self.other_acted.set()
        self.acted.append(timer.id)


async def test_one_patients_slow_timer_does_not_hold_back_anothers(units: Units) -> None:
    database = units
    slow = await a_page_timer(database, 7)
    page = await a_page_timer(database, 8)
    action = SlowForFirst(slow)
    bot = dispatcher(database, ManualClock(NOW), action)

    round_ = asyncio.create_task(bot.deliver_due())
    await asyncio.wait_for(action.other_acted.wait(), timeout=5)
    assert action.acted == [page]  # the other patient's page went while the first waited
    action.release.set()
    await round_
    assert sorted(action.acted) == sorted([slow, page])
    await database.dispose()
