"""Cal.com's webhook over HTTP, with deliveries shaped as its documentation shows and signed
with the webhook's secret: a booking sets the next appointment of the patient linked to the
attendee's e-mail and a reschedule moves her reminders; a bad signature is refused; a repeated
delivery is applied once; an unmatched booking waits for staff, then is dropped after 14 days;
a finished meeting records the session once and leaves an open check-in's timers alone."""

import hashlib
import hmac
import json
import re
from datetime import datetime, timedelta
from typing import Any

import pytest

from aftercare_bot.domain.bookings import LinkKind
from aftercare_bot.domain.outbox import MessageState
from aftercare_bot.domain.patients import Patient
from tests.web.conftest import NOW, Console

SECRET = "calcom-webhook-secret"
EMAIL = "anna.smith@example.com"


@pytest.fixture
def web_extra() -> str:
    """Cal.com connected."""
    return f'\n[calcom]\nwebhook_secret = "{SECRET}"\n'


def body(trigger: str, uid: str, start: datetime, email: str = EMAIL, **more: Any) -> bytes:
    """A delivery as Cal.com sends it (its documented fields, names and all)."""
    return json.dumps(
        {
            "triggerEvent": trigger,
            "createdAt": NOW.isoformat().replace("+00:00", "Z"),
            "payload": {
                "type": "60min",
                "title": "Mesotherapy session between Clinic and Anna Smith",
                "startTime": start.isoformat().replace("+00:00", "Z"),
                "endTime": (start + timedelta(hours=1)).isoformat().replace("+00:00", "Z"),
                "uid": uid,
                "bookingId": 4242,
                "status": "ACCEPTED",
                "organizer": {"name": "Dr Lee", "email": "lee@clinic.example", "timeZone": "UTC"},
                "attendees": [
                    {
                        "name": "Anna Smith",
                        "email": email,
                        "timeZone": "Europe/London",
                        "language": {"locale": "en"},
                    }
                ],
                "metadata": {},
                **more,
            },
        }
    ).encode()


async def deliver(console: Console, raw: bytes, secret: str = SECRET) -> tuple[int, Any]:
    signature = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    response = await console.client.post(
        "/api/calcom",
        data=raw,
        headers={"X-Cal-Signature-256": signature, "Content-Type": "application/json"},
    )
    return response.status, await response.json()


async def linked_by_email(console: Console) -> Patient:
    anna = await console.linked_patient("Anna")
    assert anna.id is not None
    assert await console.deps.bookings.link(anna.id, LinkKind.EMAIL, EMAIL.upper(), 1001)
    return anna


async def reminders(console: Console, patient: Patient) -> dict[str, MessageState]:
    async with console.database.unit_of_work() as uow:
        rows = await uow.outbox.for_patient(patient.id or 0)
    return {row.unique_key: row.state for row in rows if row.kind == "appointment"}


async def next_appointment(console: Console, patient: Patient) -> datetime | None:
    async with console.database.unit_of_work() as uow:
        course = await uow.patients.current_course(patient.id or 0)
    assert course is not None
    return course.next_appointment_at


async def test_a_booking_sets_the_appointment_and_a_reschedule_moves_the_reminders(
    console: Console,
) -> None:
    anna = await linked_by_email(console)
    first = NOW + timedelta(weeks=3)
    status, answer = await deliver(console, body("BOOKING_CREATED", "bk-1", first))
    assert (status, answer["state"]) == (200, "applied")
    assert await next_appointment(console, anna) == first
    before = await reminders(console, anna)
    assert before and all(state == MessageState.PENDING for state in before.values())

    moved = first + timedelta(days=2)
    status, answer = await deliver(
        console,
        body("BOOKING_RESCHEDULED", "bk-2", moved, rescheduleUid="bk-1",
             rescheduleStartTime=first.isoformat()),
    )  # fmt: skip
    assert (status, answer["state"]) == (200, "applied")
    assert await next_appointment(console, anna) == moved
    after = await reminders(console, anna)
    assert all(after[key] == MessageState.CANCELLED for key in before)  # the old ones go
    assert any(state == MessageState.PENDING and key not in before for key, state in after.items())

    status, answer = await deliver(console, body("BOOKING_CANCELLED", "bk-1", first))
    assert answer["state"] == "skipped"  # the old time: the moved appointment stands
    assert await next_appointment(console, anna) == moved
    status, answer = await deliver(console, body("BOOKING_CANCELLED", "bk-2", moved))
    assert answer["state"] == "applied" and await next_appointment(console, anna) is None


async def test_a_bad_signature_is_refused_and_changes_nothing(console: Console) -> None:
    anna = await linked_by_email(console)
    raw = body("BOOKING_CREATED", "bk-1", NOW + timedelta(weeks=3))
    status, answer = await deliver(console, raw, secret="guessed")
    assert (status, answer["error"]["code"]) == (401, "unauthorized")
    response = await console.client.post("/api/calcom", data=raw)  # no signature at all
    assert response.status == 401
    assert await next_appointment(console, anna) is None


async def test_a_repeated_delivery_is_applied_once(console: Console) -> None:
    anna = await linked_by_email(console)
    raw = body("BOOKING_CREATED", "bk-1", NOW + timedelta(weeks=3))
    assert (await deliver(console, raw))[1]["state"] == "applied"
    later = NOW + timedelta(weeks=4)
    assert (await deliver(console, body("BOOKING_RESCHEDULED", "bk-9", later)))[0] == 200
    assert (await deliver(console, raw))[1]["state"] == "repeat"  # Cal.com retried
    assert await next_appointment(console, anna) == later


async def test_an_unmatched_booking_waits_for_staff_then_is_dropped(console: Console) -> None:
    vera = await console.linked_patient("Vera", 5002)
    raw = body("BOOKING_CREATED", "bk-7", NOW + timedelta(weeks=3), email="vera@example.org")
    assert (await deliver(console, raw))[1]["state"] == "waiting"
    await console.signed_in()
    page = await console.page("/console/bookings")
    assert "booked" in page and "vera@example.org" not in page and "Anna Smith" not in page
    assert await next_appointment(console, vera) is None
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    delivery = re.search(r'action="/console/bookings/(\d+)/assign"', page)
    assert csrf is not None and delivery is not None
    assigned = await console.client.post(
        f"/console/bookings/{delivery[1]}/assign", data={"csrf": csrf[1], "code": vera.code}
    )
    assert assigned.status == 200 and f"Linked to {vera.code} and applied." in await assigned.text()
    assert await next_appointment(console, vera) == NOW + timedelta(weeks=3)
    # her next booking finds her by itself now
    later = NOW + timedelta(weeks=5)
    raw = body("BOOKING_RESCHEDULED", "bk-8", later, email="Vera@Example.org")
    assert (await deliver(console, raw))[1]["state"] == "applied"

    stray = body("BOOKING_CREATED", "bk-stray", NOW + timedelta(weeks=2), email="x@y.z")
    assert (await deliver(console, stray))[1]["state"] == "waiting"
    console.clock.advance(timedelta(days=14, minutes=1))
    assert await console.deps.bookings.drop_old() == 1
    await console.signed_in()  # a fortnight later: a new session
    assert "No booking is waiting." in await console.page("/console/bookings")


async def test_a_finished_meeting_records_the_session_once_that_day(console: Console) -> None:
    anna = await linked_by_email(console)
    console.clock.advance(timedelta(weeks=3))
    held = console.clock.now() - timedelta(hours=1)
    status, answer = await deliver(console, body("MEETING_ENDED", "bk-3", held))
    assert (status, answer["state"]) == (200, "applied")
    again = body("MEETING_ENDED", "bk-4", held + timedelta(minutes=30))
    assert (await deliver(console, again))[1]["state"] == "skipped"  # one session that day
    async with console.database.unit_of_work() as uow:
        course = await uow.patients.current_course(anna.id or 0)
        assert course is not None and course.id is not None
        session = await uow.patients.latest_session(course.id)
    assert session is not None and (session.number, session.held_at) == (2, held)


async def test_odd_deliveries_get_short_answers(console: Console) -> None:
    status, answer = await deliver(console, b"{}")
    assert (status, answer["state"]) == (200, "ignored")  # no trigger the bot acts on
    status, answer = await deliver(console, b'{"triggerEvent": "BOOKING_CREATED"}')
    assert (status, answer["error"]["code"]) == (422, "invalid")
    status, answer = await deliver(console, json.dumps({"triggerEvent": "PING"}).encode())
    assert (status, answer["state"]) == (200, "ignored")
    status, answer = await deliver(console, b"\xff\xfe")
    assert status == 422
