"""Incident posts in the staff group: Acknowledge and Resolved, and the patient told who saw it."""

import contextlib
import logging

from telegram import Bot, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from aftercare_bot.adapters.telegram import callback_data
from aftercare_bot.adapters.telegram.access import require_staff
from aftercare_bot.adapters.telegram.context import AftercareContext, Services
from aftercare_bot.adapters.telegram.languages import language_of
from aftercare_bot.adapters.telegram.messenger import keyboard
from aftercare_bot.adapters.telegram.presses import answer_press
from aftercare_bot.adapters.telegram.relay import ask_for_message
from aftercare_bot.domain.incidents import Incident, IncidentState, IncidentUrgency
from aftercare_bot.domain.outbox import (
    INCIDENT_ACK_REMINDER,
    INCIDENT_PAGE,
    INCIDENT_POST,
    INCIDENT_SAFETY_NET,
    INCIDENT_TASK,
    ScheduledMessage,
)
from aftercare_bot.domain.outgoing import Outgoing
from aftercare_bot.domain.pages import paginate
from aftercare_bot.domain.patients import Patient
from aftercare_bot.services.escalation import (
    ADMIN_ROUND,
    PagingRules,
    acknowledge,
    arm_ack_reminder,
    arm_pages,
    disarm,
    record_post,
    report,
    resolve,
)
from aftercare_bot.services.staff import staff_group
from aftercare_bot.texts import Html

INCIDENT = "inc"

logger = logging.getLogger(__name__)


def paging_rules(services: Services) -> PagingRules:
    """The clinic's escalation timings."""
    escalation = services.config.escalation
    return PagingRules(
        escalation.reescalate_after,
        escalation.max_rounds,
        escalation.ack_timeout,
        escalation.patient_safety_net_after,
    )


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
        row.append(
            (
                texts.render(language, "buttons.message_patient"),
                callback_data.pack(INCIDENT, incident.id, "msg"),
            )
        )
    return keyboard(Outgoing("", (tuple(row),))) if row else None


async def escalate(
    bot: Bot,
    services: Services,
    patient: Patient,
    urgency: IncidentUrgency,
    text: str,
    *,
    from_patient: bool = True,
    task_id: int | None = None,
) -> None:
    """Store the incident (with its post and a safety timer), arm its pages, then post it;
    a report that joins a posted incident appears in its thread instead."""
    async with services.database.unit_of_work() as uow:
        reported = await report(
            uow,
            patient,
            urgency,
            services.clock.now(),
            text,
            from_patient=from_patient,
            task_id=task_id,
        )
    incident = reported.incident
    if not reported.page:
        await _add_to_thread(bot, services, incident, text)
        return
    assert incident.id is not None
    if incident.urgency == IncidentUrgency.URGENT:
        async with services.database.unit_of_work() as uow:
            await arm_pages(uow, incident, paging_rules(services), services.clock.now())
        services.heartbeat.wake()
    await post_incident(bot, services, incident.id)


async def _add_to_thread(bot: Bot, services: Services, incident: Incident, text: str) -> None:
    """A report that joins a posted incident appears under its post (e.g. a patient's reply)."""
    if incident.post_chat_id is None or incident.post_message_id is None:
        return
    try:
        await bot.send_message(
            incident.post_chat_id,
            text,
            parse_mode=ParseMode.HTML,
            reply_to_message_id=incident.post_message_id,
        )
    except TelegramError as error:
        logger.error("incident %s thread reply failed: %s", incident.id, error)


async def post_incident(bot: Bot, services: Services, incident_id: int) -> None:
    """Post a stored incident to the staff group, or each admin when there is none or it is
    gone; an incident is never dropped. Recording the post stands its safety timer down."""
    async with services.database.unit_of_work() as uow:
        incident = await uow.incidents.by_id(incident_id)
        group = await staff_group(uow, services.config.staff.escalation_chat_id)
    if incident is None or incident.state == IncidentState.RESOLVED or not incident.post_text:
        return
    admins = list(services.config.staff.admin_ids)
    recipients = [group] if group is not None else admins
    posted_in_group: int | None = None
    posted_anywhere = False
    for chat_id in recipients:
        try:
            sent = await bot.send_message(
                chat_id,
                incident.post_text,
                parse_mode=ParseMode.HTML,
                reply_markup=_buttons(services, incident),
            )
        except TelegramError as error:
            logger.error(
                "incident %s could not be posted to chat %s: %s", incident_id, chat_id, error
            )
            if chat_id == group:
                recipients.extend(admins)  # the staff group is gone: never drop an incident
            continue
        posted_anywhere = True
        if chat_id == group:
            posted_in_group = sent.message_id
    if not posted_anywhere:
        # No staff member can be reached: the patient gets the safety net at once.
        logger.error("incident %s reached no staff member", incident_id)
        async with services.database.unit_of_work() as uow:
            patient = await uow.patients.by_id(incident.patient_id)
        if patient is not None and incident.urgency == IncidentUrgency.URGENT:
            await IncidentPager(bot, services).safety_net(patient)
        return
    async with services.database.unit_of_work() as uow:
        await record_post(uow, incident_id, group if posted_in_group else None, posted_in_group)


async def on_incident_button(update: Update, context: AftercareContext) -> None:
    """Acknowledge or Resolved, by staff only; the post shows who and when."""
    query = update.callback_query
    assert query is not None
    await answer_press(query, context.services.early_answers)
    parsed = callback_data.unpack(query.data)
    if parsed is None or len(parsed.args) != 2 or not parsed.args[0].isdigit():
        return
    if not await require_staff(update, context):
        return
    services = context.services
    now = services.clock.now()
    staff = query.from_user
    incident_id = int(parsed.args[0])
    if parsed.args[1] == "msg":
        await ask_for_message(update, context, incident_id)
        return
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
    async with services.database.unit_of_work() as uow:
        if incident.state == IncidentState.ACKNOWLEDGED:
            await arm_ack_reminder(uow, incident, paging_rules(services), now)
        else:
            await disarm(uow, incident)
    await _mark_post(update, context, incident, staff.first_name)
    if acknowledged is not None and acknowledged[1] is not None and incident.patient_reported:
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


ONCALL_SETTING = "oncall_id"


async def incidents_command(update: Update, context: AftercareContext) -> None:
    """Staff: open incidents, urgent first, oldest first."""
    if not await require_staff(update, context):
        return
    services, views = context.services, context.views
    language = language_of(update, context)
    async with services.database.unit_of_work() as uow:
        open_ones = list(await uow.incidents.open_incidents())
        patients = {i.id: await uow.patients.by_id(i.patient_id) for i in open_ones}
    lines = (
        [views.render(language, "incident.list_title", count=len(open_ones))]
        if open_ones
        else [views.render(language, "incident.list_none")]
    )
    zone = services.config.clinic.timezone
    for incident in open_ones:
        patient = patients.get(incident.id)
        owner = (
            services.texts.render(
                language, "incident.list_owner", name=incident.acknowledged_by_name
            )
            if incident.acknowledged_by_name
            else ""
        )
        lines.append(
            services.texts.render(
                language,
                "incident.list_item",
                id=incident.id,
                urgency=services.texts.render(
                    language, f"incident.urgency_{incident.urgency.value}"
                ),
                code=patient.code if patient else "",
                name=patient.display_name if patient else "",
                opened=views.when(language, incident.opened_at, zone),
                owner=owner,
            )
        )
    assert update.effective_message is not None
    for page in paginate(lines):
        await update.effective_message.reply_html("\n".join(page))


async def oncall_command(update: Update, context: AftercareContext) -> None:
    """Staff: "I am on call now": unacknowledged urgent reports also come to me privately."""
    if not await require_staff(update, context):
        return
    services = context.services
    user = update.effective_user
    assert user is not None and update.effective_message is not None
    async with services.database.unit_of_work() as uow:
        await uow.settings.put(ONCALL_SETTING, str(user.id), services.clock.now())
        await uow.commit()
    await update.effective_message.reply_html(
        context.views.render(language_of(update, context), "incident.oncall_set")
    )


async def _incident(services: Services, incident_id: int) -> Incident | None:
    async with services.database.unit_of_work() as uow:
        return await uow.incidents.by_id(incident_id)


class IncidentPager:
    """Acts on escalation timers: re-page rounds, the admins' round, the safety net, the
    acknowledgement reminder. Each checks the incident first: an acknowledged one is not paged."""

    def __init__(self, bot: Bot, services: Services) -> None:
        self._bot = bot
        self._services = services

    async def __call__(self, timer: ScheduledMessage) -> None:
        """Act on one due timer."""
        services = self._services
        subject, _, round_text = (timer.step_key or "").partition(":")
        async with services.database.unit_of_work() as uow:
            patient = await uow.patients.by_id(timer.patient_id)
            group = await staff_group(uow, services.config.staff.escalation_chat_id)
            oncall = await uow.settings.get(ONCALL_SETTING)
        if patient is None or not subject.isdigit():
            return
        if timer.kind == INCIDENT_TASK:
            await self._bring_task(int(subject), patient)
            return
        incident = await _incident(services, int(subject))
        if incident is None:
            return
        if timer.kind == INCIDENT_POST and incident.post_message_id is None:
            await post_incident(self._bot, services, incident.id or 0)
        elif timer.kind == INCIDENT_PAGE and incident.state == IncidentState.OPEN:
            await self._page(incident, patient, int(round_text or 0), group, oncall)
        elif timer.kind == INCIDENT_SAFETY_NET and incident.state == IncidentState.OPEN:
            await self._safety_net(patient)
        elif (
            timer.kind == INCIDENT_ACK_REMINDER
            and incident.state == IncidentState.ACKNOWLEDGED
            and incident.acknowledged_by is not None
        ):
            await self._send(incident.acknowledged_by, "incident.ack_reminder", patient, None)

    async def _bring_task(self, task_id: int, patient: Patient) -> None:
        """A new staff task opens (or joins) the patient's routine incident."""
        services = self._services
        async with services.database.unit_of_work() as uow:
            task = await uow.tasks.by_id(task_id)
        if task is None or task.done_at is not None:
            return
        language = services.config.clinic.language
        detail = (
            services.texts.render(language, "tasks.detail", note=task.detail) if task.detail else ""
        )
        text = services.views.render(
            language,
            f"incident.task_{task.kind.value}",
            code=patient.code,
            name=patient.display_name,
            task=task.id,
            detail=Html(detail),  # already rendered, with the note escaped
        )
        await escalate(
            self._bot,
            services,
            patient,
            IncidentUrgency.ROUTINE,
            text,
            from_patient=task.reported_by_patient,
            task_id=task.id,
        )

    async def _page(
        self,
        incident: Incident,
        patient: Patient,
        number: int,
        group: int | None,
        oncall: str | None,
    ) -> None:
        staff = self._services.config.staff
        if number == ADMIN_ROUND:
            for admin in staff.admin_ids:
                await self._send(admin, "incident.page_admins", patient, incident)
            return
        on_call = list(staff.oncall_ids) or ([int(oncall)] if oncall else list(staff.admin_ids))
        for chat_id in ([group] if group is not None else []) + on_call:
            await self._send(chat_id, "incident.repage", patient, incident, round=number)

    async def safety_net(self, patient: Patient) -> None:
        """Tell the patient what to do while nobody has answered."""
        await self._safety_net(patient)

    async def _safety_net(self, patient: Patient) -> None:
        if patient.chat_id is None:
            return
        clinic = self._services.config.clinic
        is_open = clinic.hours.is_open(self._services.clock.now().astimezone(clinic.timezone))
        key = "incident.safety_net_open" if is_open else "incident.safety_net_closed"
        text = self._services.views.render(
            self._services.views.language_of(patient), key, name=patient.display_name
        )
        await self._bot.send_message(patient.chat_id, text, parse_mode=ParseMode.HTML)

    async def _send(
        self, chat_id: int, key: str, patient: Patient, incident: Incident | None, **params: object
    ) -> None:
        services = self._services
        text = services.views.render(
            services.config.clinic.language,
            key,
            code=patient.code,
            name=patient.display_name,
            **params,
        )
        markup = _buttons(services, incident) if incident is not None else None
        try:
            await self._bot.send_message(
                chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup
            )
        except TelegramError as error:
            logger.error("page to chat %s failed: %s", chat_id, error)


def incident_handlers() -> list[BaseHandler[Update, AftercareContext, None]]:
    """The buttons under incident posts, and /oncall."""
    return [
        CallbackQueryHandler(on_incident_button, pattern=callback_data.pattern(INCIDENT)),
        CommandHandler("oncall", oncall_command),
        CommandHandler("incidents", incidents_command),
    ]
