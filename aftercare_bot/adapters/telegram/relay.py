"""Staff answer a patient through the bot: Message patient → write → confirm → sent, signed.

Nothing said in the staff group reaches a patient without the explicit "Send" confirmation.
The pending draft lives in the database (bot settings), not in process memory.
"""

import json

from telegram import ForceReply, Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from aftercare_bot.adapters.telegram import callback_data
from aftercare_bot.adapters.telegram.access import require_staff
from aftercare_bot.adapters.telegram.context import AftercareContext
from aftercare_bot.adapters.telegram.messenger import keyboard
from aftercare_bot.adapters.telegram.presses import answer_press
from aftercare_bot.domain.audit import AuditEvent
from aftercare_bot.domain.outgoing import Outgoing

RELAY = "relay"
RELAY_GROUP = 1  # handlers run after, and independently of, the main group
MAX_RELAY = 3000


def _key(staff_id: int) -> str:
    return f"relay:{staff_id}"


async def ask_for_message(update: Update, context: AftercareContext, incident_id: int) -> None:
    """After "Message patient": ask for the text as a reply (so the bot sees it in a group)."""
    services = context.services
    query = update.callback_query
    assert query is not None and update.effective_message is not None
    async with services.database.unit_of_work() as uow:
        incident = await uow.incidents.by_id(incident_id)
        patient = await uow.patients.by_id(incident.patient_id) if incident else None
        if patient is None:
            return
        await uow.settings.put(
            _key(query.from_user.id), json.dumps({"incident": incident_id}), services.clock.now()
        )
        await uow.commit()
    text = context.views.render(
        services.config.clinic.language, "incident.relay_prompt", name=patient.display_name
    )
    await update.effective_message.reply_html(text, reply_markup=ForceReply(selective=True))


async def on_staff_reply(update: Update, context: AftercareContext) -> None:
    """A staff member's text after "Message patient": shown back with Send / Cancel."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or not message.text:
        return
    services = context.services
    async with services.database.unit_of_work() as uow:
        pending = await uow.settings.get(_key(user.id))
        draft = json.loads(pending) if pending else None
        if draft is None or "text" in draft:
            return
        incident = await uow.incidents.by_id(int(draft["incident"]))
        patient = await uow.patients.by_id(incident.patient_id) if incident else None
        if patient is None:
            return
        draft["text"] = message.text[:MAX_RELAY]
        await uow.settings.put(_key(user.id), json.dumps(draft), services.clock.now())
        await uow.commit()
    language = services.config.clinic.language
    texts = services.texts
    confirm = Outgoing(
        context.views.render(
            language,
            "incident.relay_confirm",
            code=patient.code,
            name=patient.display_name,
            text=draft["text"],
        ),
        (
            (
                (
                    texts.render(language, "buttons.send_to_patient"),
                    callback_data.pack(RELAY, "send"),
                ),
                (texts.render(language, "buttons.cancel"), callback_data.pack(RELAY, "cancel")),
            ),
        ),
    )
    await message.reply_html(confirm.text, reply_markup=keyboard(confirm))


async def on_confirm(update: Update, context: AftercareContext) -> None:
    """Send (or drop) the draft; only its author can confirm it."""
    query = update.callback_query
    assert query is not None
    await answer_press(query, context.services.early_answers)
    if not await require_staff(update, context):
        return
    parsed = callback_data.unpack(query.data)
    services = context.services
    staff = query.from_user
    async with services.database.unit_of_work() as uow:
        pending = await uow.settings.get(_key(staff.id))
        draft = json.loads(pending) if pending else None
        await uow.settings.put(_key(staff.id), json.dumps({}), services.clock.now())
        incident = (
            await uow.incidents.by_id(int(draft["incident"])) if draft and "text" in draft else None
        )
        patient = await uow.patients.by_id(incident.patient_id) if incident else None
        sending = parsed is not None and parsed.args == ("send",) and patient is not None
        if sending and patient is not None:
            await uow.audit.record(
                AuditEvent(services.clock.now(), "relay.sent", staff.id, subject=patient.code)
            )
        await uow.commit()
    language = services.config.clinic.language
    assert update.effective_message is not None
    if not sending or patient is None or patient.chat_id is None or draft is None:
        await update.effective_message.reply_html(
            context.views.render(language, "incident.relay_cancelled")
        )
        return
    text = context.views.render(
        context.views.language_of(patient),
        "incident.relay_to_patient",
        staff=staff.first_name,
        text=draft["text"],
    )
    await context.bot.send_message(patient.chat_id, text, parse_mode=ParseMode.HTML)
    await update.effective_message.reply_html(
        context.views.render(language, "incident.relay_sent", name=patient.display_name)
    )


def relay_reply_handlers() -> list[BaseHandler[Update, AftercareContext, None]]:
    """Staff replies to the relay prompt (in their own handler group: see RELAY_GROUP)."""
    return [MessageHandler(filters.REPLY & filters.TEXT & ~filters.COMMAND, on_staff_reply)]


def relay_confirm_handlers() -> list[BaseHandler[Update, AftercareContext, None]]:
    """The Send / Cancel confirmation buttons."""
    return [CallbackQueryHandler(on_confirm, pattern=callback_data.pattern(RELAY))]
