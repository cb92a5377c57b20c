"""The config as it stands now: the file's, with the clinic settings stored in the database
over it, and the texts and views that mention them (the clinic's phone, hours ...).

Every instance holds one and reads the stored settings again each tick, so what an admin
changes in the console reaches every instance within seconds, with no restart; handlers and
the console ask it for the config at the moment they need it, never keep a copy.
"""

import logging
from collections.abc import Mapping, Sequence
from datetime import timedelta

from aftercare_bot.adapters.telegram.views.rendering import Views
from aftercare_bot.config import Config
from aftercare_bot.domain.clinic_settings import (
    InvalidSetting,
    Setting,
    SettingValue,
    read_setting,
    setting_text,
)
from aftercare_bot.domain.plan_model import InvalidPlan, Plan
from aftercare_bot.domain.plan_versions import PlanBook, PlanVersion, read_version, step_text_key
from aftercare_bot.services.clinic_settings import stored_settings
from aftercare_bot.services.escalation import PagingRules
from aftercare_bot.services.plan_versions import stored_versions, versions_stamp
from aftercare_bot.services.ports import UnitsOfWork
from aftercare_bot.texts import Texts

logger = logging.getLogger(__name__)

# Stored settings are read again this often on every instance (and whenever it is woken).
REFRESH_EVERY = timedelta(seconds=5)


def paging_rules(config: Config) -> PagingRules:
    """The clinic's escalation timings as they stand."""
    escalation = config.escalation
    return PagingRules(
        escalation.reescalate_after,
        escalation.max_rounds,
        escalation.ack_timeout,
        escalation.patient_safety_net_after,
    )


def _section_and_field(setting: Setting) -> tuple[str, str]:
    section, name = setting.value.split(".", 1)
    return section, name


def setting_values(config: Config) -> dict[Setting, str]:
    """Each setting's value in `config` (the file's, or as it stands), written as stored."""
    values: dict[Setting, str] = {}
    for setting in Setting:
        if setting is Setting.LANGUAGES:
            values[setting] = ", ".join(config.clinic.offered_languages)
            continue
        section, name = _section_and_field(setting)
        value: SettingValue = getattr(getattr(config, section), name)
        values[setting] = setting_text(setting, value)
    return values


def with_settings(
    config: Config, stored: Mapping[str, str], languages: tuple[str, ...]
) -> tuple[Config, list[Setting]]:
    """`config` with the stored settings over it, and the stored settings that could not be
    read (which keep the file's value)."""
    updates: dict[str, dict[str, object]] = {}
    unreadable: list[Setting] = []
    for setting in Setting:
        text = stored.get(setting.value)
        if text is None:
            continue
        try:
            value = read_setting(setting, text, languages)
        except InvalidSetting:
            unreadable.append(setting)
            continue
        section, name = _section_and_field(setting)
        updates.setdefault(section, {})[name] = list(value) if isinstance(value, tuple) else value
    sections = {
        section: getattr(config, section).model_copy(update=fields)
        for section, fields in updates.items()
    }
    return config.model_copy(update=sections), unreadable


async def stored_config(config: Config, units: UnitsOfWork, languages: tuple[str, ...]) -> Config:
    """`config` with the settings stored in the database over it, as the running bot uses
    them (for the command line's `status` and `check`)."""
    return with_settings(config, await stored_settings(units), languages)[0]


class LiveConfig:
    """The current config, texts, views and plans of this instance."""

    def __init__(
        self, config: Config, texts: Texts, plans: Mapping[str, Plan] | None = None
    ) -> None:
        self.file = config
        self._texts = texts
        self._stored: dict[str, str] | None = None
        self._stamp: tuple[int, int] | None = None
        self._plan_texts: dict[str, dict[str, str]] = {}
        self.config = config
        self.texts = texts
        self.views = Views(texts, config)
        file_plans = dict(plans or {})
        self.plans = PlanBook(file_plans, {name: name for name in file_plans})

    def apply(self, stored: Mapping[str, str]) -> None:
        """Take the stored settings (a no-op when they did not change)."""
        if self._stored == stored:
            return
        config, unreadable = with_settings(self.file, stored, self._texts.all_languages)
        for setting in unreadable:
            logger.warning(
                "stored setting %s cannot be read: the config file's value is used", setting.value
            )
        self.config = config
        self._stored = dict(stored)
        self._rebuild_texts()

    def apply_plans(self, versions: Sequence[PlanVersion]) -> None:
        """Take the stored plan versions: every one by its key, the newest of each plan
        offered; a version that no longer reads (a text key gone) is left out, named."""
        known = self._texts.keys()
        plans: dict[str, Plan] = {}
        current: dict[str, str] = {}
        texts: dict[str, dict[str, str]] = {}
        for version in versions:
            try:
                plans[version.key] = read_version(version, known, self.file.schedule.grace)
            except InvalidPlan as error:
                logger.error("plan version %s cannot be used: %s", version.key, error)
                continue
            current[version.plan_name] = version.key
            for step, by_language in version.texts.items():
                texts[step_text_key(version.key, step)] = by_language
        if plans:
            self.plans = PlanBook(plans, current)
            self._plan_texts = texts
            self._rebuild_texts()

    def _rebuild_texts(self) -> None:
        clinic = self.config.clinic
        self.texts = (
            self._texts.offering(clinic.offered_languages)
            .with_defaults(clinic.text_params)
            .with_plan_texts(self._plan_texts)
        )
        self.views = Views(self.texts, self.config)

    async def refresh(self, units: UnitsOfWork) -> None:
        """Read the stored settings and plan versions again and take them."""
        self.apply(await stored_settings(units))
        stamp = await versions_stamp(units)
        if stamp != self._stamp:
            self.apply_plans(await stored_versions(units))
            self._stamp = stamp


class LiveReading:
    """The config, texts, views and plans as they stand now, for a front end that holds the
    instance's `LiveConfig` as `live` (the Telegram handlers' services, the console): read
    when needed, never kept."""

    live: LiveConfig

    @property
    def config(self) -> Config:
        """The config with the clinic settings stored in the database over the file's."""
        return self.live.config

    @property
    def texts(self) -> Texts:
        """The texts, with the clinic's current phone, hours, languages and plan sentences."""
        return self.live.texts

    @property
    def views(self) -> Views:
        """Domain values as people read them, with the current texts."""
        return self.live.views

    @property
    def plans(self) -> PlanBook:
        """Every version of every plan (a course names its own), the newest offered."""
        return self.live.plans
