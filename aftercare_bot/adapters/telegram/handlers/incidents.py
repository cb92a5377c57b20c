"""Incident buttons, /incidents and /oncall: parse the press, call one use case, render.

Who is paged, who wins a press and what every copy shows are decided in
`services.escalation`; this module only turns presses into calls and results into messages.
"""

import logging

from telegram import Bot, ForceReply, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from aftercare_bot.adapters.live_config import paging_rules as rules_of
from aftercare_bot.adapters.telegram.handlers.access import require_staff
from aftercare_bot.adapters.telegram.handlers.pressed import take_press
from aftercare_bot.adapters.telegram.handlers.relay import ask_for_message
from aftercare_bot.adapters.telegram.messenger import reply, set_buttons
from aftercare_bot.adapters.telegram.notices.incident_notices import (
    TelegramPatientMessenger,
    TelegramStaffNotifier,
)
from aftercare_bot.adapters.telegram.runtime.context import AftercareContext, Services
from aftercare_bot.adapters.telegram.views.callback_data import IncidentAction, pattern
from aftercare_bot.adapters.telegram.views.incidents import (
    already_text,
    buttons,
    card,
    outcome_buttons,
    outcome_label,
)
from aftercare_bot.adapters.telegram.views.languages import language_of
from aftercare_bot.domain.incidents import (
    CARD_COPY,
    NOTE_PROMPT,
    Incident,
    IncidentCopy,
    IncidentOutcome,
    IncidentUrgency,
)
from aftercare_bot.domain.outgoing import Outgoing
from aftercare_bot.domain.patients import Patient
from aftercare_bot.services.escalation import (
    AlreadyHandled,
    PagingRules,
    Reported,
    StaffRoster,
)
from aftercare_bot.services.staff_incidents import StaffIncidents

logger = logging.getLogger(__name__)

NOTE_GROUP = 2  # staff replies to a note prompt: beside the relay's reply handler
MAX_CARDS = 20  # /incidents shows this many cards; the rest are counted


def paging_rules(services: Services) -> PagingRules:
    """The clinic's escalation timings."""
    return rules_of(services.config)


def roster(services: Services) -> StaffRoster:
    """Who may be paged, from the config."""
    staff = services.config.staff
    return StaffRoster(staff.escalation_chat_id, tuple(staff.admin_ids), tuple(staff.oncall_ids))


def staff_notifier(context: AftercareContext) -> TelegramStaffNotifier:
    """The staff side of escalation's ports, from a handler."""
    return TelegramStaffNotifier(context.bot, context.services)


def staff_incidents(bot: Bot, services: Services) -> StaffIncidents:
    """The incident use cases, reaching staff and patients through this bot."""
    return StaffIncidents(
        services.database,
        services.clock,
        services.wake_after_answer,
        paging_rules(services),
        TelegramStaffNotifier(bot, services),
        TelegramPatientMessenger(bot, services),
    )


async def escalate(
    bot: Bot,
    services: Services,
    patient: Patient,
    urgency: IncidentUrgency,
    text: str,
    *,
    from_patient: bool = True,
    task_id: int | None = None,
    check_in_id: int | None = None,
) -> Reported | None:
    """Report to staff from a handler or a timer (see `services.escalation.escalate`)."""
    assert patient.id is not None
    return await staff_incidents(bot, services).report(
        patient.id,
        urgency,
        text,
        from_patient=from_patient,
        task_id=task_id,
        check_in_id=check_in_id,
    )


async def on_incident_button(update: Update, context: AftercareContext) -> None:
    """Acknowledge, Resolved (then the outcome), Back or Message patient, by staff only."""
    pressed = await take_press(update, context, IncidentAction.parse, staff=True)
    if pressed is None:
        return
    incident_id, action = pressed.incident_id, pressed.action
    if action == IncidentAction.MESSAGE:
        await ask_for_message(update, context, incident_id)
    elif action == IncidentAction.ACKNOWLEDGE:
        await _acknowledge(update, context, incident_id)
    elif action == IncidentAction.RESOLVE and pressed.outcome is None:
        await _ask_outcome(update, context, incident_id)
    elif action == IncidentAction.RESOLVE and pressed.outcome is not None:
        await _resolve(update, context, incident_id, pressed.outcome)
    elif action == IncidentAction.BACK:
        await _show_card_buttons(update, context, incident_id)


async def _acknowledge(update: Update, context: AftercareContext, incident_id: int) -> None:
    staff = update.callback_query.from_user if update.callback_query else None
    assert staff is not None
    result = await staff_incidents(context.bot, context.services).acknowledge(
        incident_id, staff.id, staff.first_name
    )
    if isinstance(result, AlreadyHandled):
        await _already(update, context, result)
    elif result is not None:
        await _show_on_pressed(update, context, result.incident, untracked_only=True)


async def _ask_outcome(update: Update, context: AftercareContext, incident_id: int) -> None:
    """Resolved asks what was done, on the pressed message itself."""
    query = update.callback_query
    assert query is not None and query.message is not None
    incident = await staff_incidents(context.bot, context.services).incident(incident_id)
    if incident is None:
        return
    if not incident.is_open:
        await _already(update, context, AlreadyHandled(incident))
        return
    await set_buttons(
        update,
        Outgoing("", outcome_buttons(context.views, incident_id, language_of(update, context))),
    )


async def _show_card_buttons(update: Update, context: AftercareContext, incident_id: int) -> None:
    query = update.callback_query
    assert query is not None
    incident = await staff_incidents(context.bot, context.services).incident(incident_id)
    if incident is None:
        return
    language = language_of(update, context)
    await set_buttons(update, Outgoing("", buttons(context.views, incident, language=language)))


async def _resolve(
    update: Update, context: AftercareContext, incident_id: int, outcome: IncidentOutcome
) -> None:
    query = update.callback_query
    assert query is not None and update.effective_message is not None
    incidents = staff_incidents(context.bot, context.services)
    result = await incidents.resolve(
        incident_id, query.from_user.id, query.from_user.first_name, outcome
    )
    if isinstance(result, AlreadyHandled):
        await _already(update, context, result)
        return
    if result is not None:
        await _show_on_pressed(update, context, result.incident, untracked_only=True)
    if result is None or result.incident.patient_left_at is not None:
        return  # nothing to resolve, or the patient who left is erased now: nothing to note
    language = language_of(update, context)
    prompt = await reply(
        update,
        context.views.texts.render(
            language,
            "incident.note_prompt",
            outcome=outcome_label(context.views, language, outcome.value),
        ),
        markup=ForceReply(selective=True),
    )
    await staff_notifier(context).remember(incident_id, prompt, NOTE_PROMPT)


async def _already(update: Update, context: AftercareContext, result: AlreadyHandled) -> None:
    """Someone else got there first: say who and when, and bring the pressed copy up to date."""
    query = update.callback_query
    assert query is not None and update.effective_message is not None
    language = language_of(update, context)
    await reply(update, already_text(context.views, language, result.incident))
    await _show_on_pressed(update, context, result.incident)


async def _show_on_pressed(
    update: Update, context: AftercareContext, incident: Incident, *, untracked_only: bool = False
) -> None:
    """Bring the pressed message up to date: an old /incidents card, or a copy that missed an
    edit. `untracked_only` when every tracked copy was just refreshed."""
    query = update.callback_query
    if query is None or query.message is None or incident.id is None:
        return
    chat_id, message_id = query.message.chat.id, query.message.message_id
    incidents = staff_incidents(context.bot, context.services)
    if untracked_only and await incidents.copy_at(chat_id, message_id) is not None:
        return
    now = context.services.clock.now()
    pressed = IncidentCopy(incident.id, chat_id, message_id, CARD_COPY, now)
    language = language_of(update, context)
    await staff_notifier(context).show(pressed, card(context.views, incident, language=language))


async def on_note_reply(update: Update, context: AftercareContext) -> None:
    """A staff reply to "add a note" after resolving: kept with the outcome."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or not message.text or message.reply_to_message is None:
        return
    incidents = staff_incidents(context.bot, context.services)
    incident_id = await incidents.note_prompt_at(
        message.chat_id, message.reply_to_message.message_id
    )
    if incident_id is None or not await require_staff(update, context):
        return
    noted = await incidents.add_note(incident_id, user.id, message.text)
    key = "incident.note_added" if noted is not None else "incident.note_not_added"
    await reply(update, context.views.texts.render(language_of(update, context), key))


async def replies_to_staff_prompt(update: Update, context: AftercareContext) -> bool:
    """Whether this text replies to one of the bot's staff prompts (a relay draft's, or a
    resolved incident's note prompt): their own handlers take it, so the private-chat
    fallbacks must not answer it as a stray message."""
    message = update.effective_message
    if message is None or message.reply_to_message is None:
        return False
    return await staff_incidents(context.bot, context.services).is_staff_prompt(
        message.chat_id, message.reply_to_message.message_id
    )


async def incidents_command(update: Update, context: AftercareContext) -> None:
    """Staff: open incidents, urgent first, oldest first, each a card with its buttons."""
    if not await require_staff(update, context):
        return
    services, views = context.services, context.views
    language = language_of(update, context)
    assert update.effective_message is not None and update.effective_chat is not None
    open_ones = list(await staff_incidents(context.bot, services).open_incidents())
    if not open_ones:
        await reply(update, views.texts.render(language, "incident.list_none"))
        return
    await reply(update, views.texts.render(language, "incident.list_title", count=len(open_ones)))
    notifier = staff_notifier(context)
    for incident in open_ones[:MAX_CARDS]:
        await notifier.send_card(update.effective_chat.id, incident)
    if len(open_ones) > MAX_CARDS:
        await reply(
            update,
            views.texts.render(language, "incident.list_more", count=len(open_ones) - MAX_CARDS),
        )


async def oncall_command(update: Update, context: AftercareContext) -> None:
    """Staff: "I am on call now": unacknowledged urgent reports also come to me privately."""
    if not await require_staff(update, context):
        return
    user = update.effective_user
    assert user is not None and update.effective_message is not None
    await staff_incidents(context.bot, context.services).go_on_call(user.id)
    await reply(
        update, context.views.texts.render(language_of(update, context), "incident.oncall_set")
    )


def incident_handlers() -> list[BaseHandler[Update, AftercareContext, None]]:
    """The buttons under incident cards, /incidents and /oncall."""
    return [
        CallbackQueryHandler(on_incident_button, pattern=pattern(IncidentAction.FAMILY)),
        CommandHandler("oncall", oncall_command),
        CommandHandler("incidents", incidents_command),
    ]


def note_reply_handlers() -> list[BaseHandler[Update, AftercareContext, None]]:
    """Staff replies to a resolved incident's note prompt (in their own group: NOTE_GROUP)."""
    return [MessageHandler(filters.REPLY & filters.TEXT & ~filters.COMMAND, on_note_reply)]
