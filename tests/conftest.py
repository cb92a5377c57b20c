"""Fixtures shared by every test: a fresh database per test, on SQLite or PostgreSQL.

On SQLite one database is migrated per run and each test gets a copy of its file (a copy
takes a millisecond, running the migrations 100 ms). `AFTERCARE_TEST_DATABASE_URL` switches
the database tests to PostgreSQL; the schema is reset and migrated once per run, then every
table is emptied before each test.
"""

import os
import shutil
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from aftercare_bot.adapters.persistence import migrate
from aftercare_bot.adapters.persistence.database import Database
from aftercare_bot.adapters.persistence.tables import metadata
from aftercare_bot.adapters.persistence.urls import sync_url
from tests.fakes.unit_of_work import FakeDatabase

POSTGRES_URL = os.environ.get("AFTERCARE_TEST_DATABASE_URL", "")


def reset_postgres_schema(url: str) -> None:
    """Drop everything in the test database's public schema."""
    engine = create_engine(sync_url(url), poolclass=NullPool)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def empty_postgres_tables(url: str) -> None:
    """Remove every row but keep the migrated schema."""
    names = ", ".join(table.name for table in metadata.sorted_tables)
    if not names:
        return
    engine = create_engine(sync_url(url), poolclass=NullPool)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


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
