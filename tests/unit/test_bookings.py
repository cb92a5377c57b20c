"""Cal.com's deliveries read and checked: the signature over the raw body, the booking's uid,
time and attendees (hashed on arrival), and the triggers the bot ignores."""

import hashlib
import hmac
import json
from datetime import UTC, datetime

import pytest

from aftercare_bot.domain.bookings import (
    BookingTrigger,
    InvalidDelivery,
    LinkKind,
    keyed_hash,
    read_delivery,
    signature_holds,
)

KEY = b"k" * 32
SECRET = "whsec-test"


def delivery(trigger: str = "BOOKING_CREATED", **payload: object) -> bytes:
    body = {
        "uid": "bk-1",
        "startTime": "2026-12-16T10:00:00.000Z",
        "attendees": [{"name": "Anna Smith", "email": "Anna@Example.com", "timeZone": "UTC"}],
        **payload,
    }
    return json.dumps(
        {"triggerEvent": trigger, "createdAt": "2026-12-07T10:00:00.000Z", "payload": body}
    ).encode()


def signed(body: bytes, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_the_signature_is_the_bodys_hmac_under_the_secret() -> None:
    body = delivery()
    assert signature_holds(SECRET, body, signed(body))
    assert signature_holds(SECRET, body, signed(body).upper() + " ")
    assert not signature_holds(SECRET, body + b" ", signed(body))  # the raw body, exactly
    assert not signature_holds(SECRET, body, signed(body, "other"))
    assert not signature_holds(SECRET, body, None)
    assert not signature_holds("", body, signed(body, ""))  # no secret: nothing is trusted


def test_a_booking_is_read_with_its_attendees_hashed_and_no_name_kept() -> None:
    event = read_delivery(delivery(metadata={"external_id": "crm-77"}), KEY)
    assert event is not None
    assert (event.trigger, event.uid) == (BookingTrigger.CREATED, "bk-1")
    assert event.starts_at == datetime(2026, 12, 16, 10, 0, tzinfo=UTC)
    assert event.attendee_hashes == (keyed_hash(KEY, LinkKind.EMAIL, " anna@example.COM"),)
    assert event.external_hash == keyed_hash(KEY, LinkKind.EXTERNAL, "crm-77")
    assert "Anna" not in repr(event) and "example" not in repr(event)


def test_other_triggers_are_ignored_and_broken_bookings_refused() -> None:
    assert read_delivery(delivery("PING"), KEY) is None
    assert read_delivery(delivery("BOOKING_REQUESTED"), KEY) is None
    for body in (
        b"not json",
        b"[]",
        json.dumps({"triggerEvent": "BOOKING_CREATED"}).encode(),
        delivery(uid=""),
        delivery(startTime="soon"),
        delivery(startTime="2026-12-16T10:00:00"),
    ):
        with pytest.raises(InvalidDelivery):
            read_delivery(body, KEY)


def test_an_email_and_an_id_never_share_a_hash_and_the_key_matters() -> None:
    assert keyed_hash(KEY, LinkKind.EMAIL, "x") != keyed_hash(KEY, LinkKind.EXTERNAL, "x")
    assert keyed_hash(KEY, LinkKind.EMAIL, "x") != keyed_hash(b"j" * 32, LinkKind.EMAIL, "x")
