"""Every contract test runs twice: on the real database (SQLite, or PostgreSQL when
`AFTERCARE_TEST_DATABASE_URL` is set) and on the in-memory fake, so the fake that use-case
tests rely on cannot drift from what the SQL repositories do."""

from collections.abc import AsyncIterator
from typing import Any

import pytest

from aftercare_bot.adapters.persistence.database import Database
from tests.fakes.unit_of_work import FakeDatabase


@pytest.fixture(params=["sql", "fake"])
async def units(request: pytest.FixtureRequest) -> AsyncIterator[Any]:
    """Something whose `unit_of_work()` opens a unit of work: a real or a fake database."""
    if request.param == "fake":
        fake = FakeDatabase()
        yield fake
        return
    database = Database(request.getfixturevalue("database_url"))
    yield database
    await database.dispose()
