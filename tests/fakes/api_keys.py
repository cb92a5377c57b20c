"""The fake of `ApiKeyRepository`."""

import dataclasses
from collections.abc import Sequence
from datetime import datetime

from aftercare_bot.domain.api_keys import ApiKey
from tests.fakes.store import FakeSession


class FakeApiKeyRepository:
    """Keys by id, in memory."""

    def __init__(self, session: FakeSession) -> None:
        self._session = session

    async def add(self, key: ApiKey) -> ApiKey:
        """Store a new key (a hash already stored is refused, as by the unique key)."""
        rows = self._session.table("api_keys")
        if any(row.key_hash == key.key_hash for row in rows.values()):
            raise ValueError("duplicate key hash")
        key.id = self._session.new_id("api_keys")
        rows[key.id] = dataclasses.replace(key)
        return key

    async def by_hash(self, key_hash: str) -> ApiKey | None:
        """The key with this hash."""
        rows = self._session.table("api_keys")
        return next((row for row in rows.values() if row.key_hash == key_hash), None)

    async def all(self) -> Sequence[ApiKey]:
        """Every key, newest first."""
        rows = self._session.table("api_keys")
        return [rows[key] for key in sorted(rows, reverse=True)]

    async def revoke(self, key_id: int, now: datetime) -> bool:
        """Revoke a key; False when there is none still active."""
        rows = self._session.table("api_keys")
        found = rows.get(key_id)
        if found is None or found.revoked_at is not None:
            return False
        rows[key_id] = dataclasses.replace(found, revoked_at=now)
        return True

    async def revoke_of(self, user_id: int, now: datetime) -> int:
        """Revoke every key of a staff member."""
        rows = self._session.table("api_keys")
        mine = [k for k, row in rows.items() if row.user_id == user_id and row.revoked_at is None]
        for key in mine:
            rows[key] = dataclasses.replace(rows[key], revoked_at=now)
        return len(mine)

    async def used(self, key_id: int, now: datetime) -> None:
        """Note when a key was last used."""
        rows = self._session.table("api_keys")
        if key_id in rows:
            rows[key_id] = dataclasses.replace(rows[key_id], last_used_at=now)
