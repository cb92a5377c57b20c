"""Bring a database to the current schema, safely even when two instances start together.

Runs synchronously, before the bot's event loop starts (Alembic's own async recipe calls
`asyncio.run`). On PostgreSQL the migration holds a session advisory lock on its own
connection, and on SQLite the migration's transaction takes the write lock as it begins
(BEGIN IMMEDIATE), so a second instance waits and then finds nothing left to do.
"""

import threading
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.pool import NullPool

from aftercare_bot.adapters.persistence.urls import sqlite_file, sync_url

# An arbitrary constant shared by every instance of this bot: "aftercare" in ASCII, truncated.
MIGRATION_LOCK_KEY = 0x61667465726361
SQLITE_LOCK_WAIT_SECONDS = 60
# Alembic's `context` is a module global: migrations in one process must not overlap.
_in_process = threading.Lock()


def _alembic_config(connection: Connection | None = None) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option(
        "script_location", str(files("aftercare_bot.adapters.persistence.migrations"))
    )
    config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    """The newest migration shipped with this version of the bot."""
    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def current_revision(url: str) -> str | None:
    """The migration a database is at, or None for an empty one."""
    engine = create_engine(sync_url(url), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def upgrade(url: str, revision: str = "head") -> None:
    """Create or migrate the database at `url` to `revision`."""
    _run(url, lambda config: command.upgrade(config, revision))


def downgrade(url: str, revision: str) -> None:
    """Step the schema back (used by the migration tests and by operators undoing a release)."""
    _run(url, lambda config: command.downgrade(config, revision))


def _run(url: str, action: Callable[[AlembicConfig], None]) -> None:
    path = sqlite_file(url)
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = _migration_engine(url)
    try:
        with _in_process, engine.connect() as connection:
            locked = connection.dialect.name == "postgresql"
            if locked:
                connection.execute(
                    text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
                )
                connection.commit()
            try:
                # One transaction for every step: Alembic commits after each migration on
                # databases without transactional DDL (SQLite) unless it runs inside a
                # transaction it was handed, and a commit in between would let a second
                # instance, which planned its steps from the same starting version, redo one.
                with connection.begin():
                    action(_alembic_config(connection))
            finally:
                if locked:
                    connection.execute(
                        text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY}
                    )
                    connection.commit()
    finally:
        engine.dispose()


def _migration_engine(url: str) -> Engine:
    engine = create_engine(sync_url(url), poolclass=NullPool)
    if engine.dialect.name == "sqlite":
        engine = create_engine(
            sync_url(url), poolclass=NullPool, connect_args={"timeout": SQLITE_LOCK_WAIT_SECONDS}
        )
        event.listen(engine, "connect", _sqlite_manual_transactions)
        event.listen(engine, "begin", _sqlite_begin_immediate)
    return engine


def _sqlite_manual_transactions(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
    dbapi_connection.isolation_level = None


def _sqlite_begin_immediate(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")
