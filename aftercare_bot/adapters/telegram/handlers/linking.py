"""The patient's side of enrollment: `/start <token>`, the welcome, and the consent buttons."""

import logging

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from aftercare_bot.adapters.telegram.handlers.pressed import presser, take_press
from aftercare_bot.adapters.telegram.messenger import reply, set_buttons
from aftercare_bot.adapters.telegram.notices.staff_notices import notify_staff, tell_staff_member
from aftercare_bot.adapters.telegram.runtime.context import AftercareContext
from aftercare_bot.adapters.telegram.views.callback_data import Consent, pattern
from aftercare_bot.adapters.telegram.views.languages import language_of
from aftercare_bot.domain.enrollment_links import LinkProblem, is_token_shaped
from aftercare_bot.domain.patients import Patient
from aftercare_bot.services.linking import (
    ConsentGiven,
    Opening,
)

logger = logging.getLogger(__name__)

_PROBLEM_TEXTS = {
    LinkProblem.UNKNOWN: "link.unknown",
    LinkProblem.EXPIRED: "link.expired",
    LinkProblem.USED: "link.used",
    LinkProblem.OPENED_ELSEWHERE: "link.used",
    LinkProblem.ALREADY_YOURS: "link.already_yours",
}


def _patient_language(patient: Patient, update: Update, context: AftercareContext) -> str:
    return context.services.texts.language_for(
        patient.language, fallback=language_of(update, context)
    )


async def start_with_token(update: Update, context: AftercareContext) -> None:
    """Open a deep link: ask a patient for consent, or welcome a new staff member."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    services, views = context.services, context.views
    payload = context.args[0] if context.args else ""
    language = language_of(update, context)
    if not is_token_shaped(payload):
        await reply(update, views.texts.render(language, "link.unknown"))
        return
    opened = await services.patient_links.open(payload, message.chat_id, user.first_name)
    if opened.outcome == Opening.STAFF_JOINED:
        await reply(update, views.texts.render(language, "staff.joined", name=user.first_name))
    elif opened.outcome == Opening.CHAT_TAKEN:
        await reply(update, views.texts.render(language, "link.chat_taken"))
    elif opened.outcome == Opening.PROBLEM:
        assert opened.problem is not None
        await reply(update, views.texts.render(language, _PROBLEM_TEXTS[opened.problem]))
    else:
        assert opened.patient is not None and opened.link_id is not None
        await _ask_consent(update, context, opened.patient, opened.link_id)


async def _ask_consent(
    update: Update, context: AftercareContext, patient: Patient, link_id: int
) -> None:
    language = _patient_language(patient, update, context)
    views, texts = context.views, context.services.texts
    buttons = (
        (
            (
                texts.render(language, "buttons.agree"),
                Consent(link_id, agreed=True).data(),
            ),
            (
                texts.render(language, "buttons.decline"),
                Consent(link_id, agreed=False).data(),
            ),
        ),
    )
    welcome = views.outgoing(
        language,
        "consent.welcome",
        buttons,
        name=patient.display_name,
        practitioner=patient.practitioner,
    )
    await reply(update, welcome)


async def on_consent(update: Update, context: AftercareContext) -> None:
    """Accept or decline the follow-up; only the chat that opened the link may answer."""
    pressed = await take_press(update, context, Consent.parse)
    if pressed is None:
        return
    chat_id = presser(update).chat_id
    links = context.services.patient_links
    if pressed.agreed:
        outcome: object = await links.accept(pressed.link_id, chat_id, language_of(update, context))
    else:
        outcome = await links.decline(pressed.link_id, chat_id)
    await set_buttons(update, None)
    await _answer_consent(update, context, outcome)


async def _answer_consent(update: Update, context: AftercareContext, outcome: object) -> None:
    views = context.views
    message = update.effective_message
    assert message is not None
    if isinstance(outcome, LinkProblem):
        await reply(
            update, views.texts.render(language_of(update, context), _PROBLEM_TEXTS[outcome])
        )
        return
    if isinstance(outcome, ConsentGiven):
        patient = outcome.patient
        language = views.language_of(patient)
        await reply(
            update, views.texts.render(language, "consent.accepted", name=patient.display_name)
        )
        if outcome.moved_from_chat is not None:
            await notify_staff(
                context, "consent.staff_moved", code=patient.code, name=patient.display_name
            )
        elif patient.enrolled_by is not None:
            await tell_staff_member(
                context.bot,
                context.services,
                patient.enrolled_by,
                "consent.staff_linked",
                code=patient.code,
                name=patient.display_name,
            )
        return
    assert isinstance(outcome, Patient)
    language = views.language_of(outcome)
    await reply(update, views.texts.render(language, "consent.declined"))
    await notify_staff(
        context, "consent.staff_declined", code=outcome.code, name=outcome.display_name
    )


def linking_handlers() -> list[BaseHandler[Update, AftercareContext, None]]:
    """Deep-link /start (before plain /start) and the consent buttons."""
    return [
        CommandHandler("start", start_with_token, filters=filters.ChatType.PRIVATE, has_args=True),
        CallbackQueryHandler(on_consent, pattern=pattern(Consent.FAMILY)),
    ]
