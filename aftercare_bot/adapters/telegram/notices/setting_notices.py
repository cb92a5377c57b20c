"""Clinic settings changed in the console, posted to the staff group: who changed what, from
what to what, in the clinic's language."""

import html
from functools import partial

from telegram import Bot

from aftercare_bot.adapters.telegram.notices.staff_notices import StaffNotifier
from aftercare_bot.adapters.telegram.runtime.context import Services
from aftercare_bot.domain.clinic_settings import Setting
from aftercare_bot.services.clinic_settings import changes_to_post, take_for_posting
from aftercare_bot.texts import Html, Texts


async def post_setting_changes(bot: Bot, services: Services) -> None:
    """Post each change not posted yet, once (claimed before it is sent)."""
    notify = StaffNotifier(bot, services)
    for change in await changes_to_post(services.database):
        if not await take_for_posting(services.database, services.clock, change):
            continue
        await notify(
            "settings.changed_notice",
            who=change.changed_by_name,
            setting=partial(setting_name, services.texts, change.setting),
            old=change.old_value,
            new=change.new_value,
        )


def setting_name(texts: Texts, stored_name: str, language: str) -> Html:
    """A setting's name in `language` ("Opening hours"); a name this version does not know
    (stored by a newer one) as it is stored."""
    known = {setting.value: setting for setting in Setting}
    if stored_name not in known:
        return Html(html.escape(stored_name))
    return Html(texts.render(language, f"settings.name_{known[stored_name].label}"))
