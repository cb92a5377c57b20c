"""Cal.com's bookings through the use case alone (no web server, no Telegram), on the real
database and on the fake: a linked patient's booking sets her appointment once however often
it arrives; an unmatched one waits, is assigned, and her later bookings find her; a link never
names two patients."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from aftercare_bot.domain.bookings import BookingEvent, BookingTrigger, DeliveryState, LinkKind
from aftercare_bot.domain.bookings import keyed_hash as hashed
from aftercare_bot.services.bookings import BookingSync, hash_key
from tests.services.test_staff_requests import ADMIN, Desk, desk, linked

__all__ = ["desk"]  # the fixture, shared with the staff-request tests

LONDON = ZoneInfo("Europe/London")


def sync(desk: Desk) -> BookingSync:
    return BookingSync(desk.units, desk.clock, desk.requests, LONDON)


async def event(desk: Desk, uid: str, email: str, days: int = 21) -> BookingEvent:
    key = await hash_key(desk.units, desk.clock)
    return BookingEvent(
        BookingTrigger.CREATED,
        uid,
        desk.clock.now() + timedelta(days=days),
        (hashed(key, LinkKind.EMAIL, email),),
        None,
    )


async def appointment_of(desk: Desk, patient_id: int) -> object:
    async with desk.units.unit_of_work() as uow:
        course = await uow.patients.current_course(patient_id)
    assert course is not None
    return course.next_appointment_at


async def test_a_linked_patients_booking_is_applied_once(desk: Desk) -> None:
    anna = await linked(desk)
    assert anna.id is not None
    bookings = sync(desk)
    assert await bookings.link(anna.id, LinkKind.EMAIL, "Anna@Example.com", ADMIN)
    booked = await event(desk, "bk-1", "anna@example.com ")
    assert await bookings.receive(booked) == DeliveryState.APPLIED
    assert await bookings.receive(booked) is None  # a retry: applied once
    assert await appointment_of(desk, anna.id) == booked.starts_at
    vera = await linked(desk, "Vera", 5002)
    assert vera.id is not None
    assert not await bookings.link(vera.id, LinkKind.EMAIL, "anna@example.com", ADMIN)


async def test_an_unmatched_booking_waits_then_is_assigned_and_finds_her_later(
    desk: Desk,
) -> None:
    vera = await linked(desk, "Vera", 5002)
    assert vera.id is not None
    bookings = sync(desk)
    first = await event(desk, "bk-7", "vera@example.org")
    assert await bookings.receive(first) == DeliveryState.WAITING
    [waiting] = await bookings.waiting()
    assert waiting.id is not None
    assert await bookings.assign(waiting.id, vera.id, ADMIN) == DeliveryState.APPLIED
    assert await bookings.assign(waiting.id, vera.id, ADMIN) is None  # settled already
    later = await event(desk, "bk-8", "VERA@example.org", days=28)
    assert await bookings.receive(later) == DeliveryState.APPLIED
    assert await appointment_of(desk, vera.id) == later.starts_at
    stray = await event(desk, "bk-9", "someone@else.example")
    assert await bookings.receive(stray) == DeliveryState.WAITING
    desk.clock.advance(timedelta(days=13))
    assert await bookings.drop_old() == 0
    desk.clock.advance(timedelta(days=1, seconds=1))
    assert await bookings.drop_old() == 1 and await bookings.waiting() == []


async def test_an_erased_or_anonymised_patient_loses_her_booking_links(desk: Desk) -> None:
    from aftercare_bot.domain.privacy import DeleteMode
    from aftercare_bot.services.retention import forget

    anna = await linked(desk)
    assert anna.id is not None
    bookings = sync(desk)
    assert await bookings.link(anna.id, LinkKind.EMAIL, "anna@example.com", ADMIN)
    async with desk.units.unit_of_work() as uow:
        patient = await uow.patients.by_id(anna.id)
        assert patient is not None
        await forget(uow, patient, DeleteMode.ANONYMISE, desk.clock.now(), "on request")
        await uow.commit()
    async with desk.units.unit_of_work() as uow:
        assert await uow.bookings.links_of(anna.id) == 0
    later = await event(desk, "bk-after", "anna@example.com")
    assert await bookings.receive(later) == DeliveryState.WAITING  # nobody to apply it to
