"""`bot.py status` judges the bot from what the database says."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from aftercare_bot.domain.health import Health, Snapshot, judge

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
REPAGE = timedelta(minutes=15)
RUNNING = Snapshot(
    now=NOW,
    pending=12,
    overdue=0,
    open_incidents=1,
    unacknowledged_urgent_since=None,
    last_sent_at=NOW - timedelta(minutes=3),
    leader="clinic-1:100:aaaa",
    leader_until=NOW + timedelta(seconds=20),
)


def test_a_running_bot_with_nothing_late_is_healthy() -> None:
    assert judge(RUNNING, REPAGE) == (Health.HEALTHY, [])


def test_no_active_instance_is_down() -> None:
    assert judge(replace(RUNNING, leader=None, leader_until=None), REPAGE)[0] == Health.DOWN
    expired = replace(RUNNING, leader_until=NOW - timedelta(seconds=1))
    assert judge(expired, REPAGE)[0] == Health.DOWN


def test_overdue_messages_degrade_it_and_say_how_many() -> None:
    assert judge(replace(RUNNING, overdue=7), REPAGE) == (
        Health.DEGRADED,
        ["7 messages overdue by more than 5 minutes"],
    )


def test_an_urgent_incident_waiting_past_its_first_repage_degrades_it() -> None:
    fresh = replace(RUNNING, unacknowledged_urgent_since=NOW - timedelta(minutes=5))
    assert judge(fresh, REPAGE)[0] == Health.HEALTHY
    stale = replace(RUNNING, unacknowledged_urgent_since=NOW - timedelta(minutes=20))
    assert judge(stale, REPAGE)[0] == Health.DEGRADED
