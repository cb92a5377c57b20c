"""The patient's own commands: stop and resume, language, time zone, their data, leaving."""

import json
import logging
from typing import Any, cast

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from aftercare_bot.adapters.telegram.handlers.answers import answer_in
from aftercare_bot.adapters.telegram.handlers.incidents import escalate
from aftercare_bot.adapters.telegram.handlers.pressed import presser, take_press
from aftercare_bot.adapters.telegram.handlers.stop_words import StopStartWords
from aftercare_bot.adapters.telegram.messenger import reply, reply_file
from aftercare_bot.adapters.telegram.notices.erasure_notices import announce_departure
from aftercare_bot.adapters.telegram.notices.staff_notices import notify_staff
from aftercare_bot.adapters.telegram.runtime.context import AftercareContext
from aftercare_bot.adapters.telegram.views.callback_data import (
    EraseChoice,
    LanguageChoice,
    TimeZoneChoice,
    pattern,
)
from aftercare_bot.adapters.telegram.views.languages import (
    language_buttons,
    language_name,
    language_of,
    remember_chosen_language,
)
from aftercare_bot.adapters.telegram.views.my_data import patient_copy, readable_pages
from aftercare_bot.domain.incidents import IncidentUrgency
from aftercare_bot.domain.outgoing import Outgoing
from aftercare_bot.domain.patients import Patient
from aftercare_bot.domain.time_zones import find_zone

logger = logging.getLogger(__name__)

_AWAITING_ZONE = "awaiting_time_zone"


async def _patient(update: Update, context: AftercareContext) -> Patient | None:
    chat = update.effective_chat
    if chat is None:
        return None
    return await context.services.patient_requests.patient_in(chat.id)


async def stop_command(update: Update, context: AftercareContext) -> None:
    """/stop or STOP: no more plan messages; staff are told."""
    assert update.effective_chat is not None
    services = context.services
    stopped = await services.patient_requests.stop(update.effective_chat.id)
    if stopped is None:
        patient = await _patient(update, context)
        language = context.views.language_of(patient) if patient else language_of(update, context)
        key = "lifecycle.already_stopped" if patient else "lifecycle.not_linked"
        await answer_in(update, context, language, key)
        return
    await answer_in(update, context, context.views.language_of(stopped), "lifecycle.stopped")
    await notify_staff(
        context, "lifecycle.staff_stopped", code=stopped.code, name=stopped.display_name
    )


async def resume_if_stopped(update: Update, context: AftercareContext) -> Patient | None:
    """/start or START from a stopped patient resumes their follow-up."""
    assert update.effective_chat is not None
    services = context.services
    resumed = await services.patient_requests.resume(update.effective_chat.id)
    if resumed is not None:
        await answer_in(
            update,
            context,
            context.views.language_of(resumed),
            "lifecycle.resumed",
            name=resumed.display_name,
        )
        await notify_staff(
            context, "lifecycle.staff_resumed", code=resumed.code, name=resumed.display_name
        )
    return resumed


async def on_start_word(update: Update, context: AftercareContext) -> None:
    """The plain word START (or the patient's own word for it) works like /start for a
    stopped patient; one whose messages are on is told so."""
    if await resume_if_stopped(update, context) is not None:
        return
    patient = await _patient(update, context)
    if patient is None:
        await answer_in(update, context, language_of(update, context), "lifecycle.not_linked")
        return
    language = context.views.language_of(patient)
    await answer_in(update, context, language, "lifecycle.already_on", name=patient.display_name)


async def language_command(update: Update, context: AftercareContext) -> None:
    """Buttons for the offered languages (a patient's messages, or a staff member's own)."""
    buttons = language_buttons(context.services.texts, lambda code: LanguageChoice(code).data())
    prompt = Outgoing(
        context.views.texts.render(language_of(update, context), "lifecycle.language_pick"), buttons
    )
    await reply(update, prompt)


async def on_language(update: Update, context: AftercareContext) -> None:
    """Every later message uses the chosen language: a patient's, or a staff member's private
    posts (the staff group keeps the clinic's)."""
    pressed = await take_press(update, context, LanguageChoice.parse, clear=True)
    if pressed is None or pressed.code not in context.services.texts.languages:
        return
    code = pressed.code
    assert update.effective_chat is not None
    services = context.services
    patient = await services.patient_requests.set_language(update.effective_chat.id, code)
    if patient is not None:
        remember_chosen_language(context, code)  # what this update still says speaks it
        await answer_in(update, context, code, "lifecycle.language_set")
        return
    if (
        update.effective_chat.type == ChatType.PRIVATE
        and await services.staff_access.choose_language(presser(update).user_id, code)
    ):
        remember_chosen_language(context, code)
        group = language_name(services.config.clinic.language, code)
        await answer_in(update, context, code, "staff.language_set", group_language=group)
        return
    await answer_in(update, context, code, "lifecycle.not_linked")


async def timezone_command(update: Update, context: AftercareContext) -> None:
    """Buttons for the clinic's zones, or a typed zone or city (also as `/timezone Paris`)."""
    patient = await _patient(update, context)
    if patient is None:
        await answer_in(update, context, language_of(update, context), "lifecycle.not_linked")
        return
    if context.args:
        await _apply_zone(update, context, " ".join(context.args))
        return
    language = context.views.language_of(patient)
    zones = context.services.config.clinic.zones_offered
    buttons = tuple(
        ((str(zone), TimeZoneChoice(index).data()),) for index, zone in enumerate(zones)
    )
    prompt = Outgoing(
        context.views.texts.render(language, "lifecycle.timezone_pick", zone=patient.timezone),
        buttons,
    )
    cast(dict[str, Any], context.user_data)[_AWAITING_ZONE] = True
    await reply(update, prompt)


async def on_time_zone_button(update: Update, context: AftercareContext) -> None:
    """One of the offered zones."""
    pressed = await take_press(update, context, TimeZoneChoice.parse, clear=True)
    zones = context.services.config.clinic.zones_offered
    if pressed is None or pressed.index >= len(zones):
        return
    await _apply_zone(update, context, str(zones[pressed.index]))


async def typed_time_zone(update: Update, context: AftercareContext) -> bool:
    """Text right after /timezone is the zone; True if it was taken as one."""
    data = cast(dict[str, Any], context.user_data)
    if not data.pop(_AWAITING_ZONE, False):
        return False
    message = update.effective_message
    await _apply_zone(update, context, message.text or "" if message else "")
    return True


async def _apply_zone(update: Update, context: AftercareContext, text: str) -> None:
    services = context.services
    zone = find_zone(text)
    patient = await _patient(update, context)
    language = context.views.language_of(patient) if patient else language_of(update, context)
    if zone is None:
        cast(dict[str, Any], context.user_data)[_AWAITING_ZONE] = True
        await answer_in(update, context, language, "lifecycle.timezone_unknown", text=text)
        return
    assert update.effective_chat is not None
    await services.patient_requests.set_timezone(update.effective_chat.id, zone)
    await answer_in(update, context, language, "lifecycle.timezone_set", zone=str(zone))


async def mydata_command(update: Update, context: AftercareContext) -> None:
    """Everything stored about the patient: a readable message and a JSON file."""
    assert update.effective_chat is not None and update.effective_message is not None
    data = await context.services.patient_requests.my_data(update.effective_chat.id)
    if data is None:
        await answer_in(update, context, language_of(update, context), "lifecycle.not_linked")
        return
    patient = await _patient(update, context)
    assert patient is not None
    views = context.views
    language = views.language_of(patient)
    copy = patient_copy(views, language, data)
    for page in readable_pages(views, language, patient.timezone, copy):
        await reply(update, page)
    document = json.dumps(copy, ensure_ascii=False, indent=2).encode("utf-8")
    caption = views.texts.render(language, "lifecycle.mydata_file")
    await reply_file(update, document, "my-aftercare-data.json", caption)


async def delete_command(update: Update, context: AftercareContext) -> None:
    """Ask for confirmation before erasing the patient's data."""
    patient = await _patient(update, context)
    if patient is None:
        await answer_in(update, context, language_of(update, context), "lifecycle.not_linked")
        return
    language = context.views.language_of(patient)
    texts = context.services.texts
    buttons = (
        (
            (
                texts.render(language, "buttons.delete_yes"),
                EraseChoice(confirmed=True).data(),
            ),
            (
                texts.render(language, "buttons.delete_no"),
                EraseChoice(confirmed=False).data(),
            ),
        ),
    )
    prompt = Outgoing(context.views.texts.render(language, "lifecycle.delete_confirm"), buttons)
    await reply(update, prompt)


async def on_delete(update: Update, context: AftercareContext) -> None:
    """Erase (or anonymise, per `privacy.on_delete`) after the patient confirmed."""
    pressed = await take_press(update, context, EraseChoice.parse, clear=True)
    patient = await _patient(update, context)
    if patient is None:
        return
    language = context.views.language_of(patient)
    if pressed is None or not pressed.confirmed:
        await answer_in(update, context, language, "lifecycle.delete_kept")
        return
    services = context.services
    assert update.effective_chat is not None
    forgotten = await services.patient_requests.erase(update.effective_chat.id)
    if forgotten is not None and forgotten.incident is not None:
        # Their report is still being followed up: they hear so, and staff, under its post.
        await announce_departure(context.bot, services, forgotten)
        return
    await answer_in(update, context, language, "lifecycle.deleted")
    if forgotten is not None:
        await notify_staff(context, "lifecycle.staff_deleted", code=forgotten.code)


async def forward_patient_message(update: Update, context: AftercareContext) -> bool:
    """A linked patient's words outside any flow: stored, passed to staff, and the patient is
    told who reads it and when. False if the sender is not a followed patient."""
    patient = await _patient(update, context)
    message = update.effective_message
    if patient is None or message is None or not message.text or patient.chat_id is None:
        return False
    services = context.services
    await services.patient_requests.keep_message(patient, message.text)
    post = context.views.texts.render(
        services.config.clinic.language,
        "lifecycle.staff_patient_message",
        code=patient.code,
        name=patient.display_name,
        text=message.text,
    )
    try:
        await answer_in(
            update, context, context.views.language_of(patient), "lifecycle.message_forwarded"
        )
    except TelegramError as error:
        # What she wrote is stored; a failed reply must not keep it from staff.
        logger.warning("patient %s: the reply failed: %s", patient.code, error)
    # A patient's own words open (or join) a routine incident: someone owns the answer.
    await escalate(context.bot, services, patient, IncidentUrgency.ROUTINE, post)
    return True


def lifecycle_handlers(words: StopStartWords) -> list[BaseHandler[Update, AftercareContext, None]]:
    """The patient's commands and their buttons; stop and start words before free text."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("stop", stop_command, filters=private),
        MessageHandler(private & filters.Regex(words.stop), stop_command),
        MessageHandler(private & filters.Regex(words.start), on_start_word),
        CommandHandler("language", language_command, filters=private),
        CommandHandler("timezone", timezone_command, filters=private),
        CommandHandler("mydata", mydata_command, filters=private),
        CommandHandler("delete", delete_command, filters=private),
        CallbackQueryHandler(on_language, pattern=pattern(LanguageChoice.FAMILY)),
        CallbackQueryHandler(on_time_zone_button, pattern=pattern(TimeZoneChoice.FAMILY)),
        CallbackQueryHandler(on_delete, pattern=pattern(EraseChoice.FAMILY)),
    ]
