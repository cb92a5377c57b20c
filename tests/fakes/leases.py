"""The fake of `LeaseRepository`: one row per lease."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from aftercare_bot.domain.leadership import Lease
from tests.fakes.store import FakeSession


@dataclass
class LeaseRow:
    """A row of `leases`."""

    name: str
    holder: str
    expires_at: datetime


class FakeLeaseRepository:
    """Leases by name, in memory."""

    def __init__(self, session: FakeSession) -> None:
        self._session = session

    async def locked(self, name: str) -> Lease | None:
        """The lease (nothing to lock: a fake unit of work never waits for another)."""
        row = self._session.table("leases").get(name)
        return Lease(row.holder, row.expires_at) if row else None

    async def put(self, name: str, holder: str, expires_at: datetime, *, exists: bool) -> None:
        """Take or renew the lease; taking one that another unit took first (and committed)
        fails as the primary key makes it fail, with IntegrityError."""
        table = self._session.table("leases")
        if exists:
            if name in table:
                table[name] = LeaseRow(name, holder, expires_at)
            return
        if name in table or name in self._session.committed("leases"):
            raise IntegrityError("INSERT INTO leases", None, Exception(f"lease {name} taken"))
        table[name] = LeaseRow(name, holder, expires_at)

    async def release(self, name: str, holder: str) -> None:
        """Give the lease up at once (a clean stop), if it is still ours."""
        table = self._session.table("leases")
        if name in table and table[name].holder == holder:
            del table[name]
