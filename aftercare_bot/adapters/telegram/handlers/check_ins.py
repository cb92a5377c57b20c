"""Check-ins in Telegram: taps edited in place, a photo or a note, and the reply that fits."""

import logging
from typing import Any

from telegram import Bot, KeyboardButton, ReplyKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from aftercare_bot.adapters.telegram.handlers.answers import answer_in
from aftercare_bot.adapters.telegram.handlers.incidents import escalate
from aftercare_bot.adapters.telegram.handlers.pressed import presser, take_press
from aftercare_bot.adapters.telegram.messenger import Edit, edit, reply, send
from aftercare_bot.adapters.telegram.notices.incident_notices import TelegramStaffNotifier
from aftercare_bot.adapters.telegram.runtime.context import AftercareContext, Services
from aftercare_bot.adapters.telegram.views.callback_data import CheckInAnswer, pattern
from aftercare_bot.adapters.telegram.views.check_ins import (
    answers_summary,
    question,
    reason_text,
)
from aftercare_bot.adapters.telegram.views.languages import language_of
from aftercare_bot.domain.check_in_answers import Answers
from aftercare_bot.domain.check_in_steps import Step
from aftercare_bot.domain.incidents import IncidentUrgency
from aftercare_bot.domain.outgoing import Outgoing
from aftercare_bot.domain.triage import Urgency
from aftercare_bot.services import escalation
from aftercare_bot.services.check_in_flow import Progress
from aftercare_bot.texts import Html, Texts

logger = logging.getLogger(__name__)

BYTES_PER_MB = 1024 * 1024


def concern_keyboard(context: AftercareContext, language: str) -> ReplyKeyboardMarkup:
    """The always-present "I have a concern" button under the patient's text field."""
    label = context.services.texts.render(language, "buttons.concern")
    return ReplyKeyboardMarkup([[KeyboardButton(label)]], resize_keyboard=True, is_persistent=True)


def concern_labels(texts: Texts) -> set[str]:
    """The "I have a concern" button's label in every language (what the patient's tap types)."""
    return {texts.render(language, "buttons.concern") for language in texts.languages}


def _concern_labels(context: AftercareContext) -> set[str]:
    return concern_labels(context.services.texts)


async def checkin_command(update: Update, context: AftercareContext) -> None:
    """/checkin or "I have a concern": a check-in started by the patient."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None:
        return
    services = context.services
    started = await services.check_ins.start(chat.id)
    if started is None:
        await reply(
            update, context.views.texts.render(language_of(update, context), "lifecycle.not_linked")
        )
        return
    language = context.views.language_of(started.patient)
    ask = question(
        services.texts, language, started.check_in_id, Step.REDNESS, Answers(), _max_mb(context)
    )
    sent = await reply(update, ask)
    await services.check_ins.shown_in(started.check_in_id, sent.message_id)


async def on_concern_text(update: Update, context: AftercareContext) -> bool:
    """The "I have a concern" button sends its label as text; True if this was it."""
    message = update.effective_message
    if message is None or (message.text or "").strip() not in _concern_labels(context):
        return False
    await checkin_command(update, context)
    return True


async def on_press(update: Update, context: AftercareContext) -> None:
    """A check-in button: checked against the presser, applied, the question edited in place."""
    pressed = await take_press(update, context, CheckInAnswer.parse)
    if pressed is None:
        return
    services = context.services
    chat_id = presser(update).chat_id
    try:
        progress = await services.check_ins.tap(
            pressed.check_in_id, pressed.step, pressed.value, chat_id
        )
    except ValueError:
        return  # a value no button of ours carries: a forged press
    if progress is None:
        if services.first_stale_answer(update):
            await answer_in(update, context, language_of(update, context), "appointment.stale")
        return
    await show(update, context, progress)


async def show(update: Update, context: AftercareContext, progress: Progress) -> None:
    """Staff first when this tap made the check-in urgent; then the patient's urgent advice,
    and the next question edited in place, or the check-in closed with the reply that fits."""
    services = context.services
    language = context.views.language_of(progress.patient)
    assert progress.check_in.id is not None
    if progress.urgent_now or progress.urgent_more:
        await tell_staff(context.bot, services, progress)
    if progress.urgent_now:
        await _send_patient_reply(update, context, progress, language, _urgent_key(services))
    if progress.result is None:
        ask = question(
            services.texts,
            language,
            progress.check_in.id,
            progress.step,
            progress.answers,
            _max_mb(context),
        )
        await _edit_or_send(update, context, progress, ask.text, ask)
        return
    await _edit_or_send(
        update, context, progress, services.texts.render(language, "checkin_flow.closed"), None
    )
    await tell_staff(context.bot, services, progress)
    await _send_patient_reply(update, context, progress, language, _reply_key(context, progress))


async def _send_patient_reply(
    update: Update, context: AftercareContext, progress: Progress, language: str, key: str
) -> None:
    message = update.effective_message
    assert message is not None
    text = context.views.texts.render(language, key, name=progress.patient.display_name)
    try:
        await send(context.bot, message.chat_id, text, markup=concern_keyboard(context, language))
    except TelegramError as error:
        # The answers are recorded; a failed reply must not keep them from reaching staff.
        logger.warning("check-in %s: the patient reply failed: %s", progress.check_in.id, error)


def _urgent_key(services: Services) -> str:
    clinic = services.config.clinic
    local = services.clock.now().astimezone(clinic.timezone)
    return (
        "checkin_flow.reply_urgent_open"
        if clinic.hours.is_open(local)
        else "checkin_flow.reply_urgent_closed"
    )


def _reply_key(context: AftercareContext, progress: Progress) -> str:
    """The closing reply; after an urgent tap the advice was given already, so not twice."""
    assert progress.result is not None
    if progress.reported:
        return "checkin_flow.reply_added"
    return {
        Urgency.NOTHING: "checkin_flow.reply_nothing",
        Urgency.INFORMATION: "checkin_flow.reply_information",
        Urgency.ROUTINE: "checkin_flow.reply_routine",
    }.get(progress.result.urgency) or _urgent_key(context.services)


async def tell_staff(bot: Bot, services: Services, progress: Progress) -> None:
    """What staff must hear of this step of a check-in.

    The urgent tap opens (or joins) the patient's incident at once; later answers of the same
    check-in go under that incident (new urgent reasons, the completed answers, a correction,
    "left unfinished"), never opening a second one; a check-in that ends without an urgent tap
    reports as before when it is urgent or routine.
    """
    texts, language = services.texts, services.config.clinic.language
    result = progress.urgent_now or progress.urgent_more or progress.result
    if result is None:
        return
    params = {
        "code": progress.patient.code,
        "name": progress.patient.display_name,
        "day": progress.day,
        "answers": Html(answers_summary(texts, language, progress.answers)),
        "reasons": Html(
            "; ".join(reason_text(texts, language, reason) for reason in result.reasons)
        ),
        "when": services.views.when(
            language,
            progress.check_in.left_unfinished_at or services.clock.now(),
            services.config.clinic.timezone,
        ),
    }
    incident_id = progress.check_in.incident_id
    reopen = progress.urgent_more is not None and progress.acknowledged
    if (progress.reported or progress.urgent_more) and incident_id is not None and not reopen:
        key = _follow_up_key(progress)
        await escalation.follow_up(
            services.database,
            TelegramStaffNotifier(bot, services),
            incident_id,
            services.views.texts.render(language, key, **params),
        )
        return
    if result.urgency not in (Urgency.URGENT, Urgency.ROUTINE):
        return
    urgent = result.urgency == Urgency.URGENT
    key = "checkin_flow.staff_urgent" if urgent else "checkin_flow.staff_routine"
    if progress.urgent_now or reopen:  # a new urgent answer re-opens an acknowledged incident
        key = "checkin_flow.staff_urgent_at_tap"
    elif progress.left_unfinished:
        key = f"{key}_unfinished"
    await escalate(
        bot,
        services,
        progress.patient,
        IncidentUrgency.URGENT if urgent else IncidentUrgency.ROUTINE,
        services.views.texts.render(language, key, **params),
        check_in_id=progress.check_in.id,
    )


def _follow_up_key(progress: Progress) -> str:
    if progress.urgent_more:
        return "checkin_flow.staff_more"
    assert progress.result is not None
    lower = progress.result.urgency != Urgency.URGENT
    if progress.left_unfinished:
        return "checkin_flow.staff_left_unfinished"
    return "checkin_flow.staff_correction" if lower else "checkin_flow.staff_completed"


async def _edit_or_send(
    update: Update, context: AftercareContext, progress: Progress, text: str, ask: Any
) -> None:
    """Edit the check-in's own message in place (after a press, a photo or a note); send a
    new one only for a fresh check-in or when the old message cannot be edited."""
    shown = Outgoing(text, ask.buttons if ask is not None else ())
    message = update.effective_message
    assert message is not None
    target = progress.check_in.telegram_message_id
    query = update.callback_query
    if query is not None and query.message is not None:
        target = query.message.message_id
    if target is not None and not progress.restarted:
        edited = await edit(context.bot, message.chat_id, target, shown)
        if edited in (Edit.DONE, Edit.UNCHANGED):
            return
    sent = await send(context.bot, message.chat_id, shown)
    if progress.result is None and progress.check_in.id is not None:
        await context.services.check_ins.shown_in(progress.check_in.id, sent.message_id)


async def take_photo(update: Update, context: AftercareContext) -> bool:
    """A photo (or an image file) while a check-in asks for one; True if it was taken."""
    message = update.effective_message
    if message is None:
        return False
    file_id, size, is_image = _image(message)
    if file_id is None:
        return False
    services = context.services
    if not is_image or size > _max_mb(context) * BYTES_PER_MB:
        patient = await services.patient_requests.patient_in(message.chat_id)
        if patient is None:
            return False
        key = "checkin_flow.photo_not_image" if not is_image else "checkin_flow.photo_too_big"
        await answer_in(
            update, context, context.views.language_of(patient), key, max_mb=_max_mb(context)
        )
        return True
    progress = await services.check_ins.photo(message.chat_id, file_id)
    if progress is None:
        return False
    await show(update, context, progress)
    return True


async def take_note(update: Update, context: AftercareContext) -> bool:
    """Text while a check-in asks for a note; True if it was taken."""
    message = update.effective_message
    if message is None or not message.text:
        return False
    progress = await context.services.check_ins.note(message.chat_id, message.text)
    if progress is None:
        return False
    await show(update, context, progress)
    return True


def _image(message: Any) -> tuple[str | None, int, bool]:
    if message.photo:
        largest = message.photo[-1]
        return largest.file_id, largest.file_size or 0, True
    document = message.document
    if document is not None:
        is_image = (document.mime_type or "").startswith("image/")
        return document.file_id, document.file_size or 0, is_image
    return None, 0, False


def _max_mb(context: AftercareContext) -> int:
    return context.services.config.checkins.max_photo_mb


async def on_media(update: Update, context: AftercareContext) -> None:
    """Photos and files: taken by a check-in that asks for one, otherwise the usual answer."""
    if not await take_photo(update, context):
        await answer_in(update, context, language_of(update, context), "fallback.not_understood")


def check_in_handlers() -> list[BaseHandler[Update, AftercareContext, None]]:
    """/checkin, the check-in buttons, and photos or files sent for a check-in."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("checkin", checkin_command, filters=private),
        CallbackQueryHandler(on_press, pattern=pattern(CheckInAnswer.FAMILY)),
        MessageHandler(private & (filters.PHOTO | filters.Document.ALL), on_media),
    ]
