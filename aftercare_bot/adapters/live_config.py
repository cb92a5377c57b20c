"""The config as it stands now: the file's, with the clinic settings stored in the database
over it, and the texts and views that mention them (the clinic's phone, hours ...).

Every instance holds one and reads the stored settings again each tick, so what an admin
changes in the console reaches every instance within seconds, with no restart; handlers and
the console ask it for the config at the moment they need it, never keep a copy.
"""

import logging
from collections.abc import Mapping
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
from aftercare_bot.services.clinic_settings import stored_settings
from aftercare_bot.services.escalation import PagingRules
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
    """The current config, texts and views of this instance."""

    def __init__(self, config: Config, texts: Texts) -> None:
        self.file = config
        self._texts = texts
        self._stored: dict[str, str] | None = None
        self.config = config
        self.texts = texts
        self.views = Views(texts, config)

    def apply(self, stored: Mapping[str, str]) -> None:
        """Take the stored settings (a no-op when they did not change)."""
        if self._stored == stored:
            return
        config, unreadable = with_settings(self.file, stored, self._texts.all_languages)
        for setting in unreadable:
            logger.warning(
                "stored setting %s cannot be read: the config file's value is used", setting.value
            )
        clinic = config.clinic
        texts = self._texts.offering(clinic.offered_languages).with_defaults(clinic.text_params)
        self.config, self.texts, self.views = config, texts, Views(texts, config)
        self._stored = dict(stored)

    async def refresh(self, units: UnitsOfWork) -> None:
        """Read the stored settings again and take them."""
        self.apply(await stored_settings(units))
