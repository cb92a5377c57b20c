"""Which of two instances on one database is active: the holder of an unexpired lease.

The active instance renews its lease well before it expires; a standby takes it over only once
it has expired, so the two are never active together as long as their clocks agree to within
a small part of the lease (NTP keeps servers within milliseconds; the lease is 30 s by
default). An instance that cannot renew stops acting before its lease runs out. A holder that
is a dead process on the same machine (a `run` killed with -9 and restarted) is taken over at
once instead of waiting out the lease.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

LEADER = "leader"


@dataclass(frozen=True)
class Holder:
    """An instance: the machine and process it runs as, plus a nonce against pid reuse."""

    host: str
    pid: int
    nonce: str

    def __str__(self) -> str:
        return f"{self.host}:{self.pid}:{self.nonce}"

    @classmethod
    def parse(cls, text: str) -> "Holder | None":
        """Read what `str()` wrote; None for anything else."""
        host, _, rest = text.rpartition(":")
        host, _, pid = host.rpartition(":")
        return cls(host, int(pid), rest) if host and pid.isdigit() else None


@dataclass(frozen=True)
class Lease:
    """Who holds a lease, and until when."""

    holder: str
    expires_at: datetime


def may_hold(
    lease: Lease | None,
    me: Holder,
    now: datetime,
    process_alive: Callable[[int], bool],
) -> bool:
    """Whether `me` may take or renew the lease now."""
    if lease is None or lease.holder == str(me) or lease.expires_at <= now:
        return True
    holder = Holder.parse(lease.holder)
    return holder is not None and holder.host == me.host and not process_alive(holder.pid)


def renew_every(ttl: timedelta) -> timedelta:
    """Renewal leaves two more tries before the lease could lapse."""
    return ttl / 3
