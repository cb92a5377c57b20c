"""The database locked for longer than the bot will wait: what a patient writes meanwhile is
recorded once it is free again, and the patient is never told something broke.

SQLite is locked here by another process's exclusive transaction (a backup tool, a clumsy
manual query), past the bot's 5-second busy timeout.
"""

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from aftercare_bot.adapters.persistence import migrate
from tests.e2e.conftest import RunningBot
from tests.e2e.test_delivery import linked

LOCKED_SECONDS = 8.0


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """A SQLite file this test can lock from outside (whatever database the suite runs on)."""
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    migrate.upgrade(url)
    return url


def lock(path: Path, held: threading.Event, seconds: float) -> None:
    connection = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        connection.execute("BEGIN EXCLUSIVE")
        held.set()
        threading.Event().wait(seconds)
        connection.execute("COMMIT")
    finally:
        connection.close()


@pytest.mark.slow
async def test_a_message_written_while_the_database_is_locked_is_recorded_afterwards(
    bot: RunningBot, tmp_path: Path
) -> None:
    anna, code = await linked(bot)
    held = threading.Event()
    locker = asyncio.get_running_loop().run_in_executor(
        None, lock, tmp_path / "clinic.sqlite3", held, LOCKED_SECONDS
    )
    await asyncio.to_thread(held.wait, 10)
    await anna.send("the redness is spreading")
    reply = await anna.wait_for_reply(timeout=LOCKED_SECONDS + 20)
    await locker
    assert "passed to the clinic team" in reply["text"]
    notice = await bot.admin.wait_for_reply(timeout=10)
    assert notice["text"] == f"Message from patient {code} (Anna): the redness is spreading"
    texts = [m.get("text", "") for m in bot.simulator.messages_in(anna)]
    assert not any("went wrong" in text for text in texts)
