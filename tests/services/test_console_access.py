"""Signing in to the staff console, through the console-access use case alone (no web server,
no Telegram), on the real database and on the fake: a one-time link opens one session, only
for staff, within five minutes; a session ends when idle, signed out, or when its owner is
removed from staff; a Mini App launch opens a session only for staff."""

from datetime import UTC, datetime, timedelta

from aftercare_bot.clock import ManualClock
from aftercare_bot.domain.console_access import LaunchUser, hash_secret
from aftercare_bot.domain.staff import StaffRole
from aftercare_bot.services.console_access import ConsoleAccess
from aftercare_bot.services.linking import Opening, open_link
from aftercare_bot.services.staff import invite_staff, remove_staff
from tests.fakes.unit_of_work import Units

NOW = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
ADMIN, NINA, STRANGER = 1, 777, 999
IDLE = timedelta(minutes=30)


def console(units: Units, clock: ManualClock) -> ConsoleAccess:
    return ConsoleAccess(units, clock, admin_ids=(ADMIN,), idle=IDLE)


async def nina_joins(units: Units) -> None:
    async with units.unit_of_work() as uow:
        token = await invite_staff(uow, ADMIN, NOW, timedelta(days=1))
    async with units.unit_of_work() as uow:
        joined = await open_link(uow, token, NINA, "Nina", NOW)
    assert joined.outcome == Opening.STAFF_JOINED


async def actions(units: Units) -> list[tuple[str, int | None]]:
    async with units.unit_of_work() as uow:
        return [(event.action, event.actor_telegram_id) for event in await uow.audit.since(NOW)]


async def test_a_link_opens_one_session_once_and_the_role_is_read_each_time(units: Units) -> None:
    clock = ManualClock(NOW)
    access = console(units, clock)
    secret = await access.issue_sign_in(ADMIN, "Grey")
    assert secret is not None
    async with units.unit_of_work() as uow:  # only its hash is stored
        assert await uow.console.take_sign_in(secret, NOW) is None
    clock.advance(timedelta(minutes=4))
    signed_in = await access.sign_in(secret)
    assert signed_in is not None and signed_in.user_id == ADMIN
    assert await access.sign_in(secret) is None  # used
    user = await access.who(signed_in.secret)
    assert user is not None
    assert (user.user_id, user.name, user.role, user.is_admin) == (
        ADMIN,
        "Grey",
        StaffRole.ADMIN,
        True,
    )
    assert len(user.csrf_token) >= 40
    assert await access.who(signed_in.secret + "x") is None
    assert ("console.signed_in", ADMIN) in await actions(units)


async def test_a_link_older_than_five_minutes_is_refused(units: Units) -> None:
    clock = ManualClock(NOW)
    access = console(units, clock)
    secret = await access.issue_sign_in(ADMIN, "Grey")
    assert secret is not None
    clock.advance(timedelta(minutes=5))
    assert await access.sign_in(secret) is None
    assert ("console.link_refused", None) in await actions(units)


async def test_someone_who_is_not_staff_gets_no_link_and_no_session(units: Units) -> None:
    clock = ManualClock(NOW)
    access = console(units, clock)
    assert await access.issue_sign_in(STRANGER, "Eve") is None
    assert await access.launch(LaunchUser(STRANGER, "Eve", "en")) is None
    assert ("console.refused", STRANGER) in await actions(units)


async def test_a_session_ends_when_idle_and_when_signed_out(units: Units) -> None:
    clock = ManualClock(NOW)
    access = console(units, clock)
    secret = await access.issue_sign_in(ADMIN, "Grey")
    assert secret is not None
    first = await access.sign_in(secret)
    assert first is not None
    clock.advance(IDLE - timedelta(seconds=1))
    assert await access.who(first.secret) is not None  # used: its idle time starts again
    clock.advance(IDLE - timedelta(seconds=1))
    assert await access.who(first.secret) is not None
    clock.advance(IDLE)
    assert await access.who(first.secret) is None  # idle too long
    again = await access.issue_sign_in(ADMIN, "Grey")
    assert again is not None
    second = await access.sign_in(again)
    assert second is not None
    await access.sign_out(second.secret)
    assert await access.who(second.secret) is None


async def test_removing_a_member_ends_their_sessions_at_once(units: Units) -> None:
    await nina_joins(units)
    clock = ManualClock(NOW)
    access = console(units, clock)
    launched = await access.launch(LaunchUser(NINA, "Nina", "ru"))
    secret = await access.issue_sign_in(NINA, "Nina")
    assert launched is not None and secret is not None
    linked = await access.sign_in(secret)
    assert linked is not None
    nina = await access.who(linked.secret)
    assert nina is not None and nina.role == StaffRole.STAFF and not nina.is_admin
    async with units.unit_of_work() as uow:
        assert await remove_staff(uow, ADMIN, NINA, NOW) is not None
    assert await access.who(linked.secret) is None
    assert await access.who(launched.secret) is None
    async with units.unit_of_work() as uow:
        ended = await uow.console.session(hash_secret(launched.secret))
    assert ended is not None and ended.ended_at == NOW
