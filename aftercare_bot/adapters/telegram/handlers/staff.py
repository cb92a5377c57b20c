"""Staff commands outside enrollment: staff membership, the staff group, links, sessions."""

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from aftercare_bot.adapters.telegram.handlers.access import require_staff
from aftercare_bot.adapters.telegram.handlers.answers import answer
from aftercare_bot.adapters.telegram.handlers.course_dates import (
    appointment,
    course_date_handlers,
    session,
)
from aftercare_bot.adapters.telegram.handlers.incidents import staff_notifier
from aftercare_bot.adapters.telegram.handlers.patient_lists import show_timeline
from aftercare_bot.adapters.telegram.handlers.pressed import presser, take_press
from aftercare_bot.adapters.telegram.handlers.typed_moments import relative_words
from aftercare_bot.adapters.telegram.messenger import reply
from aftercare_bot.adapters.telegram.runtime.context import AftercareContext
from aftercare_bot.adapters.telegram.runtime.identity import deep_link_for
from aftercare_bot.adapters.telegram.views.callback_data import PickPatient, RemoveStaff, pattern
from aftercare_bot.adapters.telegram.views.languages import language_of
from aftercare_bot.domain.local_time import example_input
from aftercare_bot.domain.outgoing import Outgoing
from aftercare_bot.domain.patients import Patient, looks_like_code

PatientAction = Callable[[Update, AftercareContext, Patient, list[str]], Awaitable[None]]


def deep_link(context: AftercareContext, token: str) -> str:
    """The t.me link that opens the bot with `token`."""
    return deep_link_for(context.bot.username, token)


async def _private_only(update: Update, context: AftercareContext) -> bool:
    chat = update.effective_chat
    if chat is not None and chat.type == ChatType.PRIVATE:
        return True
    await answer(update, context, "staff.private_only")
    return False


async def addstaff_command(update: Update, context: AftercareContext) -> None:
    """Admins: create a one-time invitation link for a new staff member."""
    if not await _private_only(update, context) or not await require_staff(
        update, context, admin=True
    ):
        return
    assert update.effective_user is not None
    link = await context.services.staff_requests.invite(update.effective_user.id)
    expires = context.views.when(
        language_of(update, context), link.expires_at, context.services.config.clinic.timezone
    )
    await answer(
        update, context, "staff.invite", link=deep_link(context, link.token), expires=expires
    )


async def removestaff_command(update: Update, context: AftercareContext) -> None:
    """Admins: list invited staff as buttons; pressing one removes that member."""
    if not await _private_only(update, context) or not await require_staff(
        update, context, admin=True
    ):
        return
    members = await context.services.staff_requests.members()
    language = language_of(update, context)
    if not members:
        await answer(update, context, "staff.remove_none")
        return
    buttons = tuple(
        ((member.display_name, RemoveStaff(member.telegram_user_id).data()),) for member in members
    )
    prompt = Outgoing(context.views.texts.render(language, "staff.remove_pick"), buttons)
    await reply(update, prompt)


async def on_remove_staff(update: Update, context: AftercareContext) -> None:
    """Remove the member whose button an admin pressed (checked again on press)."""
    pressed = await take_press(update, context, RemoveStaff.parse, admin=True)
    if pressed is None:
        return
    removed = await context.services.staff_requests.remove(presser(update).user_id, pressed.user_id)
    if removed is None:
        await answer(update, context, "staff.not_staff_member")
    else:
        await answer(update, context, "staff.removed", name=removed.display_name)


async def bindgroup_command(update: Update, context: AftercareContext) -> None:
    """Admins, in the staff group: make this group receive escalations (private groups only)."""
    chat = update.effective_chat
    if chat is None:
        return
    if chat.type == ChatType.PRIVATE:
        await answer(update, context, "staff.bindgroup_in_private")
        return
    if not await require_staff(update, context, admin=True):
        return
    full = await context.bot.get_chat(chat.id)
    if full.username:
        await answer(update, context, "staff.bindgroup_public", username=full.username)
        return
    assert update.effective_user is not None
    requests = context.services.staff_requests
    moved = await requests.bind_group(update.effective_user.id, chat.id)
    await answer(update, context, "staff.bindgroup_done")
    if moved:  # open incidents follow the group: none is stranded in the old one
        await requests.repost_open(staff_notifier(context))


async def _with_patient(
    update: Update, context: AftercareContext, action: str, run: PatientAction, usage: str
) -> None:
    if not await _private_only(update, context) or not await require_staff(update, context):
        return
    args = list(context.args or [])
    zone = context.services.config.clinic.timezone
    example = example_input(context.services.clock.now(), zone)
    if not args:
        await answer(update, context, usage, example=example)
        return
    query, rest = _split_patient_query(args, relative_words(context))
    found = await context.services.staff_requests.find(query)
    if found.patient is not None:
        await run(update, context, found.patient, rest)
        return
    if not found.candidates:
        await answer(update, context, "staff.patient_not_found", query=query)
        return
    context.user_data["pick_args"] = rest  # type: ignore[index]
    buttons = tuple(
        ((f"{p.code} {p.display_name}", PickPatient(action, p.code).data()),)
        for p in found.candidates
    )
    prompt = Outgoing(
        context.views.texts.render(language_of(update, context), "staff.patient_pick", query=query),
        buttons,
    )
    await reply(update, prompt)


def _split_patient_query(args: list[str], relative: set[str]) -> tuple[str, list[str]]:
    """`Anna Maria 03.12.2026 10:00` -> ("Anna Maria", ["03.12.2026", "10:00"]), also with a
    word for today, yesterday or tomorrow before the time; a code is always the whole query:
    `P-7K3Q soon` -> ("P-7K3Q", ["soon"]). Names hold no digits, dates always do."""
    if looks_like_code(args[0]):
        return args[0], args[1:]
    for index, arg in enumerate(args):
        if arg[:1].isdigit():
            if index > 0 and args[index - 1].casefold() in relative:
                index -= 1
            return " ".join(args[:index]), args[index:]
    return " ".join(args), []


async def _newlink(
    update: Update, context: AftercareContext, patient: Patient, _rest: list[str]
) -> None:
    assert update.effective_user is not None
    link = await context.services.staff_requests.new_link(patient.id or 0, update.effective_user.id)
    if link is None:
        await answer(update, context, "staff.patient_not_found", query=patient.code)
        return
    zone = context.services.config.clinic.timezone
    await answer(
        update,
        context,
        "staff.newlink_done",
        name=patient.display_name,
        code=patient.code,
        link=deep_link(context, link.token),
        expires=context.views.when(language_of(update, context), link.expires_at, zone),
    )


async def _discharge(
    update: Update, context: AftercareContext, patient: Patient, _rest: list[str]
) -> None:
    assert update.effective_user is not None
    await context.services.staff_requests.discharge(patient.id or 0, update.effective_user.id)
    await answer(
        update, context, "lifecycle.staff_discharged", code=patient.code, name=patient.display_name
    )


_PATIENT_ACTIONS: dict[str, tuple[PatientAction, str]] = {
    "newlink": (_newlink, "staff.usage_newlink"),
    "session": (session, "staff.usage_session"),
    "appointment": (appointment, "staff.usage_appointment"),
    "discharge": (_discharge, "lifecycle.discharge_usage"),
    "patient": (show_timeline, "staff.usage_patient"),
}


def _patient_command(
    action: str,
) -> Callable[[Update, AftercareContext], Coroutine[Any, Any, None]]:
    run, usage = _PATIENT_ACTIONS[action]

    async def command(update: Update, context: AftercareContext) -> None:
        await _with_patient(update, context, action, run, usage)

    command.__doc__ = f"Staff: /{action} for a patient named by code or name."
    return command


async def on_pick_patient(update: Update, context: AftercareContext) -> None:
    """Staff picked one of several patients matching a name: run the command for them."""
    pressed = await take_press(update, context, PickPatient.parse, staff=True)
    if pressed is None or pressed.command not in _PATIENT_ACTIONS:
        return
    run, _usage = _PATIENT_ACTIONS[pressed.command]
    patient = await context.services.staff_requests.patient(pressed.code)
    if patient is None:
        await answer(update, context, "staff.patient_not_found", query=pressed.code)
        return
    rest = list((context.user_data or {}).pop("pick_args", []))
    await run(update, context, patient, rest)


def staff_handlers() -> list[BaseHandler[Update, AftercareContext, None]]:
    """Staff commands; each checks the sender's role itself."""
    return [
        CommandHandler("addstaff", addstaff_command),
        CommandHandler("removestaff", removestaff_command),
        CommandHandler("bindgroup", bindgroup_command),
        *(CommandHandler(action, _patient_command(action)) for action in _PATIENT_ACTIONS),
        CallbackQueryHandler(on_remove_staff, pattern=pattern(RemoveStaff.FAMILY)),
        CallbackQueryHandler(on_pick_patient, pattern=pattern(PickPatient.FAMILY)),
        *course_date_handlers(),
    ]
