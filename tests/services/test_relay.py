"""Relay drafts against a real database, no Telegram: each draft sends its own text to its own
patient, or is refused with the reason."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from aftercare_bot.clock import ManualClock
from aftercare_bot.domain.incidents import Incident, IncidentUrgency
from aftercare_bot.domain.outbox import MessageState, Priority, ScheduledMessage
from aftercare_bot.domain.outgoing import Outgoing, SendPriority
from aftercare_bot.domain.patients import Patient, PatientStatus
from aftercare_bot.domain.relay import MAX_RELAY_TEXT, DraftState
from aftercare_bot.services.check_ins import CheckInTiming
from aftercare_bot.services.delivery import Delivery, Dispatcher
from aftercare_bot.services.relay import (
    Cancelled,
    Drafted,
    RefusalReason,
    Refused,
    Sent,
    begin_draft,
    cancel_draft,
    record_prompt,
    send_draft,
    write_draft,
)
from tests.fakes.unit_of_work import Units

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
GROUP = -100500
GREY, NINA = 11, 12


@pytest.fixture
async def database(units: Units) -> AsyncIterator[Units]:
    db = units
    yield db
    await db.dispose()


async def patient_with_incident(database: Units, name: str, chat_id: int) -> tuple[int, int]:
    """A linked patient with an open urgent incident: (patient id, incident id)."""
    async with database.unit_of_work() as uow:
        patient = Patient(
            code=f"P-{name[:4].upper()}",
            display_name=name,
            timezone="Europe/London",
            practitioner="Dr Lee",
            enrolled_at=NOW - timedelta(days=1),
            status=PatientStatus.LINKED,
            chat_id=chat_id,
        )
        uow.patients.add(patient)
        await uow.patients.flush()
        assert patient.id is not None
        incident = Incident(patient.id, IncidentUrgency.URGENT, NOW)
        uow.incidents.add(incident)
        await uow.incidents.flush()
        assert incident.id is not None
        await uow.commit()
        return patient.id, incident.id


async def prompt(database: Units, incident_id: int, prompt_id: int, staff: int = GREY) -> int:
    """Message patient pressed by `staff`: the draft's id, its prompt shown as `prompt_id`."""
    async with database.unit_of_work() as uow:
        draft = await begin_draft(uow, incident_id, staff, "Grey", GROUP, NOW)
    assert draft is not None and draft.id is not None
    async with database.unit_of_work() as uow:
        await record_prompt(uow, draft.id, prompt_id)
    return draft.id


async def reply(
    database: Units, prompt_id: int, text: str, staff: int = GREY
) -> Drafted | Refused | None:
    async with database.unit_of_work() as uow:
        return await write_draft(uow, GROUP, prompt_id, staff, text, NOW)


async def written(database: Units, incident_id: int, prompt_id: int, text: str) -> int:
    """A draft with `text` ready for Send; its id."""
    await prompt(database, incident_id, prompt_id)
    drafted = await reply(database, prompt_id, text)
    assert isinstance(drafted, Drafted) and drafted.draft.id is not None
    return drafted.draft.id


async def send(database: Units, draft_id: int, staff: int = GREY) -> Sent | Refused:
    async with database.unit_of_work() as uow:
        return await send_draft(uow, draft_id, staff, NOW)


async def relay_rows(database: Units) -> list[ScheduledMessage]:
    """Every relay message queued for Ann (chat 501) and Bea (chat 502), the tests' patients."""
    rows: list[ScheduledMessage] = []
    async with database.unit_of_work() as uow:
        for chat_id in (501, 502):
            patient = await uow.patients.by_chat(chat_id)
            if patient is not None and patient.id is not None:
                rows += [m for m in await uow.outbox.for_patient(patient.id) if m.kind == "relay"]
    return rows


async def set_status(database: Units, patient_id: int, status: PatientStatus) -> None:
    async with database.unit_of_work() as uow:
        patient = await uow.patients.by_id(patient_id)
        assert patient is not None
        patient.status = status
        await uow.commit()


async def test_each_draft_sends_its_own_text_to_its_own_patient(database: Units) -> None:
    ann, ann_incident = await patient_with_incident(database, "Ann", 501)
    bea, bea_incident = await patient_with_incident(database, "Bea", 502)
    for_ann = await written(database, ann_incident, 1001, "Text A")
    for_bea = await written(database, bea_incident, 1002, "Text B")

    sent = await send(database, for_ann)

    assert isinstance(sent, Sent) and sent.patient.display_name == "Ann"
    [row] = await relay_rows(database)
    assert (row.patient_id, row.step_key, row.unique_key) == (ann, str(for_ann), f"relay:{for_ann}")
    assert row.message_key == "incident.relay_to_patient"
    assert row.priority == Priority.REPLY and row.due_at == NOW
    assert row.valid_until == NOW + timedelta(days=1)
    async with database.unit_of_work() as uow:
        still_ready = await uow.relay_drafts.by_id(for_bea)
        audit = await uow.audit.since(NOW - timedelta(days=365))
    assert still_ready is not None and still_ready.state == DraftState.READY
    assert [(e.action, e.actor_telegram_id, e.subject, e.detail) for e in audit] == [
        ("relay.sent", GREY, "P-ANN", str(for_ann))
    ]
    assert isinstance(await send(database, for_bea), Sent)
    assert sorted(row.patient_id for row in await relay_rows(database)) == [ann, bea]


async def test_send_twice_is_refused_as_already_sent_and_queues_one_message(
    database: Units,
) -> None:
    _, incident = await patient_with_incident(database, "Ann", 501)
    draft = await written(database, incident, 1001, "Text A")
    assert isinstance(await send(database, draft), Sent)
    again = await send(database, draft)
    assert isinstance(again, Refused) and again.reason == RefusalReason.ALREADY_SENT
    assert len(await relay_rows(database)) == 1


async def test_a_second_reply_to_the_same_prompt_replaces_the_first(database: Units) -> None:
    ann, incident = await patient_with_incident(database, "Ann", 501)
    first = await written(database, incident, 1001, "Text A")
    second = await reply(database, 1001, "Text A, corrected")
    assert isinstance(second, Drafted) and second.draft.id is not None
    assert second.replaced is not None and second.replaced.id == first

    refused = await send(database, first)
    sent = await send(database, second.draft.id)

    assert isinstance(refused, Refused) and refused.reason == RefusalReason.REPLACED
    assert isinstance(sent, Sent) and sent.draft.text == "Text A, corrected"
    assert [row.step_key for row in await relay_rows(database)] == [str(second.draft.id)]
    assert ann == sent.patient.id


async def test_a_reply_after_sending_is_a_new_draft_needing_its_own_send(
    database: Units,
) -> None:
    _, incident = await patient_with_incident(database, "Ann", 501)
    first = await written(database, incident, 1001, "Text A")
    await send(database, first)
    again = await reply(database, 1001, "And one more thing")
    assert isinstance(again, Drafted) and again.replaced is None
    assert again.draft.state == DraftState.READY and again.draft.id != first
    assert len(await relay_rows(database)) == 1


async def test_a_reply_to_anything_but_a_prompt_is_left_alone(database: Units) -> None:
    _, incident = await patient_with_incident(database, "Ann", 501)
    await prompt(database, incident, 1001)
    assert await reply(database, 999, "who is on today?") is None


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (PatientStatus.STOPPED, RefusalReason.STOPPED),
        (PatientStatus.UNREACHABLE, RefusalReason.UNREACHABLE),
        (PatientStatus.LEFT, RefusalReason.ERASED),
        (PatientStatus.ANONYMISED, RefusalReason.ERASED),
        (PatientStatus.DISCHARGED, RefusalReason.NOT_FOLLOWED),
    ],
)
async def test_send_is_refused_when_the_patient_can_no_longer_be_written_to(
    database: Units, status: PatientStatus, reason: RefusalReason
) -> None:
    patient, incident = await patient_with_incident(database, "Ann", 501)
    draft = await written(database, incident, 1001, "Text A")
    await set_status(database, patient, status)
    refused = await send(database, draft)
    assert isinstance(refused, Refused) and refused.reason == reason
    assert await relay_rows(database) == []
    async with database.unit_of_work() as uow:
        stored = await uow.relay_drafts.by_id(draft)
    assert stored is not None and stored.state == DraftState.READY  # sendable if they return


async def test_send_is_refused_once_the_patient_is_erased(database: Units) -> None:
    patient, incident = await patient_with_incident(database, "Ann", 501)
    draft = await written(database, incident, 1001, "Text A")
    async with database.unit_of_work() as uow:
        await uow.records.erase(patient, "P-ANN")
        await uow.commit()
    async with database.unit_of_work() as uow:
        stored = await uow.relay_drafts.by_id(draft)
    assert stored is not None and stored.patient_id is None
    refused = await send(database, draft)
    assert isinstance(refused, Refused) and refused.reason == RefusalReason.ERASED


async def test_send_is_refused_when_the_patient_was_linked_to_another_chat_since(
    database: Units,
) -> None:
    patient, incident = await patient_with_incident(database, "Ann", 501)
    draft = await written(database, incident, 1001, "Text A")
    async with database.unit_of_work() as uow:
        stored = await uow.patients.by_id(patient)
        assert stored is not None
        stored.chat_id = 777
        await uow.commit()
    refused = await send(database, draft)
    assert isinstance(refused, Refused) and refused.reason == RefusalReason.RELINKED


async def test_only_the_author_may_send_cancel_or_write_a_draft(database: Units) -> None:
    _, incident = await patient_with_incident(database, "Ann", 501)
    draft = await written(database, incident, 1001, "Text A")
    sent = await send(database, draft, staff=NINA)
    async with database.unit_of_work() as uow:
        cancelled = await cancel_draft(uow, draft, NINA, NOW)
    written_by_nina = await reply(database, 1001, "Nina's words", staff=NINA)
    for outcome in (sent, cancelled, written_by_nina):
        assert isinstance(outcome, Refused) and outcome.reason == RefusalReason.NOT_AUTHOR
    assert await relay_rows(database) == []


async def test_a_cancelled_draft_cannot_be_sent(database: Units) -> None:
    _, incident = await patient_with_incident(database, "Ann", 501)
    draft = await written(database, incident, 1001, "Text A")
    async with database.unit_of_work() as uow:
        assert isinstance(await cancel_draft(uow, draft, GREY, NOW), Cancelled)
    refused = await send(database, draft)
    assert isinstance(refused, Refused) and refused.reason == RefusalReason.CANCELLED
    assert await relay_rows(database) == []


async def test_a_text_over_the_limit_is_refused_not_cut(database: Units) -> None:
    _, incident = await patient_with_incident(database, "Ann", 501)
    await prompt(database, incident, 1001)
    refused = await reply(database, 1001, "x" * (MAX_RELAY_TEXT + 1))
    assert isinstance(refused, Refused) and refused.reason == RefusalReason.TOO_LONG
    accepted = await reply(database, 1001, "x" * MAX_RELAY_TEXT)
    assert isinstance(accepted, Drafted) and accepted.draft.text == "x" * MAX_RELAY_TEXT


async def test_an_unknown_or_unwritten_draft_is_refused(database: Units) -> None:
    _, incident = await patient_with_incident(database, "Ann", 501)
    unwritten = await prompt(database, incident, 1001)
    for draft_id in (unwritten, 424242):
        refused = await send(database, draft_id)
        assert isinstance(refused, Refused) and refused.reason == RefusalReason.UNKNOWN


class ImmediatePacer:
    """Every chat's turn is now (pacing has its own tests)."""

    async def wait_turn(self, chat_id: int) -> None:
        return None

    async def wait_urgent_turn(
        self, chat_id: int | None, priority: SendPriority = SendPriority.REPLY
    ) -> None:
        return None

    def refused(self, chat_id: int | None, seconds: float) -> None:
        return None


class RecordingSender:
    def __init__(self) -> None:
        self.sent: list[tuple[int, str]] = []

    async def send(self, chat_id: int, message: Outgoing) -> int:
        self.sent.append((chat_id, message.text))
        return len(self.sent)


def dispatcher(database: Units, sender: RecordingSender) -> Dispatcher:
    def compose(delivery: Delivery) -> Outgoing:
        return Outgoing(f"{delivery.relay_staff}: {delivery.relay_text}")

    return Dispatcher(
        database=database,
        sender=sender,
        compose=compose,
        pacer=ImmediatePacer(),
        clock=ManualClock(NOW),
        quiet=None,
        check_in_timing=CheckInTiming(timedelta(hours=8), timedelta(hours=24)),
    )


async def test_the_dispatcher_delivers_the_drafts_text_signed_by_its_author(
    database: Units,
) -> None:
    _, ann_incident = await patient_with_incident(database, "Ann", 501)
    _, bea_incident = await patient_with_incident(database, "Bea", 502)
    for_ann = await written(database, ann_incident, 1001, "Text A")
    await written(database, bea_incident, 1002, "Text B")
    await send(database, for_ann)
    sender = RecordingSender()

    report = await dispatcher(database, sender).deliver_due()

    assert report.sent == 1
    assert sender.sent == [(501, "Grey: Text A")]
    [row] = await relay_rows(database)
    assert row.state == MessageState.SENT


async def test_a_queued_relay_whose_draft_is_gone_is_cancelled_not_sent(
    database: Units,
) -> None:
    patient, _ = await patient_with_incident(database, "Ann", 501)
    async with database.unit_of_work() as uow:
        await uow.outbox.add_unless_present(
            ScheduledMessage(
                unique_key="relay:999",
                patient_id=patient,
                kind="relay",
                message_key="incident.relay_to_patient",
                due_at=NOW,
                valid_until=NOW + timedelta(days=1),
                step_key="999",
                priority=Priority.REPLY,
            )
        )
        await uow.commit()
    sender = RecordingSender()
    await dispatcher(database, sender).deliver_due()
    assert sender.sent == []
    [row] = await relay_rows(database)
    assert row.state == MessageState.CANCELLED
