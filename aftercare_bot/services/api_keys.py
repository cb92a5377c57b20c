"""API keys: made by admins on the console (shown once), revoked there or with their owner's
removal, and checked on every API request, with the owner's role read again each time."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from aftercare_bot.domain.api_keys import ApiKey, ApiScope, key_hash, new_key, shown_prefix
from aftercare_bot.domain.audit import AuditEvent
from aftercare_bot.services import staff
from aftercare_bot.services.console_access import known_name
from aftercare_bot.services.ports import Clock, UnitsOfWork

# A key's last use is written at most this often: a request is not a write.
USE_NOTED_EVERY = timedelta(minutes=1)
LABEL_LIMIT = 64


@dataclass(frozen=True)
class ApiCaller:
    """Who an API request acts for, as of now."""

    key_id: int
    user_id: int
    name: str
    scope: ApiScope


@dataclass(frozen=True)
class ListedKey:
    """A key on the console, with its owner's name."""

    key: ApiKey
    owner: str


@dataclass(frozen=True)
class ApiKeys:
    """Making, listing, revoking and checking keys."""

    units: UnitsOfWork
    clock: Clock
    admin_ids: Sequence[int]

    async def create(
        self, admin_id: int, owner_id: int, label: str, scope: ApiScope
    ) -> tuple[str, ApiKey] | None:
        """A new key for a staff member, returned once; None when the owner is not staff."""
        now = self.clock.now()
        secret = new_key()
        async with self.units.unit_of_work() as uow:
            if await staff.staff_role(uow, owner_id, self.admin_ids) is None:
                return None
            key = await uow.api_keys.add(
                ApiKey(
                    key_hash=key_hash(secret),
                    prefix=shown_prefix(secret),
                    user_id=owner_id,
                    label=" ".join(label.split())[:LABEL_LIMIT],
                    scope=scope,
                    created_at=now,
                    created_by=admin_id,
                )
            )
            await uow.audit.record(
                AuditEvent(
                    now,
                    "api_key.created",
                    admin_id,
                    subject=key.prefix,
                    detail=f"{scope.value} for {owner_id}",
                )
            )
            await uow.commit()
        return secret, key

    async def listing(self) -> list[ListedKey]:
        """Every key, newest first, with its owner's name."""
        async with self.units.unit_of_work() as uow:
            keys = await uow.api_keys.all()
            return [ListedKey(key, await known_name(uow, key.user_id)) for key in keys]

    async def revoke(self, admin_id: int, key_id: int) -> bool:
        """Revoke a key at once; False when it is not an active key."""
        now = self.clock.now()
        async with self.units.unit_of_work() as uow:
            if not await uow.api_keys.revoke(key_id, now):
                return False
            await uow.audit.record(AuditEvent(now, "api_key.revoked", admin_id, str(key_id)))
            await uow.commit()
        return True

    async def caller(self, presented: str) -> ApiCaller | None:
        """Who a presented key acts for; None for an unknown or revoked key, or one whose
        owner is no longer staff."""
        now = self.clock.now()
        async with self.units.unit_of_work() as uow:
            key = await uow.api_keys.by_hash(key_hash(presented))
            if key is None or not key.active or key.id is None:
                return None
            if await staff.staff_role(uow, key.user_id, self.admin_ids) is None:
                return None
            name = await known_name(uow, key.user_id)
            if key.last_used_at is None or now - key.last_used_at >= USE_NOTED_EVERY:
                await uow.api_keys.used(key.id, now)
                await uow.commit()
        return ApiCaller(key.id, key.user_id, name, key.scope)
