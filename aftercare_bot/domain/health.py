"""`bot.py status`: is the bot doing its job? Healthy, degraded, or down, and why.

Down: nothing is being sent (the database cannot be reached, or no instance holds the lease).
Degraded: it runs, but something waits longer than it should (messages overdue, an urgent
incident nobody has acknowledged past its first re-page). Monitoring reads the exit status.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum

OVERDUE_AFTER = timedelta(minutes=5)  # a due message not sent by then means delivery is stuck


class Health(IntEnum):
    """The exit status of `bot.py status`."""

    HEALTHY = 0
    DEGRADED = 1
    DOWN = 2


@dataclass(frozen=True)
class Snapshot:
    """What the database says about the bot right now."""

    now: datetime
    pending: int
    overdue: int
    open_incidents: int
    unacknowledged_urgent_since: datetime | None
    last_sent_at: datetime | None
    leader: str | None
    leader_until: datetime | None


def judge(snapshot: Snapshot, reescalate_after: timedelta) -> tuple[Health, list[str]]:
    """The verdict and the reasons for it (problem names, for the operator's eyes)."""
    if snapshot.leader is None or (
        snapshot.leader_until is not None and snapshot.leader_until <= snapshot.now
    ):
        return Health.DOWN, ["no instance is active (is `bot.py run` running?)"]
    reasons = []
    if snapshot.overdue:
        reasons.append(f"{snapshot.overdue} messages overdue by more than 5 minutes")
    waiting = snapshot.unacknowledged_urgent_since
    if waiting is not None and snapshot.now - waiting > reescalate_after:
        reasons.append("an urgent incident has waited past its first re-page")
    return (Health.DEGRADED if reasons else Health.HEALTHY), reasons
