"""The fake of `BookingRepository`."""

import dataclasses
from collections.abc import Sequence
from datetime import datetime

from aftercare_bot.domain.bookings import BookingDelivery, DeliveryState, LinkKind
from tests.fakes.store import FakeSession


@dataclasses.dataclass
class LinkRow:
    """A row of `booking_links`."""

    patient_id: int
    kind: str
    value_hash: str


class FakeBookingRepository:
    """Links by (kind, hash) and deliveries by id, in memory."""

    def __init__(self, session: FakeSession) -> None:
        self._session = session

    async def link(
        self, patient_id: int, kind: LinkKind, value_hash: str, now: datetime, by: int | None
    ) -> int:
        """Link a hash to a patient; the patient it names (never two)."""
        links = self._session.table("booking_links")
        key = (kind.value, value_hash)
        if key not in links:
            links[key] = LinkRow(patient_id, kind.value, value_hash)
        return int(links[key].patient_id)

    async def unlink(self, patient_id: int) -> None:
        """Forget a patient's booking links."""
        links = self._session.table("booking_links")
        for key in [k for k, row in links.items() if row.patient_id == patient_id]:
            del links[key]

    async def patients_for(self, hashes: Sequence[str]) -> set[int]:
        """The patients any of these hashes is linked to."""
        links = self._session.table("booking_links")
        return {row.patient_id for row in links.values() if row.value_hash in hashes}

    async def links_of(self, patient_id: int) -> int:
        """How many links a patient has."""
        links = self._session.table("booking_links")
        return sum(1 for row in links.values() if row.patient_id == patient_id)

    async def add_delivery(self, delivery: BookingDelivery) -> bool:
        """Keep a delivery; False when this booking's trigger came before."""
        rows = self._session.table("booking_deliveries")
        if any(
            (row.booking_uid, row.trigger) == (delivery.booking_uid, delivery.trigger)
            for row in rows.values()
        ):
            return False
        delivery.id = self._session.new_id("booking_deliveries")
        rows[delivery.id] = dataclasses.replace(delivery)
        return True

    async def settle(
        self, delivery_id: int, state: DeliveryState, patient_id: int | None, now: datetime
    ) -> bool:
        """Record what became of a waiting delivery."""
        rows = self._session.table("booking_deliveries")
        found = rows.get(delivery_id)
        if found is None or found.state != DeliveryState.WAITING:
            return False
        rows[delivery_id] = dataclasses.replace(
            found, state=state, patient_id=patient_id, applied_at=now
        )
        return True

    async def waiting(self) -> Sequence[BookingDelivery]:
        """The deliveries waiting for staff, oldest first."""
        rows = self._session.table("booking_deliveries")
        return [rows[k] for k in sorted(rows) if rows[k].state == DeliveryState.WAITING]

    async def delivery(self, delivery_id: int) -> BookingDelivery | None:
        """One delivery."""
        return self._session.table("booking_deliveries").get(delivery_id)

    async def drop_waiting(self, received_before: datetime) -> int:
        """Forget the deliveries that waited too long."""
        rows = self._session.table("booking_deliveries")
        old = [
            key
            for key, row in rows.items()
            if row.state == DeliveryState.WAITING and row.received_at < received_before
        ]
        for key in old:
            del rows[key]
        return len(old)
