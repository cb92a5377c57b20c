"""Where each incident is shown, through the incident-copy use cases alone (no Telegram): the
staff group, the post, the cards to edit, the thread to reply under, on the real database and
on the fake."""

from datetime import UTC, datetime, timedelta

import pytest

from aftercare_bot.clock import ManualClock
from aftercare_bot.domain.incidents import (
    CARD_COPY,
    NOTE_PROMPT,
    PAGE_COPY,
    POST_COPY,
    REMINDER_COPY,
    Incident,
    IncidentUrgency,
)
from aftercare_bot.domain.outbox import INCIDENT_PAGE, INCIDENT_POST, MessageState
from aftercare_bot.domain.patients import Patient, PatientStatus
from aftercare_bot.services import escalation
from aftercare_bot.services.escalation import PagingRules
from aftercare_bot.services.incident_copies import IncidentCopies
from aftercare_bot.services.staff import bind_staff_group
from tests.fakes.unit_of_work import Units

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
RULES = PagingRules(timedelta(minutes=15), 3, timedelta(hours=4), timedelta(minutes=30))
GROUP, BOUND_GROUP = -100, -200
ADMIN, OTHER_ADMIN, NINA = 1, 2, 21


@pytest.fixture
def copies(units: Units) -> IncidentCopies:
    return IncidentCopies(units, ManualClock(NOW), GROUP)


async def reported(units: Units, name: str = "Anna", chat_id: int = 5001) -> Incident:
    """An urgent incident stored with its safety post and pages, not posted yet."""
    async with units.unit_of_work() as uow:
        patient = Patient(
            code=f"P-{name[:4].upper()}",
            display_name=name,
            timezone="Europe/London",
            practitioner="Grey",
            enrolled_at=NOW - timedelta(days=1),
            status=PatientStatus.LINKED,
            chat_id=chat_id,
        )
        uow.patients.add(patient)
        await uow.patients.flush()
        report = await escalation.report(
            uow, patient, IncidentUrgency.URGENT, NOW, "redness severe", rules=RULES
        )
    assert report.incident.id is not None
    return report.incident


async def stored(units: Units, incident_id: int) -> Incident:
    async with units.unit_of_work() as uow:
        incident = await uow.incidents.by_id(incident_id)
    assert incident is not None
    return incident


async def pending_kinds(units: Units, incident: Incident) -> list[str]:
    assert incident.patient_id is not None
    async with units.unit_of_work() as uow:
        return sorted(
            m.kind
            for m in await uow.outbox.for_patient(incident.patient_id)
            if m.state == MessageState.PENDING
        )


async def kept(copies: IncidentCopies, incident_id: int) -> list[tuple[int, int, str]]:
    """(chat, message, kind) of every message kept for the incident."""
    async with copies.units.unit_of_work() as uow:
        return [(c.chat_id, c.message_id, c.kind) for c in await uow.incidents.copies(incident_id)]


# The staff group


async def test_the_staff_group_is_the_configured_one_until_another_is_bound(
    units: Units, copies: IncidentCopies
) -> None:
    assert await copies.staff_group() == GROUP
    async with units.unit_of_work() as uow:
        await bind_staff_group(uow, ADMIN, BOUND_GROUP, NOW, GROUP)
    assert await copies.staff_group() == BOUND_GROUP


async def test_with_no_group_configured_or_bound_there_is_none(units: Units) -> None:
    copies = IncidentCopies(units, ManualClock(NOW), None)
    assert await copies.staff_group() is None
    async with units.unit_of_work() as uow:
        await bind_staff_group(uow, ADMIN, BOUND_GROUP, NOW)
    assert await copies.staff_group() == BOUND_GROUP


# The post


async def test_a_group_post_is_remembered_and_its_safety_post_stood_down(
    units: Units, copies: IncidentCopies
) -> None:
    incident = await reported(units)
    assert incident.id is not None
    assert INCIDENT_POST in await pending_kinds(units, incident)
    await copies.posted(incident.id, GROUP, 77)
    after = await stored(units, incident.id)
    assert (after.post_chat_id, after.post_message_id) == (GROUP, 77)
    kinds = await pending_kinds(units, incident)
    assert INCIDENT_POST not in kinds
    assert kinds.count(INCIDENT_PAGE) == RULES.max_rounds + 1  # the pages still stand


async def test_a_post_to_the_admins_only_stands_the_safety_post_down_without_a_group_post(
    units: Units, copies: IncidentCopies
) -> None:
    incident = await reported(units)
    assert incident.id is not None
    await copies.posted(incident.id, None, None)
    after = await stored(units, incident.id)
    assert (after.post_chat_id, after.post_message_id) == (None, None)
    assert INCIDENT_POST not in await pending_kinds(units, incident)


# Cards and the thread


async def test_cards_are_every_message_showing_the_incident_but_not_its_note_prompt(
    copies: IncidentCopies, units: Units
) -> None:
    incident = await reported(units)
    other = await reported(units, "Boris", 5002)
    assert incident.id is not None and other.id is not None
    await copies.remember(incident.id, GROUP, 10, POST_COPY)
    await copies.remember(incident.id, ADMIN, 11, PAGE_COPY)
    await copies.remember(incident.id, NINA, 12, REMINDER_COPY)
    await copies.remember(incident.id, NINA, 13, CARD_COPY)
    await copies.remember(incident.id, NINA, 14, NOTE_PROMPT)
    await copies.remember(other.id, GROUP, 20, POST_COPY)
    cards = [(c.chat_id, c.message_id, c.kind) for c in await copies.cards(incident.id)]
    assert cards == [
        (GROUP, 10, POST_COPY),
        (ADMIN, 11, PAGE_COPY),
        (NINA, 12, REMINDER_COPY),
        (NINA, 13, CARD_COPY),
    ]


async def test_the_thread_goes_under_the_group_post(copies: IncidentCopies, units: Units) -> None:
    incident = await reported(units)
    assert incident.id is not None
    await copies.remember(incident.id, ADMIN, 11, POST_COPY)
    await copies.posted(incident.id, GROUP, 77)
    assert await copies.thread(await stored(units, incident.id)) == [(GROUP, 77)]


async def test_without_a_group_post_the_thread_goes_under_each_admins_post(
    copies: IncidentCopies, units: Units
) -> None:
    incident = await reported(units)
    assert incident.id is not None
    await copies.remember(incident.id, ADMIN, 11, POST_COPY)
    await copies.remember(incident.id, OTHER_ADMIN, 12, POST_COPY)
    await copies.remember(incident.id, ADMIN, 13, PAGE_COPY)
    await copies.remember(incident.id, NINA, 14, CARD_COPY)
    await copies.posted(incident.id, None, None)
    thread = await copies.thread(await stored(units, incident.id))
    assert thread == [(ADMIN, 11), (OTHER_ADMIN, 12)]


async def test_an_incident_nobody_was_shown_has_no_thread(
    copies: IncidentCopies, units: Units
) -> None:
    incident = await reported(units)
    assert await copies.thread(incident) == []


# Remembering and forgetting


async def test_a_new_card_replaces_the_older_cards_of_that_incident_in_that_chat(
    copies: IncidentCopies, units: Units
) -> None:
    incident = await reported(units)
    other = await reported(units, "Boris", 5002)
    assert incident.id is not None and other.id is not None
    await copies.remember(incident.id, NINA, 1, PAGE_COPY)
    await copies.remember(incident.id, NINA, 2, CARD_COPY)
    await copies.remember(incident.id, ADMIN, 3, CARD_COPY)
    await copies.remember(other.id, NINA, 4, CARD_COPY)
    await copies.remember(incident.id, NINA, 5, CARD_COPY)
    assert await kept(copies, incident.id) == [
        (NINA, 1, PAGE_COPY),  # not a card: still edited
        (ADMIN, 3, CARD_COPY),  # another chat's card
        (NINA, 5, CARD_COPY),  # the newest card in Nina's chat
    ]
    assert await kept(copies, other.id) == [(NINA, 4, CARD_COPY)]


async def test_a_copy_that_can_no_longer_be_edited_is_forgotten(
    copies: IncidentCopies, units: Units
) -> None:
    incident = await reported(units)
    assert incident.id is not None
    await copies.remember(incident.id, GROUP, 10, POST_COPY)
    await copies.remember(incident.id, NINA, 13, CARD_COPY)
    await copies.forget(NINA, 13)
    assert [(c.chat_id, c.message_id) for c in await copies.cards(incident.id)] == [(GROUP, 10)]
    await copies.forget(NINA, 99)  # never kept: nothing else goes
    await copies.forget(GROUP, 13)  # the same message id in another chat is another message
    assert [(c.chat_id, c.message_id) for c in await copies.cards(incident.id)] == [(GROUP, 10)]
