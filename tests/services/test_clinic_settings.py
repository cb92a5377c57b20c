"""Admins changing the clinic's settings, through the use case alone (no web server, no
Telegram): all or nothing, within bounds only for what changes, audited, queued for the staff
group once; the config file's values imported once, the database winning after."""

from datetime import UTC, datetime

from aftercare_bot.clock import ManualClock
from aftercare_bot.domain.clinic_settings import Setting
from aftercare_bot.services.clinic_settings import (
    ClinicSettingsChanges,
    changes_to_post,
    import_settings,
    stored_settings,
)
from tests.fakes.unit_of_work import Units

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
ADMIN = 1
FILE = {
    Setting.HOURS: "Mon-Fri 09:00-19:00",
    Setting.PHONE: "+44 20 7946 0000",
    Setting.REPAGE_AFTER: "2s",  # a demo's: readable, though staff could not set it
    Setting.ROUNDS: "3",
}


def changes(units: Units) -> ClinicSettingsChanges:
    return ClinicSettingsChanges(units, ManualClock(NOW), ("en", "ru"))


async def test_the_file_is_imported_once_then_the_database_wins(units: Units) -> None:
    clock = ManualClock(NOW)
    assert await import_settings(units, clock, FILE) == []
    saved = await changes(units).save(
        ADMIN, "Grey", {Setting.PHONE: "+44 20 7946 1111"}, current=FILE
    )
    assert saved.changed == (Setting.PHONE,)
    edited_file = {**FILE, Setting.HOURS: "Mon-Sat 09:00-19:00"}
    differing = await import_settings(units, clock, edited_file)
    assert differing == [Setting.HOURS, Setting.PHONE]
    stored = await stored_settings(units)
    assert stored["clinic.hours"] == "Mon-Fri 09:00-19:00"
    assert stored["clinic.phone"] == "+44 20 7946 1111"


async def test_one_bad_value_stores_nothing_and_names_its_field(units: Units) -> None:
    await import_settings(units, ManualClock(NOW), FILE)
    saved = await changes(units).save(
        ADMIN,
        "Grey",
        {**FILE, Setting.PHONE: "+44 1", Setting.REPAGE_AFTER: "2h", Setting.ROUNDS: "0"},
        current=FILE,
    )
    assert set(saved.problems) == {Setting.REPAGE_AFTER, Setting.ROUNDS}
    assert saved.problems[Setting.ROUNDS].params == {"low": 1, "high": 20}
    assert saved.changed == ()
    assert (await stored_settings(units))["clinic.phone"] == FILE[Setting.PHONE]
    assert await changes_to_post(units) == []


async def test_a_value_left_as_it_was_is_not_held_to_the_bounds(units: Units) -> None:
    await import_settings(units, ManualClock(NOW), FILE)
    saved = await changes(units).save(
        ADMIN, "Grey", {**FILE, Setting.HOURS: "Mon-Fri 08:00-18:00"}, current=FILE
    )
    assert saved.changed == (Setting.HOURS,) and not saved.problems


async def test_a_change_is_audited_and_queued_once_for_the_staff_group(units: Units) -> None:
    await import_settings(units, ManualClock(NOW), FILE)
    await changes(units).save(ADMIN, "Grey", {Setting.ROUNDS: " 5 "}, current=FILE)
    unchanged = await changes(units).save(ADMIN, "Grey", {Setting.ROUNDS: "5"}, current=FILE)
    assert unchanged.changed == ()
    queued = await changes_to_post(units)
    assert [(c.setting, c.old_value, c.new_value, c.changed_by_name) for c in queued] == [
        ("escalation.max_rounds", "3", "5", "Grey")
    ]
    async with units.unit_of_work() as uow:
        events = await uow.audit.since(NOW)
    assert [(e.action, e.actor_telegram_id, e.subject, e.detail) for e in events] == [
        ("settings.changed", ADMIN, "escalation.max_rounds", "3 → 5")
    ]
