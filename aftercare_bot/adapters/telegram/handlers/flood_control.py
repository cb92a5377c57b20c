"""Flood control: a chat that sends faster than a person types is not answered one by one.

Arrivals are noted by the update processor the moment an update comes in (before it waits for
its chat's earlier updates); the gate, a handler group that runs before every other, judges
each private message when its turn comes. In a flood a linked patient's message is stored and
held for one bundled staff post (`services.floods`), the chat gets at most one short
"received" per window, and nothing else runs for it; a chat with no linked patient gets that
one answer and nothing is stored or posted, so a stranger cannot flood the staff group.

Never touched: presses (they are not messages), `/checkin`, "I have a concern", STOP and START
(and /stop, /start): a patient in trouble must always get through. Staff are never held.
"""

import html
import logging
from functools import partial

from telegram import Update
from telegram.ext import ApplicationHandlerStop, BaseHandler, TypeHandler

from aftercare_bot.adapters.telegram.handlers.access import role_of_user
from aftercare_bot.adapters.telegram.messenger import reply
from aftercare_bot.adapters.telegram.runtime.context import AftercareContext, Services
from aftercare_bot.adapters.telegram.runtime.flood_gate import FloodGate
from aftercare_bot.adapters.telegram.runtime.repeats import FIRST_GROUP
from aftercare_bot.adapters.telegram.views.languages import language_of
from aftercare_bot.services.lifecycle import FOLLOWED
from aftercare_bot.texts import Html

logger = logging.getLogger(__name__)

FLOOD_GROUP = FIRST_GROUP + 1  # right after the repeat guard, before everything that answers

# A bundled post stays well under Telegram's 4096 characters.
MAX_BUNDLE_CHARS = 3000


async def on_update(gate: FloodGate, update: Update, context: AftercareContext) -> None:
    """Hold a message that came in a flood; let every other update through."""
    services = context.services
    flooding = gate.judge(update)
    if flooding is None or await role_of_user(update, context) is not None:
        return
    message = update.effective_message
    assert message is not None
    requests = services.patient_requests
    patient = await requests.patient_in(message.chat_id)
    if patient is not None and patient.id is not None and patient.status in FOLLOWED:
        language = context.views.language_of(patient)
        text = message.text or message.caption or services.texts.render(language, "floods.not_text")
        post_at = flooding.since + services.config.floods.post_within
        await requests.hold_in_flood(patient.id, text, post_at)
        key = "floods.received"
    else:
        language = language_of(update, context)
        key = "floods.received_not_linked"
    if flooding.answer:
        clinic = services.config.clinic
        answer = context.views.texts.render(
            language,
            key,
            emergency=clinic.emergency_number,
            phone=clinic.phone,
        )
        await reply(update, answer)
    logger.info("chat %s is flooding: update %s held", message.chat_id, update.update_id)
    raise ApplicationHandlerStop


def bundle_text(services: Services, code: str, name: str, texts: list[str]) -> str:
    """The staff post for a bundle: each message on its own line, cut to a readable length."""
    language = services.config.clinic.language
    lines: list[str] = []
    used = 0
    for text in texts:
        line = "• " + html.escape(text)
        if used + len(line) > MAX_BUNDLE_CHARS:
            break
        lines.append(line)
        used += len(line) + 1
    if len(lines) < len(texts):
        more = services.views.texts.render(
            language, "floods.more", count=len(texts) - len(lines), code=code
        )
        lines.append(more)
    return services.views.texts.render(
        language,
        "floods.staff_bundle",
        code=code,
        name=name,
        count=len(texts),
        messages=Html("\n".join(lines)),
    )


def flood_handlers(gate: FloodGate) -> list[BaseHandler[Update, AftercareContext, None]]:
    """The gate, in its own group ahead of the handlers that answer."""
    return [TypeHandler(Update, partial(on_update, gate))]
