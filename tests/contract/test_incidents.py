"""Incidents, on the database and on the fake: kept, listed, taken by one person, shown."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from aftercare_bot.domain.incidents import (
    CARD_COPY,
    PAGE_COPY,
    POST_COPY,
    Incident,
    IncidentCopy,
    IncidentState,
    IncidentUrgency,
)
from aftercare_bot.domain.patients import Patient, PatientStatus

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
URGENT, ROUTINE = IncidentUrgency.URGENT, IncidentUrgency.ROUTINE


async def add_patient(units: Any, code: str = "P-AAAA") -> int:
    """A committed patient; their id."""
    async with units.unit_of_work() as uow:
        patient = Patient(code, "Pat", "Europe/London", "Grey", NOW, status=PatientStatus.LINKED)
        uow.patients.add(patient)
        await uow.patients.flush()
        await uow.commit()
    assert patient.id is not None
    return patient.id


async def add_incidents(units: Any, *incidents: Incident) -> list[int]:
    """Commit these incidents; their ids."""
    async with units.unit_of_work() as uow:
        for incident in incidents:
            uow.incidents.add(incident)
        await uow.incidents.flush()
        await uow.commit()
    return [incident.id or 0 for incident in incidents]


async def add_copies(units: Any, *copies: IncidentCopy) -> None:
    """Commit these copies."""
    async with units.unit_of_work() as uow:
        for copy in copies:
            uow.incidents.add_copy(copy)
        await uow.commit()


async def read(units: Any, incident_id: int) -> Incident:
    """The incident as a fresh unit reads it."""
    async with units.unit_of_work() as uow:
        incident = await uow.incidents.by_id(incident_id)
    assert incident is not None
    return incident


async def test_a_committed_incident_is_read_back_by_a_fresh_unit(units: Any) -> None:
    patient_id = await add_patient(units)
    incident = Incident(patient_id, URGENT, NOW, post_text="Redness", patient_reported=True)
    [incident_id] = await add_incidents(units, incident)
    assert await read(units, incident_id) == incident
    async with units.unit_of_work() as uow:
        assert await uow.incidents.by_id(incident_id + 1000) is None


async def test_an_uncommitted_incident_is_gone(units: Any) -> None:
    patient_id = await add_patient(units)
    async with units.unit_of_work() as uow:
        uow.incidents.add(Incident(patient_id, URGENT, NOW))
        await uow.incidents.flush()
    async with units.unit_of_work() as uow:
        assert await uow.incidents.of_patient(patient_id) == []


async def test_open_incidents_are_urgent_first_then_oldest_and_never_resolved(
    units: Any,
) -> None:
    first, second = await add_patient(units), await add_patient(units, "P-BBBB")
    ids = await add_incidents(
        units,
        Incident(first, ROUTINE, NOW - 2 * HOUR),
        Incident(second, URGENT, NOW, state=IncidentState.ACKNOWLEDGED),
        Incident(first, URGENT, NOW - HOUR),
        Incident(second, URGENT, NOW - 3 * HOUR, state=IncidentState.RESOLVED),
        Incident(first, ROUTINE, NOW - 2 * HOUR),
    )
    async with units.unit_of_work() as uow:
        found = [incident.id for incident in await uow.incidents.open_incidents()]
    assert found == [ids[2], ids[1], ids[0], ids[4]]


async def test_open_for_patient_is_the_newest_unresolved_incident(units: Any) -> None:
    patient_id = await add_patient(units)
    other = await add_patient(units, "P-BBBB")
    ids = await add_incidents(
        units,
        Incident(patient_id, URGENT, NOW),
        Incident(patient_id, ROUTINE, NOW - HOUR, state=IncidentState.ACKNOWLEDGED),
        Incident(patient_id, URGENT, NOW, state=IncidentState.RESOLVED),
        Incident(other, URGENT, NOW, state=IncidentState.RESOLVED),
    )
    async with units.unit_of_work() as uow:
        await uow.incidents.lock_patient(patient_id)
        newest = await uow.incidents.open_for_patient(patient_id)
        assert await uow.incidents.open_for_patient(other) is None
        everything = [incident.id for incident in await uow.incidents.of_patient(patient_id)]
    assert newest is not None
    assert newest.id == ids[1]
    assert everything == ids[:3]


async def test_the_first_acknowledgement_wins_and_a_second_from_another_unit_loses(
    units: Any,
) -> None:
    patient_id = await add_patient(units)
    [incident_id] = await add_incidents(units, Incident(patient_id, URGENT, NOW))
    async with units.unit_of_work() as uow:
        assert await uow.incidents.acknowledge_if_open(incident_id, 7, "Ana", NOW)
        await uow.commit()
    async with units.unit_of_work() as uow:
        assert not await uow.incidents.acknowledge_if_open(incident_id, 8, "Bo", NOW + HOUR)
        await uow.commit()
    incident = await read(units, incident_id)
    assert incident.state == IncidentState.ACKNOWLEDGED
    assert (incident.acknowledged_by, incident.acknowledged_by_name) == (7, "Ana")
    assert incident.acknowledged_at == NOW


async def test_an_acknowledgement_raced_by_another_unit_loses_and_sees_the_winner(
    units: Any,
) -> None:
    patient_id = await add_patient(units)
    [incident_id] = await add_incidents(units, Incident(patient_id, URGENT, NOW))
    async with units.unit_of_work() as slow:
        seen = await slow.incidents.by_id(incident_id)
        assert seen is not None
        assert seen.state == IncidentState.OPEN
        async with units.unit_of_work() as quick:
            assert await quick.incidents.acknowledge_if_open(incident_id, 7, "Ana", NOW)
            await quick.commit()
        assert not await slow.incidents.acknowledge_if_open(incident_id, 8, "Bo", NOW)
        after = await slow.incidents.by_id(incident_id)
        assert after is not None
        assert (after.state, after.acknowledged_by_name) == (IncidentState.ACKNOWLEDGED, "Ana")
        await slow.commit()
    assert (await read(units, incident_id)).acknowledged_by == 7


async def test_an_incident_is_resolved_once_whether_open_or_acknowledged(units: Any) -> None:
    patient_id = await add_patient(units)
    opened, taken = await add_incidents(
        units,
        Incident(patient_id, URGENT, NOW),
        Incident(patient_id, URGENT, NOW, state=IncidentState.ACKNOWLEDGED),
    )
    async with units.unit_of_work() as uow:
        assert await uow.incidents.resolve_if_unresolved(opened, 7, "Ana", "phoned", NOW)
        assert await uow.incidents.resolve_if_unresolved(taken, 7, "Ana", "seen", NOW)
        await uow.commit()
    async with units.unit_of_work() as uow:
        assert not await uow.incidents.resolve_if_unresolved(opened, 8, "Bo", "none", NOW)
        assert not await uow.incidents.acknowledge_if_open(taken, 8, "Bo", NOW)
        assert not await uow.incidents.acknowledge_if_open(taken + 1000, 8, "Bo", NOW)
        await uow.commit()
    incident = await read(units, opened)
    assert incident.state == IncidentState.RESOLVED
    assert (incident.resolved_by, incident.resolved_by_name, incident.resolved_at) == (
        7,
        "Ana",
        NOW,
    )
    assert incident.outcome == "phoned"
    assert (await read(units, taken)).outcome == "seen"


async def test_a_resolution_raced_by_another_unit_loses(units: Any) -> None:
    patient_id = await add_patient(units)
    [incident_id] = await add_incidents(units, Incident(patient_id, URGENT, NOW))
    async with units.unit_of_work() as slow:
        assert await slow.incidents.open_for_patient(patient_id) is not None
        async with units.unit_of_work() as quick:
            assert await quick.incidents.resolve_if_unresolved(incident_id, 7, "Ana", "phoned", NOW)
            await quick.commit()
        assert not await slow.incidents.resolve_if_unresolved(incident_id, 8, "Bo", "none", NOW)
        await slow.commit()
    incident = await read(units, incident_id)
    assert (incident.resolved_by_name, incident.outcome) == ("Ana", "phoned")


async def test_copies_are_found_by_incident_and_by_chat_and_message(units: Any) -> None:
    patient_id = await add_patient(units)
    posted, unposted = await add_incidents(
        units, Incident(patient_id, URGENT, NOW), Incident(patient_id, ROUTINE, NOW)
    )
    await add_copies(
        units,
        IncidentCopy(posted, -100, 1, POST_COPY, NOW),
        IncidentCopy(posted, 42, 1, PAGE_COPY, NOW),
        IncidentCopy(unposted, 42, 2, PAGE_COPY, NOW),
    )
    async with units.unit_of_work() as uow:
        assert [(c.chat_id, c.kind) for c in await uow.incidents.copies(posted)] == [
            (-100, POST_COPY),
            (42, PAGE_COPY),
        ]
        assert await uow.incidents.has_post(posted)
        assert not await uow.incidents.has_post(unposted)
        page = await uow.incidents.copy_at(42, 2)
        assert page is not None
        assert (page.incident_id, page.kind) == (unposted, PAGE_COPY)
        assert await uow.incidents.copy_at(-100, 2) is None


async def test_a_second_copy_at_the_same_chat_and_message_is_refused(units: Any) -> None:
    patient_id = await add_patient(units)
    [incident_id] = await add_incidents(units, Incident(patient_id, URGENT, NOW))
    await add_copies(units, IncidentCopy(incident_id, 42, 1, PAGE_COPY, NOW))
    async with units.unit_of_work() as uow:
        with pytest.raises(IntegrityError):
            uow.incidents.add_copy(IncidentCopy(incident_id, 42, 1, CARD_COPY, NOW))
            await uow.commit()
    async with units.unit_of_work() as uow:
        assert [c.kind for c in await uow.incidents.copies(incident_id)] == [PAGE_COPY]


async def test_forgetting_removes_one_chats_cards_or_one_copy(units: Any) -> None:
    patient_id = await add_patient(units)
    incident_id, other = await add_incidents(
        units, Incident(patient_id, URGENT, NOW), Incident(patient_id, ROUTINE, NOW)
    )
    await add_copies(
        units,
        IncidentCopy(incident_id, 42, 1, CARD_COPY, NOW),
        IncidentCopy(incident_id, 42, 2, CARD_COPY, NOW),
        IncidentCopy(incident_id, 42, 3, PAGE_COPY, NOW),
        IncidentCopy(incident_id, 43, 1, CARD_COPY, NOW),
        IncidentCopy(other, 42, 4, CARD_COPY, NOW),
    )
    async with units.unit_of_work() as uow:
        await uow.incidents.forget_cards(incident_id, 42)
        await uow.commit()
    async with units.unit_of_work() as uow:
        left = [(c.chat_id, c.message_id) for c in await uow.incidents.copies(incident_id)]
        assert left == [(42, 3), (43, 1)]
        page = await uow.incidents.copy_at(42, 3)
        assert page is not None
        await uow.incidents.forget_copy(page)
        await uow.commit()
    async with units.unit_of_work() as uow:
        assert [(c.chat_id, c.message_id) for c in await uow.incidents.copies(incident_id)] == [
            (43, 1)
        ]
        assert await uow.incidents.copy_at(42, 4) is not None
