"""The scheduler adapter wakes periodic work at once when asked, without losing a wake."""

import asyncio
from collections.abc import Awaitable, Callable
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


async def test_a_use_cases_wake_runs_only_the_beats_it_names_and_a_bare_wake_runs_all() -> None:
    runs: list[str] = []

    def beat(name: str) -> Callable[[], Awaitable[None]]:
        async def work() -> None:
            runs.append(name)

        return work

    heartbeat = Heartbeat()
    for name in ("leadership", "dispatch", "retention", "settings"):
        heartbeat.every(HOUR, name, beat(name))
    dispatcher = heartbeat.waker("dispatch")
    dispatcher.wake()  # before the start: nothing runs yet
    heartbeat.start()
    await heartbeat.idle()
    runs.clear()

    dispatcher.wake()  # a patient's tap made something due
    await heartbeat.idle()
    after_tap = sorted(runs)
    runs.clear()
    heartbeat.waker("dispatch", "settings").wake()  # staff saved a setting on the console
    await heartbeat.idle()
    after_save = sorted(runs)
    runs.clear()
    heartbeat.wake()  # the clock moved
    await heartbeat.idle()
    await heartbeat.shutdown()
    assert after_tap == ["dispatch"]
    assert after_save == ["dispatch", "settings"]
    assert sorted(runs) == ["dispatch", "leadership", "retention", "settings"]


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


NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


async def test_an_armed_wake_runs_the_beat_long_before_its_interval() -> None:
    clock = ManualClock(NOW)
    runs = 0
    armed_run = asyncio.Event()

    async def work() -> None:
        nonlocal runs
        runs += 1
        if runs == 2:
            armed_run.set()

    heartbeat = Heartbeat()
    heartbeat.every(HOUR, "dispatch", work)
    heartbeat.start()
    await heartbeat.idle()
    heartbeat.wake_at("dispatch", NOW + timedelta(milliseconds=60), clock.now())
    await asyncio.wait_for(armed_run.wait(), timeout=5)
    await heartbeat.shutdown()
    assert runs == 2


async def test_a_wake_armed_again_replaces_the_earlier_one_and_none_disarms_it() -> None:
    async def work() -> None:
        pass

    heartbeat = Heartbeat()
    heartbeat.every(timedelta(minutes=1), "dispatch", work)
    heartbeat.start()
    heartbeat.wake_at("dispatch", NOW + timedelta(seconds=40), NOW)
    heartbeat.wake_at("dispatch", NOW + timedelta(seconds=2), NOW)
    assert heartbeat.armed("dispatch") == NOW + timedelta(seconds=2)
    heartbeat.wake_at("dispatch", None, NOW)
    assert heartbeat.armed("dispatch") is None
    await heartbeat.shutdown()


async def test_no_wake_is_armed_when_the_interval_comes_first() -> None:
    async def work() -> None:
        pass

    heartbeat = Heartbeat()
    heartbeat.every(timedelta(seconds=5), "dispatch", work)
    heartbeat.start()
    heartbeat.wake_at("dispatch", NOW + timedelta(seconds=2), NOW)
    heartbeat.wake_at("dispatch", NOW + timedelta(seconds=5), NOW)
    assert heartbeat.armed("dispatch") is None
    await heartbeat.shutdown()


async def test_a_clock_standing_still_does_not_make_an_armed_wake_spin() -> None:
    """A ManualClock parked just before a due row: the wake runs once, then waits for a move."""
    clock = ManualClock(NOW)
    due = NOW + timedelta(microseconds=1)
    rounds = 0
    first_wake = asyncio.Event()

    async def work() -> None:
        nonlocal rounds
        rounds += 1
        if rounds == 2:
            first_wake.set()
        heartbeat.wake_at("dispatch", due, clock.now())  # what the dispatcher round does

    heartbeat = Heartbeat()
    heartbeat.every(HOUR, "dispatch", work)
    heartbeat.start()
    await asyncio.wait_for(first_wake.wait(), timeout=5)
    await heartbeat.idle()
    assert (rounds, heartbeat.armed("dispatch")) == (2, None)
    clock.advance(timedelta(seconds=1))
    heartbeat.wake()
    await heartbeat.idle()
    assert rounds == 3
    await heartbeat.shutdown()


def test_nothing_is_armed_before_the_heartbeat_starts() -> None:
    async def work() -> None:
        pass

    heartbeat = Heartbeat()
    heartbeat.every(HOUR, "dispatch", work)
    heartbeat.wake_at("dispatch", NOW + timedelta(seconds=2), NOW)
    assert heartbeat.armed("dispatch") is None
