"""Which language a staff member reads privately, through the staff-access use case alone (no
Telegram): their own /language choice wins over their Telegram's, and nobody who is not staff
has a language kept."""

from datetime import UTC, datetime

from aftercare_bot.clock import ManualClock
from aftercare_bot.services.staff_access import StaffAccess
from tests.fakes.unit_of_work import Units

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
ADMIN, STRANGER = 1, 77


def access(units: Units) -> StaffAccess:
    return StaffAccess(units, ManualClock(NOW), admin_ids=(ADMIN,), configured_group=None)


async def test_a_staff_members_telegram_language_is_kept_until_they_choose_one(
    units: Units,
) -> None:
    staff = access(units)
    assert await staff.language(ADMIN) is None
    assert await staff.saw_language(ADMIN, "uk") == "uk"
    assert await staff.language(ADMIN) == "uk"
    assert await staff.choose_language(ADMIN, "ru")
    assert await staff.saw_language(ADMIN, "uk") == "ru"  # her choice outlasts her Telegram
    assert await staff.language(ADMIN) == "ru"


async def test_a_telegram_language_the_clinic_does_not_offer_leaves_the_choice_alone(
    units: Units,
) -> None:
    staff = access(units)
    await staff.saw_language(ADMIN, "es")
    assert await staff.saw_language(ADMIN, None) == "es"


async def test_nobody_who_is_not_staff_has_a_language_kept(units: Units) -> None:
    staff = access(units)
    assert await staff.saw_language(STRANGER, "uk") is None
    assert not await staff.choose_language(STRANGER, "ru")
    assert await staff.language(STRANGER) is None
