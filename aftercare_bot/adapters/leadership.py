"""The leader lease in practice: taken at start, renewed on a beat, given up on a clean stop.

See `domain.leadership` for the rule. This adapter adds what the rule leaves to the outside:
the database, the clock, and what to do when the database cannot be reached (keep acting only
while the lease taken last is surely still ours).
"""

import logging
import os
import secrets
import socket
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from aftercare_bot.adapters.persistence.database import Database
from aftercare_bot.domain.leadership import LEADER, Holder, may_hold, renew_every
from aftercare_bot.services.ports import Clock

logger = logging.getLogger(__name__)


def this_process() -> Holder:
    """This instance, as other instances will see it in the lease."""
    return Holder(socket.gethostname()[:64], os.getpid(), secrets.token_hex(4))


def process_alive(pid: int) -> bool:
    """Whether a process with this pid runs on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Leadership:
    """Whether this instance is the active one."""

    def __init__(self, database: Database, clock: Clock, ttl: timedelta) -> None:
        self.me = this_process()
        self._database = database
        self._clock = clock
        self._ttl = ttl
        self._held_until: datetime | None = None

    async def hold(self) -> bool:
        """Take or renew the lease; True while this instance may act as the active one."""
        now = self._clock.now()
        try:
            async with self._database.unit_of_work() as uow:
                lease = await uow.leases.locked(LEADER)
                if not may_hold(lease, self.me, now, process_alive):
                    self._held_until = None
                    return False
                await uow.leases.put(
                    LEADER, str(self.me), now + self._ttl, exists=lease is not None
                )
                await uow.commit()
        except IntegrityError:
            return False  # another instance took it first, in the same instant
        except (SQLAlchemyError, OSError) as error:
            # The database is gone: act on only while the lease taken last is surely ours.
            still = self._held_until is not None and now < self._held_until - renew_every(self._ttl)
            logger.error(
                "leader lease not renewed (%s); %s",
                type(error).__name__,
                "still active" if still else "standing by",
            )
            return still
        self._held_until = now + self._ttl
        return True

    async def release(self) -> None:
        """A clean stop: the standby need not wait for the lease to run out."""
        if self._held_until is None:
            return
        try:
            async with self._database.unit_of_work() as uow:
                await uow.leases.release(LEADER, str(self.me))
                await uow.commit()
        except (SQLAlchemyError, OSError) as error:
            logger.warning("leader lease not released (%s)", type(error).__name__)
        self._held_until = None
