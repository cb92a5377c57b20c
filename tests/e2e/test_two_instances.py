"""Two `python bot.py run` processes on one PostgreSQL: one active, one standing by.

The active one is killed with -9 in the middle of a burst, with a staff post on its way: the
standby takes over, and every message and the incident arrive exactly once. The kill comes
while Telegram holds the bot's requests before acting on them (the moment a crash can leave
things half-done without a message having gone out); a request Telegram had already carried
out when the process died is sent again, the one window README documents.
"""

import asyncio
import os
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert

from aftercare_bot.adapters.persistence import migrate
from aftercare_bot.adapters.persistence.database import Database
from aftercare_bot.adapters.persistence.tables import patients, scheduled_messages
from aftercare_bot.adapters.persistence.urls import is_sqlite
from aftercare_bot.sandbox import SimUser, TelegramSimulator
from aftercare_bot.sandbox.faults import Hold
from tests.config_files import VALID_CONFIG, write_config
from tests.e2e.conftest import TOKEN
from tests.e2e.test_enroll_command import REPOSITORY

PATIENTS = 30
STARTUP_SECONDS = 30
TAKEOVER = "2s"

pytestmark = pytest.mark.skipif(
    is_sqlite(os.environ.get("AFTERCARE_TEST_DATABASE_URL", "sqlite://")),
    reason="two instances need PostgreSQL; on SQLite a second run refuses to start "
    "(test_sqlite_instance.py)",
)


@pytest.fixture
async def telegram() -> AsyncIterator[TelegramSimulator]:
    sim = TelegramSimulator(token=TOKEN, bot_username="aftercare_test_bot", rate_limits=True)
    await sim.start()
    yield sim
    await sim.stop()


async def start(config: Path, log: Path) -> asyncio.subprocess.Process:
    """A real `bot.py run` whose log goes to `log` (the child keeps its own handle)."""
    with log.open("w") as stream:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            str(REPOSITORY / "bot.py"),
            "run",
            "--config",
            str(config),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=stream,
        )


async def log_says(log: Path, words: str) -> None:
    """Wait until a process's log contains `words`."""
    for _ in range(STARTUP_SECONDS * 10):
        if words in await asyncio.to_thread(log.read_text, errors="replace"):
            return
        await asyncio.sleep(0.1)
    raise TimeoutError(f"{log.name} never said {words!r}")


async def burst(database_url: str, users: list[SimUser]) -> None:
    """Two messages due now for every patient, as a morning's reminders would be."""
    now = datetime.now(UTC)
    database = Database(database_url)
    try:
        async with database.unit_of_work() as uow:
            for number, user in enumerate(users):
                patient_id = (
                    await uow.session.execute(
                        insert(patients)
                        .values(
                            code=f"P-{number:04d}",
                            display_name=user.first_name,
                            timezone="Europe/London",
                            practitioner="Dr Lee",
                            status="linked",
                            chat_id=user.id,
                            enrolled_at=now,
                        )
                        .returning(patients.c.id)
                    )
                ).scalar_one()
                for step, key in (("one", "plan.evening"), ("two", "plan.aftercare")):
                    await uow.session.execute(
                        insert(scheduled_messages).values(
                            unique_key=f"burst:{number}:{step}",
                            patient_id=patient_id,
                            step_key=step,
                            kind="info",
                            message_key=key,
                            due_at=now,
                            valid_until=now + timedelta(hours=6),
                            state="pending",
                            priority=50,
                            attempts=0,
                        )
                    )
            await uow.commit()
    finally:
        await database.dispose()


def posts(telegram: TelegramSimulator, group_id: int) -> int:
    return sum("my scalp itches" in m.get("text", "") for m in telegram.messages_in(group_id))


def delivered(telegram: TelegramSimulator, users: list[SimUser]) -> Counter[tuple[int, str]]:
    return Counter(
        (user.id, message.get("text", "")[:40])
        for user in users
        for message in telegram.messages_in(user)
    )


@pytest.mark.slow
async def test_the_standby_takes_over_a_killed_active_instance_and_nothing_doubles(
    tmp_path: Path, telegram: TelegramSimulator, database_url: str
) -> None:
    group = telegram.add_group("Clinic staff")
    config = write_config(
        tmp_path,
        VALID_CONFIG.replace("[staff]\n", f"[staff]\nescalation_chat_id = {group.id}\n")
        + f'\n[ha]\ntakeover_after = "{TAKEOVER}"\n'
        + '\n[schedule]\nquiet_hours = "off"\ntick = "1s"\n',
        database_url=database_url,
        base_url=telegram.base_url,
    )
    migrate.upgrade(database_url)
    users = [telegram.add_user(first_name=f"Pat{n}", started=True) for n in range(PATIENTS)]
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    first = await start(config, first_log)
    await log_says(first_log, "(active, as ")
    second = await start(config, second_log)
    await log_says(second_log, "standing by")
    try:
        await burst(database_url, users)
        # Mid-burst, hold every next request before Telegram acts on it, then kill -9.
        await telegram.wait_for(
            lambda _e: sum(len(telegram.messages_in(u)) for u in users) >= PATIENTS // 2,
            timeout=30,
        )
        post = telegram.faults.hold_next(
            "sendMessage", matching=lambda params: str(params.get("chat_id")) == str(group.id)
        )
        holds: list[Hold] = [telegram.faults.hold_next("sendMessage") for _ in range(50)]
        await asyncio.wait_for(holds[0].arrived(), timeout=15)
        # A patient writes now: her incident is stored, and its staff post is held too.
        await users[-1].send("my scalp itches since this morning")
        await asyncio.wait_for(post.arrived(), timeout=15)
        holds.append(post)
        await asyncio.sleep(0.5)  # what was answered is recorded; the rest piles onto holds
        first.send_signal(signal.SIGKILL)
        await first.wait()
        for hold in holds:
            hold.release()
        await log_says(second_log, "(active, as ")
        await telegram.wait_for(
            lambda _e: sum(delivered(telegram, users).values()) >= 2 * PATIENTS, timeout=60
        )
        await telegram.wait_for(lambda _e: posts(telegram, group.id) >= 1, timeout=30)
        await asyncio.sleep(1)  # anything doubled would arrive now
    finally:
        for process in (first, second):
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
                await asyncio.wait_for(process.wait(), timeout=10)
    counts = delivered(telegram, users)
    assert len(counts) == 2 * PATIENTS
    assert set(counts.values()) == {1}, [key for key, n in counts.items() if n > 1]
    assert posts(telegram, group.id) == 1  # the incident, posted once, by the standby
    assert second.returncode == 0
