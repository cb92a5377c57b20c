"""`python bot.py status`: healthy, degraded or down, for monitoring to read."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aftercare_bot.adapters.persistence import migrate
from aftercare_bot.adapters.persistence.database import Database
from aftercare_bot.domain.incidents import Incident, IncidentUrgency
from aftercare_bot.domain.leadership import LEADER
from aftercare_bot.domain.outbox import ScheduledMessage
from aftercare_bot.domain.patients import Patient, PatientStatus
from tests.config_files import write_config
from tests.e2e.conftest import RunningBot
from tests.e2e.test_enroll_command import bot_py
from tests.e2e.test_incidents import staff_group


@pytest.fixture
def start_at() -> datetime:
    """`status` is a separate process reading the lease against the real clock, so the
    bot's clock starts at the real time."""
    return datetime.now(UTC)


async def test_a_running_bot_is_healthy(bot: RunningBot, tmp_path: Path) -> None:
    await staff_group(bot)
    result = await bot_py("status", "--config", str(tmp_path / "config.toml"))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("database   ok (")
    assert lines[1].startswith("instance   active: ")
    assert lines[-1] == "status     healthy"


async def test_a_running_bot_nobody_could_be_paged_from_is_degraded(
    bot: RunningBot, tmp_path: Path
) -> None:
    """At start the admin had not pressed Start, and no staff group is bound yet."""
    result = await bot_py("status", "--config", str(tmp_path / "config.toml"))
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.endswith(
        "status     degraded\n  - no staff group is bound and no admin can be reached, so an "
        "urgent report would reach nobody (send /bindgroup in the staff group; admins press "
        "Start with the bot)\n"
    )


async def test_without_a_database_it_says_so_and_creates_none(tmp_path: Path) -> None:
    database = tmp_path / "data" / "aftercare.sqlite3"
    config = write_config(tmp_path, database_url=f"sqlite:///{database}")
    result = await bot_py("status", "--config", str(config))
    assert result.returncode == 2
    assert result.stdout.splitlines() == [
        f"database   none yet: {database} (`bot.py run` or `bot.py db upgrade` creates it)",
        "status     down",
    ]
    assert not database.parent.exists()


async def test_without_a_running_bot_it_is_down(tmp_path: Path, database_url: str) -> None:
    migrate.upgrade(database_url)
    config = write_config(tmp_path, database_url=database_url)
    result = await bot_py("status", "--config", str(config))
    assert result.returncode == 2
    assert "no instance is active" in result.stdout


async def test_an_unreachable_database_is_down(tmp_path: Path) -> None:
    config = write_config(tmp_path, database_url="postgresql://nobody@127.0.0.1:1/aftercare")
    result = await bot_py("status", "--config", str(config))
    assert result.returncode == 2
    assert result.stdout.splitlines() == [
        "database   unreachable: postgresql://nobody@127.0.0.1:1/aftercare (OperationalError)",
        "status     down",
    ]


async def test_messages_overdue_behind_a_live_lease_are_degraded(
    tmp_path: Path, database_url: str
) -> None:
    """What a stuck dispatcher leaves: an instance holds the lease, but due messages wait."""
    migrate.upgrade(database_url)
    now = datetime.now(UTC)
    database = Database(database_url)
    try:
        async with database.unit_of_work() as uow:
            patient = Patient("P-LATE", "Lena", "Europe/London", "Dr Lee", now, chat_id=4242)
            patient.status = PatientStatus.LINKED
            uow.patients.add(patient)
            await uow.patients.flush()
            assert patient.id is not None
            for number in range(3):
                await uow.outbox.add_unless_present(
                    ScheduledMessage(
                        unique_key=f"late:{number}",
                        patient_id=patient.id,
                        kind="info",
                        message_key="plan.evening",
                        due_at=now - timedelta(minutes=10 + number),
                        valid_until=now + timedelta(hours=5),
                    )
                )
            await uow.leases.put(LEADER, "elsewhere:1:ffff", now + timedelta(hours=1), exists=False)
            await uow.commit()
    finally:
        await database.dispose()
    config = write_config(tmp_path, database_url=database_url)
    result = await bot_py("status", "--config", str(config))
    assert result.returncode == 1, result.stdout
    assert "messages   3 pending, 3 overdue; last sent never" in result.stdout
    assert result.stdout.endswith(
        "status     degraded\n  - 3 messages overdue by more than 5 minutes\n"
    )


async def test_an_admin_who_presses_start_ends_the_degraded_status_without_a_restart(
    bot: RunningBot, tmp_path: Path
) -> None:
    await bot.admin.send("/start")
    await bot.admin.wait_for_reply()
    result = await bot_py("status", "--config", str(tmp_path / "config.toml"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "status     healthy"


async def test_status_judges_by_the_re_page_interval_the_clinic_set_not_the_files(
    tmp_path: Path, database_url: str
) -> None:
    """An urgent incident unacknowledged for 20 minutes: past the file's 15-minute re-page,
    but within the 30 minutes an admin set in the console."""
    migrate.upgrade(database_url)
    now = datetime.now(UTC)
    database = Database(database_url)
    try:
        async with database.unit_of_work() as uow:
            patient = Patient("P-WAIT", "Vera", "Europe/London", "Dr Lee", now, chat_id=4343)
            uow.patients.add(patient)
            await uow.patients.flush()
            uow.incidents.add(
                Incident(patient.id, IncidentUrgency.URGENT, now - timedelta(minutes=20))
            )
            await uow.leases.put(LEADER, "elsewhere:1:ffff", now + timedelta(hours=1), exists=False)
            await uow.commit()
        config = write_config(tmp_path, database_url=database_url)
        before = await bot_py("status", "--config", str(config))
        assert "an urgent incident has waited past its first re-page" in before.stdout
        async with database.unit_of_work() as uow:
            await uow.clinic_settings.put("escalation.reescalate_after", "30m", now)
            await uow.commit()
    finally:
        await database.dispose()
    after = await bot_py("status", "--config", str(config))
    assert after.returncode == 0, after.stdout
    assert after.stdout.endswith("status     healthy\n")
