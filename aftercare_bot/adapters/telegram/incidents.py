"""Incident posts in the staff group: Acknowledge and Resolved, and the patient told who saw it."""

import contextlib
import logging

from telegram import Bot, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler

from aftercare_bot.adapters.telegram import callback_data
from aftercare_bot.adapters.telegram.access import require_staff
from aftercare_bot.adapters.telegram.context import AftercareContext, Services
from aftercare_bot.adapters.telegram.languages import language_of
from aftercare_bot.adapters.telegram.messenger import keyboard
from aftercare_bot.domain.incidents import Incident, IncidentState, IncidentUrgency
from aftercare_bot.domain.outgoing import Outgoing
from aftercare_bot.domain.patients import Patient
from aftercare_bot.services.escalation import acknowledge, record_post, report, resolve
from aftercare_bot.services.staff import staff_group

INCIDENT = "inc"

logger = logging.getLogger(__name__)


def _buttons(services: Services, incident: Incident) -> InlineKeyboardMarkup | None:
    texts, language = services.texts, services.config.clinic.language
    assert incident.id is not None
    row: list[tuple[str, str]] = []
    if incident.state == IncidentState.OPEN:
        row.append(
            (
                texts.render(language, "buttons.acknowledge"),
                callback_data.pack(INCIDENT, incident.id, "ack"),
            )
        )
    if incident.state != IncidentState.RESOLVED:
        row.append(
            (
                texts.render(language, "buttons.resolved"),
                callback_data.pack(INCIDENT, incident.id, "res"),
            )
        )
    return keyboard(Outgoing("", (tuple(row),))) if row else None


async def escalate(
    bot: Bot, services: Services, patient: Patient, urgency: IncidentUrgency, text: str
) -> None:
    """Store the incident, then post it where staff see it (the group, else each admin)."""
    async with services.database.unit_of_work() as uow:
        reported = await report(uow, patient, urgency, services.clock.now())
        group = await staff_group(uow, services.config.staff.escalation_chat_id)
    if not reported.page:
        return
    incident = reported.incident
    assert incident.id is not None
    recipients = [group] if group is not None else list(services.config.staff.admin_ids)
    for chat_id in recipients:
        try:
            sent = await bot.send_message(
                chat_id, text, parse_mode=ParseMode.HTML, reply_markup=_buttons(services, incident)
            )
        except TelegramError as error:
            logger.error(
                "incident %s could not be posted to chat %s: %s", incident.id, chat_id, error
            )
            continue
        if chat_id == group:
            async with services.database.unit_of_work() as uow:
                await record_post(uow, incident.id, chat_id, sent.message_id)


async def on_incident_button(update: Update, context: AftercareContext) -> None:
    """Acknowledge or Resolved, by staff only; the post shows who and when."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    parsed = callback_data.unpack(query.data)
    if parsed is None or len(parsed.args) != 2 or not parsed.args[0].isdigit():
        return
    if not await require_staff(update, context):
        return
    services = context.services
    now = services.clock.now()
    staff = query.from_user
    incident_id = int(parsed.args[0])
    async with services.database.unit_of_work() as uow:
        if parsed.args[1] == "ack":
            acknowledged = await acknowledge(uow, incident_id, staff.id, staff.first_name, now)
            incident = acknowledged[0] if acknowledged else None
        else:
            incident = await resolve(uow, incident_id, staff.id, now)
            acknowledged = None
    if incident is None:
        assert update.effective_message is not None
        await update.effective_message.reply_html(
            context.views.render(language_of(update, context), "incident.already")
        )
        return
    await _mark_post(update, context, incident, staff.first_name)
    if acknowledged is not None and acknowledged[1] is not None:
        await _tell_patient(context, acknowledged[1], staff.first_name)


async def _mark_post(
    update: Update, context: AftercareContext, incident: Incident, name: str
) -> None:
    query = update.callback_query
    if query is None or query.message is None:
        return
    services = context.services
    language = services.config.clinic.language
    when = context.views.when(language, services.clock.now(), services.config.clinic.timezone)
    key = (
        "incident.resolved_line"
        if incident.state == IncidentState.RESOLVED
        else "incident.acknowledged_line"
    )
    line = context.views.render(language, key, name=name, when=when)
    original = getattr(query.message, "text_html", None) or ""
    with contextlib.suppress(TelegramError):
        await query.edit_message_text(
            f"{original}\n{line}",
            parse_mode=ParseMode.HTML,
            reply_markup=_buttons(services, incident),
        )


async def _tell_patient(context: AftercareContext, patient: Patient, staff_name: str) -> None:
    if patient.chat_id is None:
        return
    text = context.views.render(
        context.views.language_of(patient), "incident.patient_seen", staff=staff_name
    )
    try:
        await context.bot.send_message(patient.chat_id, text, parse_mode=ParseMode.HTML)
    except TelegramError as error:
        logger.warning(
            "patient %s could not be told of the acknowledgement: %s", patient.code, error
        )


def incident_handlers() -> list[BaseHandler[Update, AftercareContext, None]]:
    """The buttons under incident posts."""
    return [CallbackQueryHandler(on_incident_button, pattern=callback_data.pattern(INCIDENT))]
