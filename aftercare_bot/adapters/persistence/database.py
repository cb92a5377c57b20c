"""The async engine and its sessions: built once by bootstrap, disposed at shutdown.

`probe` asks, before a command relies on it, whether the database can be reached and written,
so that a stopped server or a read-only file is one line for the operator, not a traceback.
"""

import os
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool

from aftercare_bot.adapters.persistence.orm import start_mappers
from aftercare_bot.adapters.persistence.unit_of_work import SqlUnitOfWork
from aftercare_bot.adapters.persistence.urls import async_url, is_sqlite, sqlite_file, sync_url
from aftercare_bot.services.reachable_chats import ReachableChats

SQLITE_BUSY_TIMEOUT_MS = 5000
# A database server that does not answer within this is reported, not waited for.
CONNECT_TIMEOUT_SECONDS = 10
READ_ONLY_HINT = "the user running the bot must be able to write to the file and its folder"


class DatabaseUnusable(Exception):
    """The database cannot be reached, created or written; the message is one line naming it."""


class Database:
    """One engine per process, handing out units of work."""

    def __init__(self, url: str) -> None:
        start_mappers()
        self.url = url
        self.engine = create_engine(url)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self.reachable_chats = ReachableChats()

    def unit_of_work(self) -> SqlUnitOfWork:
        """A fresh unit of work; use it as `async with db.unit_of_work() as uow:`."""
        return SqlUnitOfWork(self._sessions, self.reachable_chats)

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()


def create_engine(url: str) -> AsyncEngine:
    """An async engine; SQLite gets the pragmas that make it safe for a bot with timers."""
    target = async_url(url)
    if not is_sqlite(target):
        return create_async_engine(target, pool_pre_ping=True, hide_parameters=True)
    path = sqlite_file(target)
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(target, hide_parameters=True)
    event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def shown_url(url: str) -> str:
    """The database URL as an operator may see it: without the password."""
    return make_url(url).render_as_string(hide_password=True)


def probe(url: str) -> None:
    """Make sure the database can be reached and written (a SQLite file's folder is created).

    Raises:
        DatabaseUnusable: the server does not answer, or the file or its folder is read-only.
    """
    path = sqlite_file(url)
    if path is not None:
        _probe_sqlite_file(Path(path))
        return
    engine = create_sync_engine(
        sync_url(url), poolclass=NullPool, connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS}
    )
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except DBAPIError as error:
        raise DatabaseUnusable(f"database {shown_url(url)}: {first_line(error.orig)}") from None
    finally:
        engine.dispose()


def _probe_sqlite_file(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DatabaseUnusable(
            f"database {path}: cannot create its folder ({error.strerror})"
        ) from None
    if not os.access(path.parent, os.W_OK):
        raise DatabaseUnusable(f"database {path}: its folder is read-only ({READ_ONLY_HINT})")
    if path.exists() and not os.access(path, os.W_OK):
        raise DatabaseUnusable(f"database {path}: the file is read-only ({READ_ONLY_HINT})")


def first_line(error: BaseException | None) -> str:
    """The first line of a driver's error message (psycopg adds hints on further lines)."""
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
