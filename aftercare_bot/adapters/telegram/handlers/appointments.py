"""Answers to appointment reminders, the notes that follow them, and the staff's /tasks."""

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from aftercare_bot.adapters.telegram.handlers.access import require_staff
from aftercare_bot.adapters.telegram.handlers.incidents import escalate
from aftercare_bot.adapters.telegram.handlers.pressed import presser, take_press
from aftercare_bot.adapters.telegram.messenger import edit_pressed, reply, set_buttons
from aftercare_bot.adapters.telegram.notices.staff_notices import notify_staff
from aftercare_bot.adapters.telegram.runtime.context import AftercareContext
from aftercare_bot.adapters.telegram.views.callback_data import ReminderReply, TaskDone, pattern
from aftercare_bot.adapters.telegram.views.languages import language_of
from aftercare_bot.domain.incidents import IncidentUrgency
from aftercare_bot.domain.outgoing import Outgoing
from aftercare_bot.domain.pages import paginate
from aftercare_bot.domain.patients import Patient
from aftercare_bot.domain.tasks import StaffTask
from aftercare_bot.services.appointments import (
    ReminderAnswer,
    ReminderAnswered,
)
from aftercare_bot.texts import Html

_PATIENT_REPLY = {
    ReminderAnswer.CONFIRM: "appointment.confirmed",
    ReminderAnswer.RESCHEDULE: "appointment.reschedule_asked",
    ReminderAnswer.CHANGED: "appointment.changed_asked",
}
MAX_LISTED_TASKS = 20
MORE_LINE_ROOM = 120  # kept on the page for the "N more not shown" line


async def on_reminder_answer(update: Update, context: AftercareContext) -> None:
    """Confirm, reschedule or "something changed": recorded, staff told, the patient answered."""
    pressed = await take_press(update, context, ReminderReply.parse)
    if pressed is None:
        return
    services = context.services
    outcome = await services.appointment_replies.answer(
        pressed.message_id, presser(update).chat_id, pressed.answer
    )
    await set_buttons(update, None)
    if outcome is None:
        if services.first_stale_answer(update):
            await _reply(update, context, "appointment.stale", None)
        return
    await _reply(update, context, _PATIENT_REPLY[outcome.answer], outcome)
    if outcome.answer == ReminderAnswer.CONFIRM:
        params = _staff_params(context, outcome)
        await notify_staff(context, "appointment.staff_confirmed", **params)


def _staff_params(context: AftercareContext, outcome: ReminderAnswered) -> dict[str, object]:
    patient, course = outcome.patient, outcome.course
    clinic = context.services.config.clinic
    when = (
        context.views.when(clinic.language, course.next_appointment_at, patient.timezone)
        if course is not None and course.next_appointment_at is not None
        else ""
    )
    return {"code": patient.code, "name": patient.display_name, "appointment": when}


async def _reply(
    update: Update, context: AftercareContext, key: str, outcome: ReminderAnswered | None
) -> None:
    message = update.effective_message
    if message is None:
        return
    views = context.views
    if outcome is None:
        await reply(update, views.texts.render(language_of(update, context), key))
        return
    patient = outcome.patient
    params = _staff_params(context, outcome)
    language = views.language_of(patient)
    if outcome.course is not None and outcome.course.next_appointment_at is not None:
        params["appointment"] = views.when(
            language, outcome.course.next_appointment_at, patient.timezone
        )
    await reply(update, views.texts.render(language, key, **params))


async def take_note(update: Update, context: AftercareContext) -> bool:
    """If the patient was just asked for a note, store this message as it; True if it was."""
    message = update.effective_message
    if message is None or not message.text:
        return False
    services = context.services
    noted = await services.appointment_replies.note(message.chat_id, message.text)
    if noted is None:
        return False
    patient, task = noted
    await reply(
        update,
        context.views.texts.render(context.views.language_of(patient), "appointment.note_received"),
    )
    note = context.views.texts.render(
        context.services.config.clinic.language,
        "appointment.staff_note",
        code=patient.code,
        name=patient.display_name,
        note=task.detail or "",
    )
    await escalate(context.bot, services, patient, IncidentUrgency.ROUTINE, note, task_id=task.id)
    return True


async def tasks_command(update: Update, context: AftercareContext) -> None:
    """Staff: the open tasks, each with a Done button."""
    if not await require_staff(update, context):
        return
    assert update.effective_message is not None
    listing = await _task_listing(update, context)
    await reply(update, listing)


async def _task_listing(update: Update, context: AftercareContext) -> Outgoing:
    """The oldest open tasks that fit in one message, each with Done; the rest are counted."""
    services, views = context.services, context.views
    language = language_of(update, context)
    listed = await services.appointment_replies.open_tasks(MAX_LISTED_TASKS)
    if not listed.tasks:
        return Outgoing(views.texts.render(language, "tasks.none"))
    total = listed.total
    title = views.texts.render(language, "tasks.title", count=total)
    lines = [_task_line(context, language, task, patient) for task, patient in listed.tasks]
    shown = paginate(lines, header_room=len(title) + MORE_LINE_ROOM)[0]
    tasks = [task for task, _patient in listed.tasks[: len(shown)]]
    more = (
        [views.texts.render(language, "tasks.more", count=total - len(shown))]
        if total > len(shown)
        else []
    )
    buttons = tuple(
        (
            (
                services.texts.render(language, "buttons.task_done", id=task.id),
                TaskDone(task.id or 0).data(),
            ),
        )
        for task in tasks
    )
    return Outgoing("\n".join([title, *shown, *more]), buttons)


def _task_line(
    context: AftercareContext, language: str, task: StaffTask, patient: Patient | None
) -> str:
    texts, views = context.services.texts, context.views
    detail = texts.render(language, "tasks.detail", note=task.detail) if task.detail else ""
    return texts.render(
        language,
        "tasks.item",
        id=task.id,
        kind=texts.render(language, f"tasks.kind_{task.kind.value}"),
        code=patient.code if patient else "",
        name=patient.display_name if patient else "",
        created=views.when(language, task.created_at, context.services.config.clinic.timezone),
        detail=Html(detail),  # already rendered, with the note escaped
    )


async def on_task_done(update: Update, context: AftercareContext) -> None:
    """Staff pressed Done: close the task and refresh the list."""
    pressed = await take_press(update, context, TaskDone.parse, staff=True)
    if pressed is None:
        return
    closed = await context.services.appointment_replies.close_task(
        pressed.task_id, presser(update).user_id
    )
    listing = await _task_listing(update, context)
    await edit_pressed(update, listing)
    key = "tasks.done" if closed is not None else "tasks.already_done"
    assert update.effective_message is not None
    await reply(
        update, context.views.texts.render(language_of(update, context), key, id=pressed.task_id)
    )


def appointment_handlers() -> list[BaseHandler[Update, AftercareContext, None]]:
    """Reminder buttons, and the staff's task list."""
    return [
        CallbackQueryHandler(on_reminder_answer, pattern=pattern(ReminderReply.FAMILY)),
        CommandHandler("tasks", tasks_command),
        CallbackQueryHandler(on_task_done, pattern=pattern(TaskDone.FAMILY)),
    ]
