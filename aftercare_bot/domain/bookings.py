"""Cal.com's booking deliveries, read and checked; how a booking finds its patient.

Cal.com signs each delivery: `X-Cal-Signature-256` is the hex HMAC-SHA256 of the raw body under
the webhook's secret, checked here in constant time before anything is read. A booking finds
its patient only through a link staff made once on the console: the attendee's e-mail, kept
only as a keyed hash (never in clear), or an external id the booking carries in its metadata
(`metadata[external_id]` on the booking link). Never by name: two Annas are two patients.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from aftercare_bot.domain.errors import AftercareError

# A booking nobody could match waits this long for staff, then is dropped.
WAITING_DAYS = 14
# The metadata key a booking link sets to name the patient's external id.
EXTERNAL_ID_KEY = "external_id"


class BookingTrigger(StrEnum):
    """The deliveries the bot acts on (others, a PING included, are answered and ignored)."""

    CREATED = "BOOKING_CREATED"
    RESCHEDULED = "BOOKING_RESCHEDULED"
    CANCELLED = "BOOKING_CANCELLED"
    ENDED = "MEETING_ENDED"


class LinkKind(StrEnum):
    """What a patient's booking link was made from."""

    EMAIL = "email"
    EXTERNAL = "external"


class InvalidDelivery(AftercareError, ValueError):
    """A signed delivery whose body is not a booking Cal.com would send."""


@dataclass(frozen=True)
class BookingEvent:
    """What the bot needs of a delivery: no name, no e-mail in clear (hashed on arrival)."""

    trigger: BookingTrigger
    uid: str
    starts_at: datetime
    attendee_hashes: tuple[str, ...]
    external_hash: str | None


def signature_holds(secret: str, body: bytes, header: str | None) -> bool:
    """Whether `header` is the body's HMAC-SHA256 under `secret` (in constant time)."""
    if not secret or not header:
        return False
    expected = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.strip().lower())


def keyed_hash(key: bytes, kind: LinkKind, value: str) -> str:
    """What is kept of an e-mail or an external id: a keyed hash, the same for the same value
    however it is written (case and spaces aside), useless without the key."""
    normal = " ".join(value.split()).casefold()
    return hmac.new(key, f"{kind.value}:{normal}".encode(), hashlib.sha256).hexdigest()


def read_delivery(body: bytes, key: bytes) -> BookingEvent | None:
    """The booking a delivery is about; None for a trigger the bot does not act on.

    Raises:
        InvalidDelivery: not JSON, or a booking without its uid or start time.
    """
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InvalidDelivery("the body is not JSON") from None
    if not isinstance(data, dict):
        raise InvalidDelivery("the body is not a delivery")
    try:
        trigger = BookingTrigger(str(data.get("triggerEvent")))
    except ValueError:
        return None
    payload = data.get("payload")
    if not isinstance(payload, dict):
        raise InvalidDelivery("the delivery has no payload")
    uid, start = payload.get("uid"), payload.get("startTime")
    if not isinstance(uid, str) or not uid or len(uid) > 128:
        raise InvalidDelivery("the booking has no uid")
    try:
        starts_at = datetime.fromisoformat(str(start).replace("Z", "+00:00"))
    except ValueError:
        raise InvalidDelivery("the booking has no start time") from None
    if starts_at.utcoffset() is None:
        raise InvalidDelivery("the booking's start time has no offset")
    return BookingEvent(
        trigger=trigger,
        uid=uid,
        starts_at=starts_at,
        attendee_hashes=tuple(keyed_hash(key, LinkKind.EMAIL, email) for email in _emails(payload)),
        external_hash=_external(payload, key),
    )


def _emails(payload: dict[str, Any]) -> list[str]:
    attendees = payload.get("attendees")
    if not isinstance(attendees, list):
        return []
    return [
        attendee["email"]
        for attendee in attendees[:20]
        if isinstance(attendee, dict) and isinstance(attendee.get("email"), str)
    ]


def _external(payload: dict[str, Any], key: bytes) -> str | None:
    metadata = payload.get("metadata")
    value = metadata.get(EXTERNAL_ID_KEY) if isinstance(metadata, dict) else None
    if not isinstance(value, str | int) or not str(value).strip():
        return None
    return keyed_hash(key, LinkKind.EXTERNAL, str(value))


class DeliveryState(StrEnum):
    """Where a delivery stands."""

    APPLIED = "applied"
    WAITING = "waiting"  # nobody matched it (or more than one patient did): staff decide
    SKIPPED = "skipped"  # matched, but nothing to do (a past time, a cancelled other time)


@dataclass
class BookingDelivery:
    """A delivery as kept: its booking, its time, the hashes that may match a patient."""

    booking_uid: str
    trigger: BookingTrigger
    received_at: datetime
    starts_at: datetime
    hashes: tuple[str, ...]
    external_hash: str | None
    state: DeliveryState
    patient_id: int | None = None
    applied_at: datetime | None = None
    id: int | None = None
