"""Clinic settings kept in the database: imported once from the config file, then changed by
admins in the console, audited, and posted to the staff group.

Every instance reads them again each tick (`stored`), so a change takes effect everywhere
within seconds and without a restart. A change moves no timer already set: an incident paged
under the old re-page interval keeps its due times.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from aftercare_bot.domain.audit import AuditEvent
from aftercare_bot.domain.clinic_settings import (
    InvalidSetting,
    Setting,
    SettingChange,
    check_bounds,
    read_setting,
    setting_text,
)
from aftercare_bot.services.ports import Clock, UnitsOfWork

# The longest value kept in the audit trail's detail ("old → new").
_AUDIT_DETAIL_LIMIT = 512


@dataclass(frozen=True)
class SettingsSaved:
    """What a form of settings did: the problems by setting (nothing was stored), or the
    settings it changed."""

    problems: dict[Setting, InvalidSetting] = field(default_factory=dict)
    changed: tuple[Setting, ...] = ()


async def stored_settings(units: UnitsOfWork) -> dict[str, str]:
    """Every stored setting's text, by setting."""
    async with units.unit_of_work() as uow:
        return await uow.clinic_settings.values()


async def import_settings(
    units: UnitsOfWork, clock: Clock, file_values: Mapping[Setting, str]
) -> list[Setting]:
    """Store the config file's values of the settings not stored yet (a new database, or a
    setting a new version added); return the settings whose stored value the file's differs
    from, which the database wins and start-up names."""
    async with units.unit_of_work() as uow:
        await uow.clinic_settings.add_missing(
            {setting.value: text for setting, text in file_values.items()}, clock.now()
        )
        stored = await uow.clinic_settings.values()
        await uow.commit()
    return [setting for setting, text in file_values.items() if stored.get(setting.value) != text]


@dataclass(frozen=True)
class ClinicSettingsChanges:
    """Admins changing the clinic's settings."""

    units: UnitsOfWork
    clock: Clock
    languages: tuple[str, ...]  # every language with a catalogue

    async def last_changes(self) -> dict[str, SettingChange]:
        """Who last changed each setting, and when."""
        async with self.units.unit_of_work() as uow:
            return await uow.clinic_settings.last_changes()

    async def save(
        self,
        user_id: int,
        user_name: str,
        written: Mapping[Setting, str],
        current: Mapping[Setting, str],
    ) -> SettingsSaved:
        """Store what the form changed from the stored values (`current` where none is
        stored), all or nothing: every value must read, and each one that changes must be
        within bounds."""
        now = self.clock.now()
        async with self.units.unit_of_work() as uow:
            stored = await uow.clinic_settings.values()
            problems: dict[Setting, InvalidSetting] = {}
            changes: list[tuple[Setting, str, str]] = []
            for setting, text in written.items():
                try:
                    value = read_setting(setting, text, self.languages)
                    new = setting_text(setting, value)
                    old = stored.get(setting.value, current.get(setting, ""))
                    if new != old:
                        check_bounds(setting, value)
                        changes.append((setting, old, new))
                except InvalidSetting as problem:
                    problems[setting] = problem
            if problems:
                return SettingsSaved(problems=problems)
            for setting, old, new in changes:
                await uow.clinic_settings.put(setting.value, new, now)
                await uow.clinic_settings.record(
                    SettingChange(setting.value, old, new, now, user_id, user_name[:64])
                )
                await uow.audit.record(
                    AuditEvent(
                        occurred_at=now,
                        action="settings.changed",
                        actor_telegram_id=user_id,
                        subject=setting.value,
                        detail=f"{old} → {new}"[:_AUDIT_DETAIL_LIMIT],
                    )
                )
            await uow.commit()
        return SettingsSaved(changed=tuple(setting for setting, _old, _new in changes))


async def changes_to_post(units: UnitsOfWork) -> list[SettingChange]:
    """Changes not yet posted to the staff group, oldest first."""
    async with units.unit_of_work() as uow:
        return list(await uow.clinic_settings.unposted())


async def take_for_posting(units: UnitsOfWork, clock: Clock, change: SettingChange) -> bool:
    """Claim a change for posting: True for exactly one caller, so it is posted once."""
    async with units.unit_of_work() as uow:
        taken = await uow.clinic_settings.take_for_posting(change.id or 0, clock.now())
        await uow.commit()
    return taken
