"""A patient erased their data while an incident of theirs was open: who is told what.

The patient, in the chat they had, hears that their data is erased and that the clinic still
follows up their report, with the clinic's phone. Staff get a reply under the incident's post
(by code only: the bot can no longer write to the patient), and every copy of the incident is
edited to say so. The same whether the patient asked with /delete or an operator ran
`python bot.py forget CODE`.
"""

import logging

from telegram import Bot
from telegram.error import TelegramError

from aftercare_bot.adapters.live_config import LiveConfig
from aftercare_bot.adapters.persistence.database import Database
from aftercare_bot.adapters.scheduling import DISPATCH, Heartbeat
from aftercare_bot.adapters.telegram.messenger import send
from aftercare_bot.adapters.telegram.notices.incident_notices import TelegramStaffNotifier
from aftercare_bot.adapters.telegram.runtime.connections import telegram_bot
from aftercare_bot.adapters.telegram.runtime.context import Services
from aftercare_bot.adapters.telegram.views.incidents import staff_language
from aftercare_bot.adapters.telegram.views.rendering import Views
from aftercare_bot.clock import SystemClock
from aftercare_bot.config import Config, ConfigError, load_texts_and_plans, load_triage_rules
from aftercare_bot.services.check_ins import CheckInTiming
from aftercare_bot.services.retention import Forgotten

logger = logging.getLogger(__name__)


async def announce_departure(bot: Bot, services: Services, forgotten: Forgotten) -> bool:
    """Tell the patient (if they had a chat) and staff that the patient left while their
    incident was open; True if the patient was told."""
    incident = forgotten.incident
    assert incident is not None
    views = services.views
    told = await _tell_patient(bot, views, forgotten)
    staff = TelegramStaffNotifier(bot, services)
    text = views.texts.render(staff_language(views), "erasure.staff_left", code=forgotten.code)
    await staff.reply_under(incident, text)
    await staff.refresh(incident)
    return told


async def announce_from_command_line(
    config: Config, database: Database, forgotten: Forgotten
) -> bool | None:
    """`announce_departure` from the command line, with a bot of its own; None when Telegram
    could not be reached at all (nobody was told)."""
    texts, plans = load_texts_and_plans(config)
    live = LiveConfig(config, texts, plans)
    await live.refresh(database)
    services = Services(
        live=live,
        database=database,
        clock=SystemClock(),
        wake=Heartbeat().waker(DISPATCH),  # never started: nothing to wake here
        triage_rules=load_triage_rules(config),
        check_in_timing=CheckInTiming(
            config.schedule.checkin_nudge_after,
            config.schedule.checkin_expire_after,
            config.checkins.abandon_after,
        ),
    )
    try:
        bot = telegram_bot(config.require_token(), config.telegram)
        async with bot:
            return await announce_departure(bot, services, forgotten)
    except (ConfigError, TelegramError) as error:
        incident_id = forgotten.incident.id if forgotten.incident else None
        logger.warning("incident %s: Telegram unreachable: %s", incident_id, error)
        return None


async def _tell_patient(bot: Bot, views: Views, forgotten: Forgotten) -> bool:
    if forgotten.chat_id is None:
        return False
    language = views.texts.language_for(forgotten.language, views.config.clinic.language)
    try:
        await send(bot, forgotten.chat_id, views.texts.render(language, "erasure.patient_told"))
    except TelegramError as error:
        logger.warning("patient %s left and could not be told: %s", forgotten.code, error)
        return False
    return True
