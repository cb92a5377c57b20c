from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from aftercare_bot.clock import ManualClock, SystemClock


def test_the_system_clock_is_aware_and_in_utc() -> None:
    assert SystemClock().now().tzinfo is UTC


def test_a_manual_clock_moves_only_when_told_and_wakes_its_listeners() -> None:
    clock = ManualClock(datetime(2026, 11, 25, 9, 0, tzinfo=ZoneInfo("Europe/Paris")))
    woken: list[datetime] = []
    clock.on_change(lambda: woken.append(clock.now()))
    assert clock.now() == datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    clock.advance(timedelta(hours=2))
    assert woken == [datetime(2026, 11, 25, 10, 0, tzinfo=UTC)]


def test_a_manual_clock_refuses_naive_times_and_going_backwards() -> None:
    with pytest.raises(ValueError, match="aware"):
        ManualClock(datetime(2026, 11, 25))  # noqa: DTZ001
    clock = ManualClock(datetime(2026, 11, 25, tzinfo=UTC))
    with pytest.raises(ValueError, match="backwards"):
        clock.advance(timedelta(seconds=-1))
