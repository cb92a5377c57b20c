"""A patient's chat refusing the bot and coming back, as the use cases see it (real database,
no Telegram)."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from aftercare_bot.domain.outbox import Priority
from aftercare_bot.domain.patients import PatientStatus
from aftercare_bot.services.reachability import chat_blocked, chat_wrote, mark_unreachable
from tests.fakes.unit_of_work import Units
from tests.fakes.wakes import Wakes
from tests.services.outbox_data import add_patient_with_messages

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
CHAT = 7


async def _status(database: Units) -> PatientStatus:
    async with database.unit_of_work() as uow:
        patient = await uow.patients.by_chat(CHAT)
    assert patient is not None
    return patient.status


@pytest.fixture
async def database(units: Units) -> AsyncIterator[Units]:
    """A database with one linked patient in CHAT."""
    database = units
    await add_patient_with_messages(database, CHAT, [("a", Priority.PLAN, NOW)])
    yield database
    await database.dispose()


async def test_a_message_from_a_reachable_chat_changes_nothing(database: Units) -> None:
    wakes = Wakes()
    await chat_wrote(database, wakes, CHAT, NOW)
    await chat_wrote(database, wakes, 999, NOW)  # not a patient's chat
    assert wakes.count == 0
    assert await _status(database) == PatientStatus.LINKED


async def test_an_unreachable_patient_who_writes_is_back_and_the_dispatcher_woken(
    database: Units,
) -> None:
    wakes = Wakes()
    await chat_wrote(database, wakes, CHAT, NOW)  # seen reachable: remembered
    async with database.unit_of_work() as uow:
        patient = await uow.patients.by_chat(CHAT)
        assert patient is not None
        await mark_unreachable(uow, patient, NOW)
        await uow.commit()

    await chat_wrote(database, wakes, CHAT, NOW)

    assert wakes.count == 1
    assert await _status(database) == PatientStatus.LINKED


async def test_a_change_made_by_another_process_is_seen_after_a_takeover(
    database: Units,
) -> None:
    wakes = Wakes()
    await chat_wrote(database, wakes, CHAT, NOW)
    async with database.unit_of_work() as uow:  # as another instance would, behind our back
        patient = await uow.patients.by_chat(CHAT)
        assert patient is not None
        patient.status = PatientStatus.UNREACHABLE
        await uow.commit()
    database.reachable_chats.clear()  # what becoming the active instance does

    await chat_wrote(database, wakes, CHAT, NOW)

    assert wakes.count == 1
    assert await _status(database) == PatientStatus.LINKED


async def test_a_block_stops_a_patient_once(database: Units) -> None:
    first = await chat_blocked(database, CHAT, NOW)
    again = await chat_blocked(database, CHAT, NOW)
    assert first is not None and first.status == PatientStatus.STOPPED
    assert again is None  # staff hear of it once
    assert await chat_blocked(database, 999, NOW) is None
