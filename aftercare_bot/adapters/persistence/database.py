"""The async engine and its sessions: built once by bootstrap, disposed at shutdown."""

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    async_sessionmaker,
    create_async_engine,
)

from aftercare_bot.adapters.persistence.orm import start_mappers
from aftercare_bot.adapters.persistence.unit_of_work import SqlUnitOfWork
from aftercare_bot.adapters.persistence.urls import async_url, is_sqlite, sqlite_file

SQLITE_BUSY_TIMEOUT_MS = 5000


class Database:
    """One engine per process, handing out units of work."""

    def __init__(self, url: str) -> None:
        start_mappers()
        self.url = url
        self.engine = create_engine(url)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    def unit_of_work(self) -> SqlUnitOfWork:
        """A fresh unit of work; use it as `async with db.unit_of_work() as uow:`."""
        return SqlUnitOfWork(self._sessions)

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
