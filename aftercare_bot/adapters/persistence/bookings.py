"""Booking links (keyed hashes) and Cal.com's deliveries."""

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import RowMapping, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from aftercare_bot.adapters.persistence.insert_once import insert_once
from aftercare_bot.adapters.persistence.tables import booking_deliveries, booking_links
from aftercare_bot.domain.bookings import (
    BookingDelivery,
    BookingTrigger,
    DeliveryState,
    LinkKind,
)


class BookingRepository:
    """Who a booking's hashes name, and every delivery once."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def link(
        self, patient_id: int, kind: LinkKind, value_hash: str, now: datetime, by: int | None
    ) -> int:
        """Link a hash to a patient; the patient it names (another one when it was already
        linked to someone else: never two)."""
        await self._session.execute(
            insert_once(
                self._session,
                booking_links,
                ["kind", "value_hash"],
                patient_id=patient_id,
                kind=kind.value,
                value_hash=value_hash,
                created_at=now,
                created_by=by,
            )
        )
        owner = await self._session.scalar(
            select(booking_links.c.patient_id).where(
                booking_links.c.kind == kind.value, booking_links.c.value_hash == value_hash
            )
        )
        return int(owner or patient_id)

    async def unlink(self, patient_id: int) -> None:
        """Forget a patient's booking links (she is erased or anonymised)."""
        await self._session.execute(
            delete(booking_links).where(booking_links.c.patient_id == patient_id)
        )

    async def patients_for(self, hashes: Sequence[str]) -> set[int]:
        """The patients any of these hashes is linked to."""
        if not hashes:
            return set()
        rows = await self._session.execute(
            select(booking_links.c.patient_id).where(booking_links.c.value_hash.in_(list(hashes)))
        )
        return set(rows.scalars())

    async def links_of(self, patient_id: int) -> int:
        """How many links a patient has."""
        rows = await self._session.execute(
            select(booking_links.c.id).where(booking_links.c.patient_id == patient_id)
        )
        return len(rows.all())

    async def add_delivery(self, delivery: BookingDelivery) -> bool:
        """Keep a delivery; False when this booking's trigger came before (a repeat)."""
        added = await self._session.execute(
            insert_once(
                self._session,
                booking_deliveries,
                ["booking_uid", "trigger"],
                booking_uid=delivery.booking_uid,
                trigger=delivery.trigger.value,
                received_at=delivery.received_at,
                starts_at=delivery.starts_at,
                hashes=json.dumps(list(delivery.hashes)),
                external_hash=delivery.external_hash,
                state=delivery.state.value,
                patient_id=delivery.patient_id,
                applied_at=delivery.applied_at,
            ).returning(booking_deliveries.c.id)
        )
        found = added.scalar_one_or_none()
        if found is None:
            return False
        delivery.id = int(found)
        return True

    async def settle(
        self, delivery_id: int, state: DeliveryState, patient_id: int | None, now: datetime
    ) -> bool:
        """Record what became of a waiting delivery; False when it no longer waits."""
        done = await self._session.execute(
            update(booking_deliveries)
            .where(
                booking_deliveries.c.id == delivery_id,
                booking_deliveries.c.state == DeliveryState.WAITING.value,
            )
            .values(state=state.value, patient_id=patient_id, applied_at=now)
        )
        return bool(getattr(done, "rowcount", 0))

    async def waiting(self) -> Sequence[BookingDelivery]:
        """The deliveries waiting for staff, oldest first."""
        rows = await self._session.execute(
            select(booking_deliveries)
            .where(booking_deliveries.c.state == DeliveryState.WAITING.value)
            .order_by(booking_deliveries.c.id)
        )
        return [_delivery(row) for row in rows.mappings()]

    async def delivery(self, delivery_id: int) -> BookingDelivery | None:
        """One delivery."""
        rows = await self._session.execute(
            select(booking_deliveries).where(booking_deliveries.c.id == delivery_id)
        )
        found = rows.mappings().first()
        return None if found is None else _delivery(found)

    async def drop_waiting(self, received_before: datetime) -> int:
        """Forget the deliveries that waited too long; how many."""
        done = await self._session.execute(
            delete(booking_deliveries).where(
                booking_deliveries.c.state == DeliveryState.WAITING.value,
                booking_deliveries.c.received_at < received_before,
            )
        )
        return int(getattr(done, "rowcount", 0))


def _delivery(row: RowMapping) -> BookingDelivery:
    return BookingDelivery(
        booking_uid=row["booking_uid"],
        trigger=BookingTrigger(row["trigger"]),
        received_at=row["received_at"],
        starts_at=row["starts_at"],
        hashes=tuple(json.loads(row["hashes"])),
        external_hash=row["external_hash"],
        state=DeliveryState(row["state"]),
        patient_id=row["patient_id"],
        applied_at=row["applied_at"],
        id=row["id"],
    )
