"""Staff answer a patient through the bot: Message patient → write → confirm → sent, signed.

Nothing said in the staff group reaches a patient without the explicit "Send" confirmation.
Each draft is its own row (services/relay.py); its buttons name it, and a reply finds it by
the prompt it answers, so several drafts can be open at once without mixing them up.
"""

import logging

from telegram import ForceReply, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from aftercare_bot.adapters.telegram.handlers.pressed import presser, take_press
from aftercare_bot.adapters.telegram.messenger import edit_pressed, reply, set_buttons
from aftercare_bot.adapters.telegram.runtime.context import AftercareContext
from aftercare_bot.adapters.telegram.views.callback_data import RelayChoice, pattern
from aftercare_bot.adapters.telegram.views.languages import language_of
from aftercare_bot.domain.outgoing import Outgoing
from aftercare_bot.domain.relay import MAX_RELAY_TEXT
from aftercare_bot.services.relay import (
    Cancelled,
    Drafted,
    RefusalReason,
    Refused,
    Sent,
)

RELAY_GROUP = 1  # handlers run after, and independently of, the main group
# Refusals that mean the pressed confirmation is out of date: its buttons are taken away.
_STALE = {RefusalReason.REPLACED, RefusalReason.ALREADY_SENT, RefusalReason.CANCELLED}

logger = logging.getLogger(__name__)


async def ask_for_message(update: Update, context: AftercareContext, incident_id: int) -> None:
    """After "Message patient": open a draft and ask for its text as a reply to the prompt."""
    services = context.services
    query, message = update.callback_query, update.effective_message
    assert query is not None and message is not None
    staff = query.from_user
    begun = await services.staff_relay.begin(
        incident_id, staff.id, staff.first_name, message.chat_id
    )
    language = language_of(update, context)
    if begun is None:
        await reply(update, context.views.texts.render(language, "relay.unavailable"))
        return
    draft_id, patient = begun
    text = context.views.texts.render(language, "incident.relay_prompt", name=patient.display_name)
    prompt = await reply(update, text, markup=ForceReply(selective=True))
    await services.staff_relay.prompted(draft_id, prompt.message_id)


async def on_staff_reply(update: Update, context: AftercareContext) -> None:
    """A staff member's reply to a prompt: shown back with Send / Cancel for that draft."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or not message.text or message.reply_to_message is None:
        return
    outcome = await context.services.staff_relay.write(
        message.chat_id, message.reply_to_message.message_id, user.id, message.text
    )
    if outcome is None:
        return  # a reply to something else: conversation among staff
    if isinstance(outcome, Refused):
        await reply(update, _refusal(update, context, outcome, length=len(message.text)))
        return
    confirm = _confirmation(update, context, outcome)
    await reply(update, confirm)


def _confirmation(update: Update, context: AftercareContext, drafted: Drafted) -> Outgoing:
    """The text shown back, with Send / Cancel naming its draft."""
    views, language = context.views, language_of(update, context)
    draft, patient = drafted.draft, drafted.patient
    assert draft.id is not None
    return Outgoing(
        views.texts.render(
            language,
            "incident.relay_confirm",
            code=patient.code,
            name=patient.display_name,
            text=draft.text,
        ),
        (
            (
                (
                    views.texts.render(language, "buttons.send_to_patient"),
                    RelayChoice(draft.id, send=True).data(),
                ),
                (
                    views.texts.render(language, "buttons.cancel"),
                    RelayChoice(draft.id, send=False).data(),
                ),
            ),
        ),
    )


async def on_confirm(update: Update, context: AftercareContext) -> None:
    """Send (or drop) the draft named by the button; only its author can."""
    pressed = await take_press(update, context, RelayChoice.parse, staff=True)
    if pressed is None:
        return
    relay = context.services.staff_relay
    use_case = relay.send if pressed.send else relay.cancel
    outcome: Sent | Cancelled | Refused = await use_case(pressed.draft_id, presser(update).user_id)
    if isinstance(outcome, Refused):
        await _refuse_press(update, context, outcome)
        return
    await edit_pressed(update, _done(update, context, outcome))


def _done(update: Update, context: AftercareContext, outcome: Sent | Cancelled) -> str:
    """What the confirmation says once it is acted on (it loses its buttons)."""
    language, draft = language_of(update, context), outcome.draft
    if isinstance(outcome, Cancelled):
        return context.views.texts.render(language, "relay.cancelled", staff=draft.staff_name)
    return context.views.texts.render(
        language,
        "relay.sent",
        name=outcome.patient.display_name,
        code=outcome.patient.code,
        staff=draft.staff_name,
        text=draft.text,
    )


async def _refuse_press(update: Update, context: AftercareContext, refused: Refused) -> None:
    """Tell the presser why not; a confirmation that is out of date loses its buttons."""
    if refused.reason in _STALE:
        await set_buttons(update, None)
    await reply(update, _refusal(update, context, refused))


def _refusal(
    update: Update, context: AftercareContext, refused: Refused, *, length: int = 0
) -> str:
    """Why a draft was not taken, sent or cancelled, as staff read it."""
    author = refused.draft.staff_name if refused.draft else ""
    return context.views.texts.render(
        language_of(update, context),
        f"relay.refused_{refused.reason.value}",
        staff=author,
        length=length,
        limit=MAX_RELAY_TEXT,
    )


def relay_reply_handlers() -> list[BaseHandler[Update, AftercareContext, None]]:
    """Staff replies to the relay prompt (in their own handler group: see RELAY_GROUP)."""
    return [MessageHandler(filters.REPLY & filters.TEXT & ~filters.COMMAND, on_staff_reply)]


def relay_confirm_handlers() -> list[BaseHandler[Update, AftercareContext, None]]:
    """The Send / Cancel confirmation buttons."""
    return [CallbackQueryHandler(on_confirm, pattern=pattern(RelayChoice.FAMILY))]
