"""Cal.com's bookings kept in step with the patients' courses, without retyping.

A delivery is kept once (by booking uid and trigger: a repeat does nothing), then applied to
the one patient its hashes are linked to:

- booking created or rescheduled: the next appointment is set or moved, and its reminders
  with it (a time already past is skipped);
- booking cancelled: the next appointment goes, if it is this booking's time;
- meeting ended: the session is recorded, unless the patient has one that day already;
  an open check-in and incident timers are never cancelled by it.

A delivery no link matches (or that matches two patients) waits for staff on the console's
Bookings page, with hashes only, and is dropped after `WAITING_DAYS`.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from aftercare_bot.domain.audit import AuditEvent
from aftercare_bot.domain.bookings import (
    WAITING_DAYS,
    BookingDelivery,
    BookingEvent,
    BookingTrigger,
    DeliveryState,
    LinkKind,
    keyed_hash,
)
from aftercare_bot.services.courses import SessionRecorded
from aftercare_bot.services.ports import Clock, UnitsOfWork
from aftercare_bot.services.staff_requests import StaffRequests

# The key of the e-mail and external-id hashes: made once, kept in the database.
HASH_KEY_SETTING = "booking_hash_key"


async def hash_key(units: UnitsOfWork, clock: Clock) -> bytes:
    """The key booking hashes are made with (the first instance to need it makes it)."""
    async with units.unit_of_work() as uow:
        stored = await uow.settings.put_if_absent(
            HASH_KEY_SETTING, secrets.token_hex(32), clock.now()
        )
        await uow.commit()
    return bytes.fromhex(stored)


@dataclass(frozen=True)
class BookingSync:
    """Applying deliveries; staff linking patients and settling the waiting ones."""

    units: UnitsOfWork
    clock: Clock
    requests: StaffRequests
    zone: ZoneInfo

    async def receive(self, event: BookingEvent) -> DeliveryState | None:
        """Keep and apply a delivery; None when it came before (applied once only)."""
        now = self.clock.now()
        delivery = BookingDelivery(
            booking_uid=event.uid,
            trigger=event.trigger,
            received_at=now,
            starts_at=event.starts_at,
            hashes=event.attendee_hashes,
            external_hash=event.external_hash,
            state=DeliveryState.WAITING,
        )
        async with self.units.unit_of_work() as uow:
            if not await uow.bookings.add_delivery(delivery):
                return None
            hashes = [*delivery.hashes, *filter(None, [delivery.external_hash])]
            matched = await uow.bookings.patients_for(hashes)
            await uow.commit()
        if len(matched) != 1 or delivery.id is None:
            return DeliveryState.WAITING
        return await self._settle(delivery, matched.pop(), None)

    async def link(self, patient_id: int, kind: LinkKind, value: str, staff_id: int) -> bool:
        """Link a patient to an attendee's e-mail or an external id (kept hashed); False when
        that value is linked to another patient already."""
        key = await hash_key(self.units, self.clock)
        now = self.clock.now()
        async with self.units.unit_of_work() as uow:
            owner = await uow.bookings.link(
                patient_id, kind, keyed_hash(key, kind, value), now, staff_id
            )
            if owner == patient_id:
                await uow.audit.record(
                    AuditEvent(now, "booking.linked", staff_id, str(patient_id), kind.value)
                )
            await uow.commit()
        return owner == patient_id

    async def waiting(self) -> list[BookingDelivery]:
        """The deliveries waiting for staff."""
        async with self.units.unit_of_work() as uow:
            return list(await uow.bookings.waiting())

    async def assign(
        self, delivery_id: int, patient_id: int, staff_id: int
    ) -> DeliveryState | None:
        """A waiting delivery is this patient's: its hashes are linked to her (so her next
        bookings find her) and it is applied; None when it no longer waits."""
        now = self.clock.now()
        async with self.units.unit_of_work() as uow:
            delivery = await uow.bookings.delivery(delivery_id)
            if delivery is None or delivery.state != DeliveryState.WAITING:
                return None
            for value_hash in delivery.hashes:
                await uow.bookings.link(patient_id, LinkKind.EMAIL, value_hash, now, staff_id)
            if delivery.external_hash:
                await uow.bookings.link(
                    patient_id, LinkKind.EXTERNAL, delivery.external_hash, now, staff_id
                )
            await uow.commit()
        return await self._settle(delivery, patient_id, staff_id)

    async def drop_old(self) -> int:
        """Forget the deliveries that waited longer than `WAITING_DAYS`."""
        before = self.clock.now() - timedelta(days=WAITING_DAYS)
        async with self.units.unit_of_work() as uow:
            dropped = await uow.bookings.drop_waiting(before)
            await uow.commit()
        return dropped

    async def _settle(
        self, delivery: BookingDelivery, patient_id: int, staff_id: int | None
    ) -> DeliveryState:
        state = await self._apply(delivery, patient_id, staff_id)
        async with self.units.unit_of_work() as uow:
            await uow.bookings.settle(delivery.id or 0, state, patient_id, self.clock.now())
            await uow.commit()
        return state

    async def _apply(
        self, delivery: BookingDelivery, patient_id: int, staff_id: int | None
    ) -> DeliveryState:
        now, at = self.clock.now(), delivery.starts_at
        requests = self.requests
        if delivery.trigger in (BookingTrigger.CREATED, BookingTrigger.RESCHEDULED):
            if at <= now or not await requests.set_appointment(patient_id, at, staff_id):
                return DeliveryState.SKIPPED
            return DeliveryState.APPLIED
        async with self.units.unit_of_work() as uow:
            course = await uow.patients.current_course(patient_id)
            latest = await uow.patients.latest_session(course.id) if course and course.id else None
        if course is None:
            return DeliveryState.SKIPPED
        if delivery.trigger is BookingTrigger.CANCELLED:
            if course.next_appointment_at != at:
                return DeliveryState.SKIPPED  # another time than the one booked now
            await requests.cancel_appointment(patient_id, staff_id)
            return DeliveryState.APPLIED
        day = at.astimezone(self.zone).date()
        if latest is not None and latest.held_at.astimezone(self.zone).date() == day:
            return DeliveryState.SKIPPED  # a session that day is recorded already
        recorded = await requests.record_session(patient_id, at, staff_id)
        recorded_now = isinstance(recorded, SessionRecorded)
        return DeliveryState.APPLIED if recorded_now else DeliveryState.SKIPPED
