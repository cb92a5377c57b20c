"""Signing staff in to the console, as use cases any front end calls: a one-time link asked
for in Telegram, a Mini App launch Telegram vouches for, and the session behind every request.

The role is read from the database on every request (`who`), so a member removed a moment
ago is refused at once; their sessions are also ended by the removal itself. Every sign-in,
refusal and sign-out is in the audit trail, by Telegram id only.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from aftercare_bot.domain.audit import AuditEvent
from aftercare_bot.domain.console_access import (
    SIGN_IN_LIFETIME,
    ConsoleSession,
    ConsoleSignIn,
    LaunchUser,
    hash_secret,
    new_secret,
)
from aftercare_bot.domain.staff import StaffRole
from aftercare_bot.services import staff
from aftercare_bot.services.ports import Clock, UnitOfWork, UnitsOfWork
from aftercare_bot.services.staff_access import own_language

# How often a session's last use is written down (its idle timeout is this precise).
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class SignedIn:
    """A new session: the secret for the cookie (shown once, stored only as a hash)."""

    secret: str
    user_id: int


@dataclass(frozen=True)
class ConsoleUser:
    """Who is behind a request, as of now: their role from the database, their name, and the
    session's CSRF token for the forms they are shown."""

    user_id: int
    name: str
    role: StaffRole
    csrf_token: str
    language: str | None = None  # their /language choice, else their Telegram's, if known

    @property
    def is_admin(self) -> bool:
        """Admins manage staff and see the audit trail."""
        return self.role == StaffRole.ADMIN


@dataclass(frozen=True)
class ConsoleAccess:
    """Console sign-in and sessions, with the config's admins and the idle timeout."""

    units: UnitsOfWork
    clock: Clock
    admin_ids: Sequence[int]
    idle: timedelta

    async def issue_sign_in(self, user_id: int, name: str) -> str | None:
        """A one-time sign-in secret for a staff member (None for anyone else); `name` is
        their Telegram first name, which their console actions are signed with."""
        now = self.clock.now()
        async with self.units.unit_of_work() as uow:
            if await staff.staff_role(uow, user_id, self.admin_ids) is None:
                return None
            await uow.settings.put(_name_key(user_id), name[:64], now)
            secret = new_secret()
            await uow.console.add_sign_in(
                ConsoleSignIn(hash_secret(secret), user_id, now, now + SIGN_IN_LIFETIME)
            )
            await uow.audit.record(AuditEvent(now, "console.link_issued", user_id))
            await uow.commit()
            return secret

    async def sign_in(self, secret: str) -> SignedIn | None:
        """Use a sign-in link: a new session, or None when the link is unknown, used, expired,
        or its owner is no longer staff."""
        now = self.clock.now()
        async with self.units.unit_of_work() as uow:
            taken = await uow.console.take_sign_in(hash_secret(secret), now)
            if taken is None:
                await uow.audit.record(AuditEvent(now, "console.link_refused", None))
                await uow.commit()
                return None
            return await self._open(uow, taken.user_id, "console.signed_in")

    async def launch(self, user: LaunchUser) -> SignedIn | None:
        """A Mini App opened by `user` (its launch data already verified): a new session, or
        None when they are not staff (the attempt is audited)."""
        async with self.units.unit_of_work() as uow:
            opened = await self._open(uow, user.user_id, "console.mini_app")
            if opened is not None and user.first_name:
                await uow.settings.put(
                    _name_key(user.user_id), user.first_name[:64], self.clock.now()
                )
                await uow.commit()
            return opened

    async def _open(self, uow: UnitOfWork, user_id: int, action: str) -> SignedIn | None:
        now = self.clock.now()
        if await staff.staff_role(uow, user_id, self.admin_ids) is None:
            await uow.audit.record(AuditEvent(now, "console.refused", user_id))
            await uow.commit()
            return None
        secret = new_secret()
        await uow.console.add_session(
            ConsoleSession(hash_secret(secret), user_id, new_secret(), now, now)
        )
        await uow.audit.record(AuditEvent(now, action, user_id))
        await uow.commit()
        return SignedIn(secret, user_id)

    async def who(self, secret: str) -> ConsoleUser | None:
        """The staff member behind a session cookie, as of now, or None: no such session,
        signed out, idle too long, or no longer staff. A live session's idle time restarts."""
        now = self.clock.now()
        token_hash = hash_secret(secret)
        async with self.units.unit_of_work() as uow:
            session = await uow.console.session(token_hash)
            if session is None or not session.alive(now, self.idle):
                return None
            role = await staff.staff_role(uow, session.user_id, self.admin_ids)
            if role is None:
                await uow.console.end(token_hash, now)
                await uow.commit()
                return None
            name = await known_name(uow, session.user_id)
            language = await own_language(uow, session.user_id)
            if now - session.last_seen_at >= TOUCH_EVERY:
                # the idle clock restarts at most once a minute: a page is not a write
                await uow.console.touch(token_hash, now)
                await uow.commit()
        return ConsoleUser(session.user_id, name, role, session.csrf_token, language)

    async def sign_out(self, secret: str) -> None:
        """End this session."""
        now = self.clock.now()
        async with self.units.unit_of_work() as uow:
            session = await uow.console.session(hash_secret(secret))
            await uow.console.end(hash_secret(secret), now)
            if session is not None:
                await uow.audit.record(AuditEvent(now, "console.signed_out", session.user_id))
            await uow.commit()


async def known_name(uow: UnitOfWork, user_id: int) -> str:
    """A staff member's name as staff know it: an invited member's, else the Telegram name an
    admin signed in with, else their id."""
    member = await uow.staff.get(user_id)
    if member is not None:
        return member.display_name
    return await uow.settings.get(_name_key(user_id)) or str(user_id)


def _name_key(user_id: int) -> str:
    return f"staff_name:{user_id}"
