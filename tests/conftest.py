"""Fixtures shared by every test: a fresh database per test, on SQLite or PostgreSQL.

On SQLite one database is migrated per run and each test gets a copy of its file (a copy
takes a millisecond, running the migrations 100 ms). `AFTERCARE_TEST_DATABASE_URL` switches
the database tests to PostgreSQL; the schema is reset and migrated once per run, then every
table is emptied before each test.

`make test` runs the suite on every core (pytest-xdist): each worker has its own SQLite
template and, on PostgreSQL, its own database beside the one named (`test_gw0`, `test_gw1`,
...), created afresh by the worker, so no two tests ever share rows.
"""

import functools
import os
import shutil
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, TextClause, create_engine, make_url, text
from sqlalchemy.pool import NullPool

from aftercare_bot.adapters.persistence import migrate
from aftercare_bot.adapters.persistence.database import Database
from aftercare_bot.adapters.persistence.tables import metadata
from aftercare_bot.adapters.persistence.urls import sync_url
from tests.fakes.unit_of_work import FakeDatabase

_NAMED_POSTGRES_URL = os.environ.get("AFTERCARE_TEST_DATABASE_URL", "")
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


def _worker_database(url: str, worker: str) -> str:
    """This worker's own database next to the named one, created empty; its URL."""
    named = make_url(url)
    own = f"{named.database}_{worker}"
    engine = create_engine(sync_url(url), poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{own}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{own}"'))
    engine.dispose()
    return named.set(database=own).render_as_string(hide_password=False)


POSTGRES_URL = (
    _worker_database(_NAMED_POSTGRES_URL, _WORKER)
    if _NAMED_POSTGRES_URL and _WORKER
    else _NAMED_POSTGRES_URL
)


def reset_postgres_schema(url: str) -> None:
    """Drop everything in the test database's public schema."""
    engine = create_engine(sync_url(url), poolclass=NullPool)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def empty_postgres_tables(url: str) -> None:
    """Remove every row but keep the migrated schema; ids start again at 1.

    DELETE children first and restart the sequences, over one pooled connection: 3 ms a test,
    where TRUNCATE took 40 (it rewrites every table's files, however few rows it holds)."""
    engine, statement = _cleaner(url)
    with engine.begin() as connection:
        connection.execute(statement)


@functools.cache
def _cleaner(url: str) -> tuple[Engine, TextClause]:
    engine = create_engine(sync_url(url))
    with engine.connect() as connection:
        sequences = connection.scalars(
            text(
                "SELECT sequence_name FROM information_schema.sequences "
                "WHERE sequence_schema = 'public'"
            )
        ).all()
    statements = [f"DELETE FROM {table.name}" for table in reversed(metadata.sorted_tables)]
    statements += [f"ALTER SEQUENCE {name} RESTART" for name in sequences]
    return engine, text("; ".join(statements))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Slow tests first: spread over the workers from the start, none is left for the end
    while the other workers wait (the order among the others is kept)."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(scope="session")
def migrated_postgres() -> Iterator[str]:
    """The PostgreSQL test database, migrated once for the whole run."""
    reset_postgres_schema(POSTGRES_URL)
    migrate.upgrade(POSTGRES_URL)
    yield POSTGRES_URL


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once for the whole run, everything in the file itself (no
    write-ahead log beside it), so that copying the file copies the database."""
    path = tmp_path_factory.mktemp("template") / "aftercare.sqlite3"
    migrate.upgrade(f"sqlite:///{path}")
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return path


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database for one test."""
    if POSTGRES_URL:
        url: str = request.getfixturevalue("migrated_postgres")
        empty_postgres_tables(url)
        return url
    path = tmp_path / "aftercare.sqlite3"
    shutil.copyfile(request.getfixturevalue("migrated_sqlite"), path)
    return f"sqlite:///{path}"


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    """A database with no schema at all, for migration tests."""
    if POSTGRES_URL:
        reset_postgres_schema(POSTGRES_URL)
        yield POSTGRES_URL
        reset_postgres_schema(POSTGRES_URL)
        migrate.upgrade(POSTGRES_URL)
        return
    yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"


@pytest.fixture(params=["sql", "fake"])
async def units(request: pytest.FixtureRequest) -> AsyncIterator[Any]:
    """Something whose `unit_of_work()` opens a unit of work: the real database (SQLite, or
    PostgreSQL when `AFTERCARE_TEST_DATABASE_URL` is set) or the in-memory fake. A test that
    takes it runs on both, so use cases are proven on the fake and the fake on the real thing.
    """
    if request.param == "fake":
        yield FakeDatabase()
        return
    database = Database(request.getfixturevalue("database_url"))
    yield database
    await database.dispose()
