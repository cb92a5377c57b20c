"""PostgreSQL unreachable for a while (restarting, a network cut): the bot keeps running and
catches up, and what a patient writes meanwhile reaches staff afterwards.

The bot reaches the database through a small TCP relay here, which the test cuts and restores,
as a stopped server or a broken network would look to it.
"""

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.engine import make_url

from aftercare_bot.adapters.persistence.urls import is_sqlite
from tests.e2e.conftest import RunningBot
from tests.e2e.test_delivery import linked

OUTAGE_SECONDS = 6.0

pytestmark = pytest.mark.skipif(
    is_sqlite(os.environ.get("AFTERCARE_TEST_DATABASE_URL", "sqlite://")),
    reason="a PostgreSQL outage needs PostgreSQL; SQLite's is test_database_outage.py",
)


class Relay:
    """Forwards TCP connections to the real server until cut; a cut drops every connection."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def cut(self) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()
        for pipe in list(self._pipes):
            pipe.cancel()
        self._server = None

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.create_task(self._pipe(source, sink))
            self._pipes.add(task)
            task.add_done_callback(self._pipes.discard)

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        try:
            while data := await source.read(65536):
                sink.write(data)
                await sink.drain()
        except (OSError, asyncio.CancelledError):
            pass
        finally:
            with contextlib.suppress(Exception):
                sink.close()


@pytest.fixture
async def relay() -> AsyncIterator[Relay]:
    url = make_url(os.environ.get("AFTERCARE_TEST_DATABASE_URL", "postgresql://127.0.0.1"))
    relay = Relay(url.host or "127.0.0.1", url.port or 5432)
    await relay.start()
    yield relay
    if relay._server is not None:
        await relay.cut()


@pytest.fixture
def database_url(database_url: str, relay: Relay) -> str:
    """The test database (migrated and emptied as usual), reached through the relay."""
    return make_url(database_url).set(port=relay.port).render_as_string(hide_password=False)


@pytest.mark.slow
async def test_a_message_written_while_postgres_is_unreachable_reaches_staff_afterwards(
    bot: RunningBot, relay: Relay
) -> None:
    anna, code = await linked(bot)
    await relay.cut()
    await anna.send("the redness is spreading")
    await asyncio.sleep(OUTAGE_SECONDS)  # the outage itself is real time, not the bot's clock
    await relay.start()
    reply = await anna.wait_for_reply(timeout=40)
    assert "passed to the clinic team" in reply["text"]
    notice = await bot.admin.wait_for_reply(timeout=10)
    assert notice["text"] == f"Message from patient {code} (Anna): the redness is spreading"
