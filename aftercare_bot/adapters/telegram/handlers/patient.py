"""Handlers for patients in their private chat with the bot."""

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from aftercare_bot.adapters.telegram.handlers.access import role_of_user
from aftercare_bot.adapters.telegram.handlers.answers import answer
from aftercare_bot.adapters.telegram.handlers.appointments import take_note
from aftercare_bot.adapters.telegram.handlers.check_ins import on_concern_text
from aftercare_bot.adapters.telegram.handlers.check_ins import take_note as take_check_in_note
from aftercare_bot.adapters.telegram.handlers.incidents import replies_to_staff_prompt
from aftercare_bot.adapters.telegram.handlers.patient_settings import (
    forward_patient_message,
    resume_if_stopped,
    typed_time_zone,
)
from aftercare_bot.adapters.telegram.messenger import reply
from aftercare_bot.adapters.telegram.runtime.context import AftercareContext
from aftercare_bot.adapters.telegram.runtime.presses import answer_press
from aftercare_bot.domain.plans import AnchorKind
from aftercare_bot.services.lifecycle import FOLLOWED
from aftercare_bot.services.staff_reach import admin_started


async def start_command(update: Update, context: AftercareContext) -> None:
    """Resume a stopped patient; remind a linked one what the bot does; tell anyone else how
    to get a link."""
    if await resume_if_stopped(update, context) is not None:
        return
    chat = update.effective_chat
    patient = await context.services.patient_requests.patient_in(chat.id) if chat else None
    if patient is not None and patient.status in FOLLOWED:
        await help_command(update, context)
        return
    if await role_of_user(update, context) is not None:
        services = context.services
        if chat is not None and chat.id in services.config.staff.admin_ids:
            await admin_started(services.database, services.clock.now())
        await answer(update, context, "help.staff")
        return
    await answer(update, context, "start.not_linked")


async def on_unknown_button(update: Update, context: AftercareContext) -> None:
    """A button no flow knows (an old message, a restart): answer it so the client stops
    waiting, and say it is no longer current."""
    query = update.callback_query
    if query is None:
        return
    await answer_press(query, context.services.early_answers)
    if context.services.first_stale_answer(update):
        await answer(update, context, "appointment.stale")


async def help_command(update: Update, context: AftercareContext) -> None:
    """Show what a patient can do and how to reach the clinic, repeat a linked patient's
    aftercare instructions; staff also see their commands."""
    await answer(update, context, "help.patient")
    await _repeat_aftercare(update, context)
    if await role_of_user(update, context) is not None:
        await answer(update, context, "help.staff")


async def _repeat_aftercare(update: Update, context: AftercareContext) -> None:
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None:
        return
    services = context.services
    found = await services.patient_requests.with_course(chat.id)
    patient, course = found if found else (None, None)
    plan = services.plans.get(course.plan_name) if course else None
    if patient is None or plan is None or patient.status not in FOLLOWED:
        return
    language = context.views.language_of(patient)
    for step in plan.steps:
        if step.anchor.kind == AnchorKind.LINK:
            text = context.views.texts.render(
                language,
                step.message_key,
                name=patient.display_name,
                practitioner=patient.practitioner,
                appointment="",
            )
            await reply(update, text)


async def next_command(update: Update, context: AftercareContext) -> None:
    """The patient's next appointment in their time zone, with the clinic's phone to move it."""
    chat = update.effective_chat
    message = update.effective_message
    if chat is None or message is None:
        return
    services, views = context.services, context.views
    found = await services.patient_requests.with_course(chat.id)
    patient, course = found if found else (None, None)
    if patient is None:
        await answer(update, context, "next.not_linked")
        return
    language = views.language_of(patient)
    if course is None or course.next_appointment_at is None:
        await reply(update, views.texts.render(language, "next.none"))
        return
    key = "next.confirmed" if course.appointment_confirmed_at else "next.appointment"
    when = views.when(language, course.next_appointment_at, patient.timezone)
    await reply(update, views.texts.render(language, key, appointment=when))


async def on_unknown_command(update: Update, context: AftercareContext) -> None:
    """Point a mistyped command to /help rather than ignoring it."""
    await answer(update, context, "fallback.unknown_command")


async def on_free_text(update: Update, context: AftercareContext) -> None:
    """A note the patient was just asked for is kept; other text gets where to find help."""
    if await take_check_in_note(update, context) or await on_concern_text(update, context):
        return
    if await take_note(update, context) or await typed_time_zone(update, context):
        return
    if await forward_patient_message(update, context):
        return
    if await replies_to_staff_prompt(update, context):
        return  # staff writing a message or a note: taken by its own handler
    await answer(update, context, "fallback.text_outside_flow")


async def on_unsupported_message(update: Update, context: AftercareContext) -> None:
    """Answer stickers, locations, voice notes and the like with what the bot can read."""
    await answer(update, context, "fallback.not_understood")


def patient_handlers() -> list[BaseHandler[Update, AftercareContext, None]]:
    """The patient's handlers, in the order they must be tried."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("start", start_command, filters=private),
        CommandHandler("help", help_command, filters=private),
        CommandHandler("next", next_command, filters=private),
        MessageHandler(private & filters.COMMAND, on_unknown_command),
        MessageHandler(private & filters.TEXT, on_free_text),
        MessageHandler(private & ~filters.StatusUpdate.ALL, on_unsupported_message),
        CallbackQueryHandler(on_unknown_button),
    ]
