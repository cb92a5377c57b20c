"""The staff console's one-time sign-in links and sessions, found by the hash of a secret."""

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from aftercare_bot.adapters.persistence.tables import console_sessions, console_sign_ins
from aftercare_bot.domain.console_access import ConsoleSession, ConsoleSignIn


class ConsoleAccessRepository:
    """Sign-in links and sessions."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add_sign_in(self, sign_in: ConsoleSignIn) -> None:
        """Store a new sign-in link."""
        await self._session.execute(
            insert(console_sign_ins).values(
                token_hash=sign_in.token_hash,
                user_id=sign_in.user_id,
                created_at=sign_in.created_at,
                expires_at=sign_in.expires_at,
            )
        )

    async def take_sign_in(self, token_hash: str, now: datetime) -> ConsoleSignIn | None:
        """Use the link if it is usable: at most one caller ever gets it, however many open it
        at once (the update that marks it used is the check)."""
        taken = await self._session.execute(
            update(console_sign_ins)
            .where(
                console_sign_ins.c.token_hash == token_hash,
                console_sign_ins.c.used_at.is_(None),
                console_sign_ins.c.expires_at > now,
            )
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        if getattr(taken, "rowcount", 0) != 1:
            return None
        row = (
            await self._session.execute(
                select(console_sign_ins).where(console_sign_ins.c.token_hash == token_hash)
            )
        ).one()
        return ConsoleSignIn(**_fields(row))

    async def add_session(self, session: ConsoleSession) -> None:
        """Store a new session."""
        await self._session.execute(
            insert(console_sessions).values(
                token_hash=session.token_hash,
                user_id=session.user_id,
                csrf_token=session.csrf_token,
                created_at=session.created_at,
                last_seen_at=session.last_seen_at,
            )
        )

    async def session(self, token_hash: str) -> ConsoleSession | None:
        """The session whose secret hashes to `token_hash`, ended or not."""
        row = (
            await self._session.execute(
                select(console_sessions).where(console_sessions.c.token_hash == token_hash)
            )
        ).first()
        return ConsoleSession(**_fields(row)) if row else None

    async def touch(self, token_hash: str, now: datetime) -> None:
        """The session was used now (its idle time starts again)."""
        await self._session.execute(
            update(console_sessions)
            .where(console_sessions.c.token_hash == token_hash)
            .values(last_seen_at=now)
            .execution_options(synchronize_session=False)
        )

    async def end(self, token_hash: str, now: datetime) -> None:
        """Sign this session out."""
        await self._session.execute(
            update(console_sessions)
            .where(
                console_sessions.c.token_hash == token_hash, console_sessions.c.ended_at.is_(None)
            )
            .values(ended_at=now)
            .execution_options(synchronize_session=False)
        )

    async def end_all_of(self, user_id: int, now: datetime) -> int:
        """End every open session of this person (removed from staff); how many."""
        ended = await self._session.execute(
            update(console_sessions)
            .where(console_sessions.c.user_id == user_id, console_sessions.c.ended_at.is_(None))
            .values(ended_at=now)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(ended, "rowcount", 0) or 0)


def _fields(row: Any) -> dict[str, Any]:
    return dict(row._mapping)
