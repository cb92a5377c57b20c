"""The database a benchmark runs the bot on: a SQLite file, or a PostgreSQL database of its own.

PostgreSQL is the production database, so every figure of ours is measured on both. The server
is `AFTERCARE_BENCH_DATABASE_URL` when set, else the local one at 127.0.0.1:5432/test when it
answers; without one, the rows say "not measured: no PostgreSQL". A benchmark never writes to
the named database itself: each run gets one of its own next to it (`<name>_bench`, made
again for every run), so a run starts from the same empty state on both.

Months of follow-up are written straight into the tables in bulk, as the bot's own migrations
left them: `executemany` on SQLite, `COPY` on PostgreSQL (then ANALYZE, as autovacuum would
have done on a database that grew over months, and the id sequences moved past the rows).
"""

import contextlib
import os
import shutil
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from aftercare_bot.adapters.persistence import migrate
from aftercare_bot.adapters.persistence.urls import sync_url

SQLITE = "SQLite"
POSTGRES = "PostgreSQL"
URL_VARIABLE = "AFTERCARE_BENCH_DATABASE_URL"
LOCAL_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
NOT_MEASURED = "not measured: no PostgreSQL"
CHUNK = 20_000
_SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores a DateTime on SQLite
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # SQLAlchemy stores an Interval on SQLite from here


def sqlite_time(moment: datetime) -> str:
    """An aware UTC datetime as the bot's UtcDateTime column stores it on SQLite."""
    return moment.astimezone(UTC).replace(tzinfo=None).strftime(_SQLITE_TIME)


class Loader(ABC):
    """Rows written straight into the bot's tables, in bulk."""

    @abstractmethod
    def insert(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """Rows of Python values (aware datetimes, timedeltas, text, numbers) into `table`."""


class Target(ABC):
    """One benchmark run's database."""

    backend: str
    url: str

    @abstractmethod
    def create(self, template: "Target | None" = None) -> None:
        """A new database at the current schema; a copy of `template` when given."""

    @abstractmethod
    def bulk(self) -> contextlib.AbstractContextManager[Loader]:
        """A loader, committed when the block ends without an error."""

    def count(self, sql: str) -> int:
        """One number read from the database (`SELECT count(*) ...`)."""
        return int(self.fetch(sql)[0][0])

    @abstractmethod
    def fetch(self, sql: str) -> list[tuple[Any, ...]]:
        """The rows a query reads, beside the running bot."""

    @abstractmethod
    def drop(self) -> None:
        """Remove the database."""


@dataclass(frozen=True)
class Backend:
    """SQLite, or a PostgreSQL server; `missing` says why it cannot be measured."""

    name: str
    server_url: str = ""
    missing: str = ""

    def target(self, directory: Path, name: str) -> Target:
        """The run's database called `name`: a file in `directory`, or a database on the
        server next to the named one."""
        if self.name == SQLITE:
            return SqliteTarget(directory / f"{name}.sqlite3")
        return PostgresTarget(self.server_url, name)


def backends() -> list[Backend]:
    """SQLite, then PostgreSQL (marked missing when no server answers)."""
    return [Backend(SQLITE), postgres_backend()]


def postgres_backend() -> Backend:
    """The PostgreSQL server to measure on, if one answers."""
    named = os.environ.get(URL_VARIABLE, "")
    url = named or LOCAL_POSTGRES
    engine = create_engine(sync_url(url), poolclass=NullPool, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", error)).strip().splitlines()[0]
        where = URL_VARIABLE if named else "127.0.0.1:5432"
        return Backend(POSTGRES, url, f"{NOT_MEASURED} ({where}: {reason})")
    finally:
        engine.dispose()
    return Backend(POSTGRES, url)


class SqliteTarget(Target):
    """A SQLite file."""

    backend = SQLITE

    def __init__(self, path: Path) -> None:
        self.path = path
        self.url = f"sqlite:///{path}"

    def create(self, template: Target | None = None) -> None:
        """A new file: migrated, or a copy of the template's."""
        self.drop()
        if isinstance(template, SqliteTarget):
            shutil.copyfile(template.path, self.path)
        else:
            migrate.upgrade(self.url)

    @contextlib.contextmanager
    def bulk(self) -> Iterator[Loader]:
        """A plain sqlite3 connection (no fsync while loading)."""
        connection = sqlite3.connect(self.path)
        connection.execute("PRAGMA synchronous=OFF")
        try:
            with connection:
                yield _SqliteLoader(connection)
        finally:
            connection.close()

    def fetch(self, sql: str) -> list[tuple[Any, ...]]:
        """Read beside the running bot (waiting up to 5 s for its write lock)."""
        connection = sqlite3.connect(self.path, timeout=5.0)
        try:
            return [tuple(row) for row in connection.execute(sql).fetchall()]
        finally:
            connection.close()

    def drop(self) -> None:
        """Delete the file and its journal."""
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)


class _SqliteLoader(Loader):
    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def insert(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        sql = (
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
        )
        chunk: list[tuple[Any, ...]] = []
        for row in rows:
            chunk.append(tuple(_sqlite_value(value) for value in row))
            if len(chunk) >= CHUNK:
                self.connection.executemany(sql, chunk)
                chunk.clear()
        if chunk:
            self.connection.executemany(sql, chunk)


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return sqlite_time(value)
    if isinstance(value, timedelta):
        return sqlite_time(_EPOCH + value)
    return value


class PostgresTarget(Target):
    """A database of its own on the PostgreSQL server, next to the named one."""

    backend = POSTGRES

    def __init__(self, server_url: str, name: str) -> None:
        named = make_url(server_url)
        self.server_url = server_url
        self.name = f"{named.database}_{name}"
        self.url = named.set(database=self.name).render_as_string(hide_password=False)

    def create(self, template: Target | None = None) -> None:
        """Dropped and made again: migrated, or copied from the template's database."""
        self.drop()
        if isinstance(template, PostgresTarget):
            self._admin(f'CREATE DATABASE "{self.name}" TEMPLATE "{template.name}"')
            return
        self._admin(f'CREATE DATABASE "{self.name}"')
        migrate.upgrade(self.url)

    @contextlib.contextmanager
    def bulk(self) -> Iterator[Loader]:
        """COPY into the tables, then the sequences past the ids written and ANALYZE."""
        engine = create_engine(sync_url(self.url), poolclass=NullPool)
        try:
            raw = engine.raw_connection()
            try:
                connection = raw.driver_connection
                assert connection is not None
                loader = _PostgresLoader(connection)
                yield loader
                with connection.cursor() as cursor:
                    for table in loader.tables:
                        cursor.execute(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT max(id) FROM {table}))"
                        )
                connection.commit()
                connection.autocommit = True
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            finally:
                raw.close()
        finally:
            engine.dispose()

    def fetch(self, sql: str) -> list[tuple[Any, ...]]:
        """Read beside the running bot."""
        engine = create_engine(sync_url(self.url), poolclass=NullPool)
        try:
            with engine.connect() as connection:
                return [tuple(row) for row in connection.execute(text(sql))]
        finally:
            engine.dispose()

    def drop(self) -> None:
        """Drop the database, closing whatever is still connected to it."""
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def _admin(self, statement: str) -> None:
        engine = create_engine(
            sync_url(self.server_url), poolclass=NullPool, isolation_level="AUTOCOMMIT"
        )
        try:
            with engine.connect() as connection:
                connection.execute(text(statement))
        finally:
            engine.dispose()


class _PostgresLoader(Loader):
    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.tables: list[str] = []

    def insert(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        if "id" in columns and table not in self.tables:
            self.tables.append(table)
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with self.connection.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
