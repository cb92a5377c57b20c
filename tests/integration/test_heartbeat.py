"""The scheduler adapter wakes periodic work at once when asked, without losing a wake."""

import asyncio
from datetime import UTC, datetime, timedelta

from aftercare_bot.adapters.scheduling import Heartbeat
from aftercare_bot.clock import ManualClock

HOUR = timedelta(hours=1)


async def test_a_beat_runs_once_at_start_to_catch_up_on_what_fell_due_while_down() -> None:
    runs: list[str] = []

    async def work() -> None:
        runs.append("run")

    heartbeat = Heartbeat()
    heartbeat.every(HOUR, "dispatch", work)
    heartbeat.start()
    await heartbeat.idle()
    await heartbeat.shutdown()
    assert runs == ["run"]


async def test_moving_a_manual_clock_wakes_the_beat_without_waiting_for_its_interval() -> None:
    clock = ManualClock(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    seen: list[datetime] = []

    async def work() -> None:
        seen.append(clock.now())

    heartbeat = Heartbeat()
    heartbeat.every(HOUR, "dispatch", work)
    clock.on_change(heartbeat.wake)
    heartbeat.start()
    await heartbeat.idle()
    clock.advance(timedelta(days=1))
    await heartbeat.idle()
    await heartbeat.shutdown()
    assert seen == [
        datetime(2026, 11, 25, 9, 0, tzinfo=UTC),
        datetime(2026, 11, 26, 9, 0, tzinfo=UTC),
    ]


async def test_a_wake_during_a_run_makes_it_run_once_more_and_never_twice_at_once() -> None:
    started, release = asyncio.Event(), asyncio.Event()
    running = 0
    overlaps = 0
    runs = 0

    async def work() -> None:
        nonlocal running, overlaps, runs
        running += 1
        overlaps = max(overlaps, running)
        runs += 1
        started.set()
        if runs == 1:
            await release.wait()
        running -= 1

    heartbeat = Heartbeat()
    heartbeat.every(HOUR, "dispatch", work)
    heartbeat.start()
    await started.wait()
    heartbeat.wake()
    heartbeat.wake()
    release.set()
    await heartbeat.idle()
    await heartbeat.shutdown()
    assert (runs, overlaps) == (2, 1)


async def test_a_failing_round_does_not_stop_the_next_one() -> None:
    attempts = 0

    async def work() -> None:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            raise RuntimeError("database went away")

    heartbeat = Heartbeat()
    heartbeat.every(HOUR, "dispatch", work)
    heartbeat.start()
    await heartbeat.idle()
    heartbeat.wake()
    await heartbeat.idle()
    await heartbeat.shutdown()
    assert attempts == 2


async def test_the_interval_timer_runs_the_beat_on_the_event_loop() -> None:
    ran_twice = asyncio.Event()
    runs = 0

    async def work() -> None:
        nonlocal runs
        runs += 1
        if runs == 2:
            ran_twice.set()

    heartbeat = Heartbeat()
    heartbeat.every(timedelta(milliseconds=20), "dispatch", work)
    heartbeat.start()
    await asyncio.wait_for(ran_twice.wait(), timeout=5)
    await heartbeat.shutdown()
    assert runs >= 2
