"""The fake of `ConsoleAccessRepository`."""

import dataclasses
from datetime import datetime

from aftercare_bot.domain.console_access import ConsoleSession, ConsoleSignIn
from tests.fakes.store import FakeSession


class FakeConsoleAccessRepository:
    """Sign-in links and sessions by the hash of their secret, in memory."""

    def __init__(self, session: FakeSession) -> None:
        self._session = session

    async def add_sign_in(self, sign_in: ConsoleSignIn) -> None:
        """Store a new sign-in link (a taken hash is refused, as by the unique key)."""
        table = self._session.table("console_sign_ins")
        if sign_in.token_hash in table:
            raise ValueError("duplicate sign-in token hash")
        table[sign_in.token_hash] = dataclasses.replace(sign_in)

    async def take_sign_in(self, token_hash: str, now: datetime) -> ConsoleSignIn | None:
        """Mark the link used and return it, if it is usable."""
        table = self._session.table("console_sign_ins")
        found = table.get(token_hash)
        if found is None or not found.usable(now):
            return None
        taken: ConsoleSignIn = dataclasses.replace(found, used_at=now)
        table[token_hash] = taken
        return taken

    async def add_session(self, session: ConsoleSession) -> None:
        """Store a new session."""
        table = self._session.table("console_sessions")
        if session.token_hash in table:
            raise ValueError("duplicate session token hash")
        table[session.token_hash] = dataclasses.replace(session)

    async def session(self, token_hash: str) -> ConsoleSession | None:
        """The session whose secret hashes to `token_hash`, ended or not."""
        return self._session.table("console_sessions").get(token_hash)

    async def touch(self, token_hash: str, now: datetime) -> None:
        """The session was used now."""
        table = self._session.table("console_sessions")
        if token_hash in table:
            table[token_hash] = dataclasses.replace(table[token_hash], last_seen_at=now)

    async def end(self, token_hash: str, now: datetime) -> None:
        """Sign this session out."""
        table = self._session.table("console_sessions")
        found = table.get(token_hash)
        if found is not None and found.ended_at is None:
            table[token_hash] = dataclasses.replace(found, ended_at=now)

    async def end_all_of(self, user_id: int, now: datetime) -> int:
        """End every open session of this person; how many."""
        table = self._session.table("console_sessions")
        open_ones = [
            key for key, row in table.items() if row.user_id == user_id and row.ended_at is None
        ]
        for key in open_ones:
            table[key] = dataclasses.replace(table[key], ended_at=now)
        return len(open_ones)
