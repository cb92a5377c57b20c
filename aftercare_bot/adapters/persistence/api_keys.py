"""API keys, found by the hash of the key."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import RowMapping, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from aftercare_bot.adapters.persistence.tables import api_keys
from aftercare_bot.domain.api_keys import ApiKey, ApiScope


class ApiKeyRepository:
    """Stored keys."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, key: ApiKey) -> ApiKey:
        """Store a new key."""
        added = await self._session.execute(
            insert(api_keys)
            .values(
                key_hash=key.key_hash,
                prefix=key.prefix,
                user_id=key.user_id,
                label=key.label,
                scope=key.scope.value,
                created_at=key.created_at,
                created_by=key.created_by,
            )
            .returning(api_keys.c.id)
        )
        key.id = added.scalar_one()
        return key

    async def by_hash(self, key_hash: str) -> ApiKey | None:
        """The key with this hash, revoked or not."""
        row = await self._session.execute(select(api_keys).where(api_keys.c.key_hash == key_hash))
        found = row.mappings().first()
        return None if found is None else _key(found)

    async def all(self) -> Sequence[ApiKey]:
        """Every key, newest first."""
        rows = await self._session.execute(select(api_keys).order_by(api_keys.c.id.desc()))
        return [_key(row) for row in rows.mappings()]

    async def revoke(self, key_id: int, now: datetime) -> bool:
        """Revoke a key; False when there is none still active."""
        done = await self._session.execute(
            update(api_keys)
            .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return bool(getattr(done, "rowcount", 0))

    async def revoke_of(self, user_id: int, now: datetime) -> int:
        """Revoke every key of a staff member (removed from staff); how many."""
        done = await self._session.execute(
            update(api_keys)
            .where(api_keys.c.user_id == user_id, api_keys.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return int(getattr(done, "rowcount", 0))

    async def used(self, key_id: int, now: datetime) -> None:
        """Note when a key was last used."""
        await self._session.execute(
            update(api_keys).where(api_keys.c.id == key_id).values(last_used_at=now)
        )


def _key(row: RowMapping) -> ApiKey:
    return ApiKey(
        key_hash=row["key_hash"],
        prefix=row["prefix"],
        user_id=row["user_id"],
        label=row["label"],
        scope=ApiScope(row["scope"]),
        created_at=row["created_at"],
        created_by=row["created_by"],
        revoked_at=row["revoked_at"],
        last_used_at=row["last_used_at"],
        id=row["id"],
    )
