"""The outbox, on the database and on the fake: what is kept, what is due, what is cancelled."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from aftercare_bot.domain.outbox import (
    CHECK_IN_EXPIRY,
    GOODBYE_KIND,
    INCIDENT_PAGE,
    INCIDENT_POST,
    INCIDENT_TIMERS,
    MessageState,
    Priority,
    ScheduledMessage,
)
from aftercare_bot.domain.patients import Course, Patient, PatientStatus, TreatmentSession

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


async def add_patient(
    units: Any, code: str = "P-AAAA", status: PatientStatus = PatientStatus.LINKED
) -> int:
    """A committed patient; their id."""
    async with units.unit_of_work() as uow:
        patient = Patient(code, "Pat", "Europe/London", "Grey", NOW - HOUR, status=status)
        uow.patients.add(patient)
        await uow.patients.flush()
        await uow.commit()
    assert patient.id is not None
    return patient.id


async def add_session(units: Any, patient_id: int) -> int:
    """A committed treatment session of the patient; its id."""
    async with units.unit_of_work() as uow:
        course = Course(patient_id, "standard", 3, timedelta(weeks=4), NOW - HOUR)
        uow.patients.add(course)
        await uow.patients.flush()
        assert course.id is not None
        session = TreatmentSession(course.id, 1, NOW - HOUR, "Grey")
        uow.patients.add(session)
        await uow.patients.flush()
        await uow.commit()
    assert session.id is not None
    return session.id


def message(
    key: str, patient_id: int, due_at: datetime = NOW, kind: str = "info", **fields: Any
) -> ScheduledMessage:
    return ScheduledMessage(key, patient_id, kind, key, due_at, due_at + 6 * HOUR, **fields)


async def store(units: Any, *messages: ScheduledMessage) -> None:
    """Commit these messages (new keys)."""
    async with units.unit_of_work() as uow:
        uow.outbox.add_new(messages)
        await uow.commit()


async def states(units: Any, patient_id: int) -> dict[str, MessageState]:
    """Each of the patient's messages' state by key, read in a fresh unit."""
    async with units.unit_of_work() as uow:
        return {row.unique_key: row.state for row in await uow.outbox.for_patient(patient_id)}


async def test_a_committed_message_is_read_back_by_a_fresh_unit(units: Any) -> None:
    patient_id = await add_patient(units)
    async with units.unit_of_work() as uow:
        added = message("a", patient_id, priority=Priority.REPLY, reassurance=True)
        assert await uow.outbox.add_unless_present(added)
        await uow.commit()
    assert added.id is not None
    async with units.unit_of_work() as uow:
        assert await uow.outbox.by_id(added.id) == added
        assert await uow.outbox.by_id(added.id + 1000) is None


async def test_an_uncommitted_message_is_gone(units: Any) -> None:
    patient_id = await add_patient(units)
    async with units.unit_of_work() as uow:
        await uow.outbox.add_unless_present(message("a", patient_id))
    assert await states(units, patient_id) == {}


async def test_a_duplicate_unique_key_is_not_added_twice(units: Any) -> None:
    patient_id = await add_patient(units)
    await store(units, message("a", patient_id))
    async with units.unit_of_work() as uow:
        assert not await uow.outbox.add_unless_present(message("a", patient_id, NOW + HOUR))
        await uow.commit()
    async with units.unit_of_work() as uow:
        [row] = await uow.outbox.for_patient(patient_id)
    assert row.due_at == NOW


async def test_a_key_another_unit_committed_meanwhile_is_not_added_again(units: Any) -> None:
    patient_id = await add_patient(units)
    async with units.unit_of_work() as first:
        assert await first.outbox.for_patient(patient_id) == []
        await store(units, message("a", patient_id))
        assert not await first.outbox.add_unless_present(message("a", patient_id, NOW + HOUR))
        await first.commit()
    async with units.unit_of_work() as uow:
        assert [row.due_at for row in await uow.outbox.for_patient(patient_id)] == [NOW]


async def test_a_cancelled_message_comes_back_with_the_new_times(units: Any) -> None:
    patient_id = await add_patient(units)
    await store(units, message("a", patient_id, attempts=2))
    async with units.unit_of_work() as uow:
        await uow.outbox.cancel_pending(["a"])
        await uow.commit()
    assert await states(units, patient_id) == {"a": MessageState.CANCELLED}
    async with units.unit_of_work() as uow:
        assert await uow.outbox.add_unless_present(message("a", patient_id, NOW + HOUR))
        await uow.commit()
    async with units.unit_of_work() as uow:
        [row] = await uow.outbox.for_patient(patient_id)
    assert (row.state, row.attempts, row.due_at) == (MessageState.PENDING, 0, NOW + HOUR)
    assert row.valid_until == NOW + 7 * HOUR


async def test_reminders_cancelled_and_added_again_in_one_unit_come_back(units: Any) -> None:
    patient_id = await add_patient(units)
    session_id = await add_session(units, patient_id)
    await store(units, message("r", patient_id, kind="appointment", session_id=session_id))
    async with units.unit_of_work() as uow:
        await uow.outbox.cancel_pending_reminders(session_id)
        moved = message("r", patient_id, NOW + HOUR, kind="appointment", session_id=session_id)
        assert await uow.outbox.add_all_unless_present([moved]) == 1
        await uow.commit()
    async with units.unit_of_work() as uow:
        [row] = await uow.outbox.for_patient(patient_id)
    assert (row.state, row.due_at) == (MessageState.PENDING, NOW + HOUR)


async def test_add_all_counts_the_added_and_the_revived_but_not_the_sent(units: Any) -> None:
    patient_id = await add_patient(units)
    await store(
        units,
        message("sent", patient_id, state=MessageState.SENT),
        message("cancelled", patient_id, state=MessageState.CANCELLED),
    )
    async with units.unit_of_work() as uow:
        later = [message(key, patient_id, NOW + HOUR) for key in ("sent", "cancelled", "new")]
        assert await uow.outbox.add_all_unless_present(later) == 2
        await uow.commit()
    async with units.unit_of_work() as uow:
        rows = {row.unique_key: row for row in await uow.outbox.for_patient(patient_id)}
    assert rows["sent"].state == MessageState.SENT
    assert rows["sent"].due_at == NOW
    assert rows["cancelled"].state == rows["new"].state == MessageState.PENDING


async def test_add_new_refuses_a_key_that_exists(units: Any) -> None:
    patient_id = await add_patient(units)
    await store(units, message("a", patient_id))
    async with units.unit_of_work() as uow:
        with pytest.raises(IntegrityError):
            uow.outbox.add_new([message("a", patient_id, NOW + HOUR)])
            await uow.commit()
    assert await states(units, patient_id) == {"a": MessageState.PENDING}


async def test_due_returns_due_pending_rows_by_priority_then_time_up_to_the_limit(
    units: Any,
) -> None:
    linked = await add_patient(units)
    gone = await add_patient(units, "P-BBBB", PatientStatus.DISCHARGED)
    await store(
        units,
        message("late", linked, NOW - HOUR),
        message("later", linked, NOW - 2 * HOUR),
        message("reply", linked, NOW, priority=Priority.REPLY),
        message("future", linked, NOW + HOUR),
        message("retry later", linked, NOW - HOUR, retry_at=NOW + HOUR),
        message("retry now", linked, NOW - 3 * HOUR, retry_at=NOW),
        message("sent", linked, NOW - HOUR, state=MessageState.SENT),
        message("not for the gone", gone, NOW - HOUR),
        message("goodbye", gone, NOW, kind=GOODBYE_KIND),
        message("page", gone, NOW, kind=INCIDENT_PAGE, priority=Priority.STAFF),
    )
    async with units.unit_of_work() as uow:
        due = [row.unique_key for row in await uow.outbox.due(NOW, 10)]
        limited = [row.unique_key for row in await uow.outbox.due(NOW, 3)]
    expected = ["page", "reply", "retry now", "later", "late", "goodbye"]
    assert due == expected
    assert limited == expected[:3]


async def test_due_skips_what_another_unit_claimed_meanwhile(units: Any) -> None:
    patient_id = await add_patient(units)
    await store(units, message("a", patient_id), message("b", patient_id))
    async with units.unit_of_work() as slow:
        assert len(await slow.outbox.for_patient(patient_id)) == 2
        async with units.unit_of_work() as quick:
            [claimed, _] = await quick.outbox.due(NOW, 10)
            claimed.state = MessageState.SENDING
            await quick.commit()
        assert [row.unique_key for row in await slow.outbox.due(NOW, 10)] == ["b"]


async def test_put_timer_adds_moves_a_pending_or_cancelled_timer_and_leaves_a_fired_one(
    units: Any,
) -> None:
    patient_id = await add_patient(units)
    await store(
        units,
        message("pending", patient_id, attempts=1, retry_at=NOW),
        message("cancelled", patient_id, state=MessageState.CANCELLED),
        message("fired", patient_id, state=MessageState.SENT),
    )
    async with units.unit_of_work() as uow:
        for key in ("pending", "cancelled", "fired", "new"):
            await uow.outbox.put_timer(message(key, patient_id, NOW + HOUR))
        await uow.commit()
    async with units.unit_of_work() as uow:
        rows = {row.unique_key: row for row in await uow.outbox.for_patient(patient_id)}
    moved = ("pending", "cancelled", "new")
    assert {key: (rows[key].state, rows[key].due_at) for key in moved} == dict.fromkeys(
        moved, (MessageState.PENDING, NOW + HOUR)
    )
    assert (rows["pending"].attempts, rows["pending"].retry_at) == (0, NOW)
    assert (rows["fired"].state, rows["fired"].due_at) == (MessageState.SENT, NOW)


async def test_release_interrupted_puts_sending_rows_back_to_pending(units: Any) -> None:
    patient_id = await add_patient(units)
    await store(
        units,
        message("claimed", patient_id, state=MessageState.SENDING),
        message("also claimed", patient_id, state=MessageState.SENDING),
        message("sent", patient_id, state=MessageState.SENT),
    )
    async with units.unit_of_work() as uow:
        assert await uow.outbox.release_interrupted() == 2
        await uow.commit()
    assert await states(units, patient_id) == {
        "claimed": MessageState.PENDING,
        "also claimed": MessageState.PENDING,
        "sent": MessageState.SENT,
    }


async def test_bring_forward_makes_later_pending_rows_of_a_kind_due_now(units: Any) -> None:
    patient_id = await add_patient(units)
    await store(
        units,
        message("later post", patient_id, NOW + HOUR, kind=INCIDENT_POST),
        message("earlier post", patient_id, NOW - HOUR, kind=INCIDENT_POST),
        message(
            "cancelled post",
            patient_id,
            NOW + HOUR,
            kind=INCIDENT_POST,
            state=MessageState.CANCELLED,
        ),
        message("later info", patient_id, NOW + HOUR),
    )
    async with units.unit_of_work() as uow:
        assert await uow.outbox.bring_forward(INCIDENT_POST, NOW) == 1
        await uow.commit()
    async with units.unit_of_work() as uow:
        rows = {row.unique_key: row.due_at for row in await uow.outbox.for_patient(patient_id)}
    assert rows == {
        "later post": NOW,
        "earlier post": NOW - HOUR,
        "cancelled post": NOW + HOUR,
        "later info": NOW + HOUR,
    }


async def test_next_wake_after_is_the_next_due_time_or_an_earlier_retry(units: Any) -> None:
    linked = await add_patient(units)
    gone = await add_patient(units, "P-BBBB", PatientStatus.STOPPED)
    async with units.unit_of_work() as uow:
        assert await uow.outbox.next_wake_after(NOW) is None
    await store(
        units,
        message("due", linked, NOW),
        message("next", linked, NOW + 3 * HOUR),
        message("sent", linked, NOW + HOUR, state=MessageState.SENT),
        message("not for the gone", gone, NOW + HOUR),
    )
    async with units.unit_of_work() as uow:
        assert await uow.outbox.next_wake_after(NOW) == NOW + 3 * HOUR
    await store(units, message("deferred", linked, NOW - HOUR, retry_at=NOW + 2 * HOUR))
    async with units.unit_of_work() as uow:
        assert await uow.outbox.next_wake_after(NOW) == NOW + 2 * HOUR
        assert await uow.outbox.next_wake_after(NOW - 2 * HOUR) == NOW - HOUR
        assert await uow.outbox.next_wake_after(NOW + 3 * HOUR) is None


async def test_listing_names_each_row_by_patient_code_and_time_zone_in_due_order(
    units: Any,
) -> None:
    first = await add_patient(units)
    second = await add_patient(units, "P-BBBB")
    await store(
        units, message("b", second, NOW + HOUR), message("a", first, NOW), message("c", first)
    )
    async with units.unit_of_work() as uow:
        everyone = [(code, row.unique_key, tz) for code, row, tz in await uow.outbox.listing(None)]
        one = [row.unique_key for _, row, _ in await uow.outbox.listing(second)]
    assert everyone == [
        ("P-AAAA", "a", "Europe/London"),
        ("P-AAAA", "c", "Europe/London"),
        ("P-BBBB", "b", "Europe/London"),
    ]
    assert one == ["b"]


async def test_cancelling_touches_only_pending_rows_that_match(units: Any) -> None:
    patient_id = await add_patient(units)
    other = await add_patient(units, "P-BBBB")
    session_id = await add_session(units, patient_id)
    other_session = await add_session(units, other)
    plan = {"session_id": session_id}
    await store(
        units,
        message("plan info", patient_id, kind="info", **plan),
        message("plan checkin", patient_id, kind="checkin", **plan),
        message("plan sent", patient_id, kind="info", state=MessageState.SENT, **plan),
        message("open check-in's expiry", patient_id, kind=CHECK_IN_EXPIRY, **plan),
        message("other plan", other, kind="info", session_id=other_session),
        message("page", patient_id, kind=INCIDENT_PAGE),
        message("goodbye", patient_id, kind=GOODBYE_KIND),
        message("relay", other, kind="relay"),
    )
    async with units.unit_of_work() as uow:
        await uow.outbox.cancel_pending_plan_messages(session_id, ("checkin",))
        await uow.commit()
    assert (await states(units, patient_id))["plan checkin"] == MessageState.CANCELLED
    assert (await states(units, patient_id))["plan info"] == MessageState.PENDING
    async with units.unit_of_work() as uow:
        await uow.outbox.cancel_pending_for_session(session_id)
        await uow.outbox.cancel_pending_of_kinds(patient_id, INCIDENT_TIMERS)
        await uow.commit()
    assert await states(units, patient_id) == {
        "plan info": MessageState.CANCELLED,
        "plan checkin": MessageState.CANCELLED,
        "plan sent": MessageState.SENT,
        "open check-in's expiry": MessageState.PENDING,  # a new session leaves it be
        "page": MessageState.CANCELLED,
        "goodbye": MessageState.PENDING,
    }
    async with units.unit_of_work() as uow:
        await uow.outbox.cancel_all_pending(other)
        await uow.outbox.put_timer(message("post", other, kind=INCIDENT_POST))
        await uow.outbox.cancel_all_pending(other)
        await uow.commit()
    assert await states(units, other) == {
        "other plan": MessageState.CANCELLED,
        "relay": MessageState.CANCELLED,
        "post": MessageState.PENDING,
    }
