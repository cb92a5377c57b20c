"""/session and /appointment: a date staff typed is read back, with weekday and month name,
and stored only when they press it.

A typo in a date moves a patient's whole aftercare plan or her next reminder, so nothing typed
is stored on the strength of the reading alone: "03.12 15:00" comes back as a button "Thu 3 Dec
2026, 15:00"; a slashed date that could be either ("3/12") comes back as both readings. The
press carries the patient's code and the moment, so it needs nothing kept between the two
updates and survives a restart; a second press of the same button stores nothing twice (the
buttons go, and a session at the same moment is not recorded again). `/session CODE` without a
date means "held now" and needs no reading back.
"""

from datetime import UTC, datetime

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from aftercare_bot.adapters.telegram.handlers.answers import answer
from aftercare_bot.adapters.telegram.handlers.pressed import presser, take_press
from aftercare_bot.adapters.telegram.handlers.typed_moments import read_typed
from aftercare_bot.adapters.telegram.messenger import reply
from aftercare_bot.adapters.telegram.runtime.context import AftercareContext
from aftercare_bot.adapters.telegram.views.callback_data import CourseDate, pattern
from aftercare_bot.adapters.telegram.views.languages import language_of
from aftercare_bot.domain.local_time import InvalidLocalTime, example_input
from aftercare_bot.domain.outgoing import Outgoing
from aftercare_bot.domain.patients import Patient
from aftercare_bot.domain.typed_dates import AmbiguousMoment, Expected
from aftercare_bot.services.courses import CourseComplete

_CONFIRM_KEY = {
    CourseDate.SESSION: "staff.confirm_session",
    CourseDate.APPOINTMENT: "staff.confirm_appointment",
}


async def session(
    update: Update, context: AftercareContext, patient: Patient, rest: list[str]
) -> None:
    """/session CODE [date and time]: held now is recorded at once; a typed date is read back."""
    services = context.services
    if not rest:
        await _record_session(update, context, patient, services.clock.now())
        return
    await _read_back(update, context, patient, CourseDate.SESSION, rest, "staff.bad_datetime")


async def appointment(
    update: Update, context: AftercareContext, patient: Patient, rest: list[str]
) -> None:
    """/appointment CODE date and time: read back, set when pressed."""
    await _read_back(
        update, context, patient, CourseDate.APPOINTMENT, rest, "staff.usage_appointment"
    )


async def _read_back(
    update: Update,
    context: AftercareContext,
    patient: Patient,
    command: str,
    rest: list[str],
    bad_key: str,
) -> None:
    """The typed date as buttons to press: one reading, or both readings of "3/12"."""
    services, views = context.services, context.views
    now, zone = services.clock.now(), services.config.clinic.timezone
    typed_text = " ".join(rest)
    expected = Expected.PAST if command == CourseDate.SESSION else Expected.FUTURE
    try:
        typed = read_typed(context, typed_text, expected)
    except InvalidLocalTime:
        await answer(update, context, bad_key, text=typed_text, example=example_input(now, zone))
        return
    language = language_of(update, context)
    readings = (
        (typed.day_first, typed.month_first) if isinstance(typed, AmbiguousMoment) else (typed.at,)
    )
    buttons = (
        *(((views.when(language, at, zone), _pressed(command, patient, at)),) for at in readings),
        (
            (
                views.texts.render(language, "buttons.cancel"),
                CourseDate(CourseDate.CANCEL).data(),
            ),
        ),
    )
    params = {"name": patient.display_name, "code": patient.code}
    if isinstance(typed, AmbiguousMoment):
        first, second = (views.when(language, at, zone) for at in readings)
        text = views.texts.render(
            language, "staff.which_date", first=first, second=second, **params
        )
    else:
        when = views.when(language, typed.at, zone)
        text = views.texts.render(language, _CONFIRM_KEY[command], when=when, **params)
    await reply(update, Outgoing(text, buttons))


def _pressed(command: str, patient: Patient, at: datetime) -> str:
    return CourseDate(command, patient.code, int(at.timestamp())).data()


async def on_course_date(update: Update, context: AftercareContext) -> None:
    """A date read back was pressed (or Cancel): store it, once."""
    pressed = await take_press(update, context, CourseDate.parse, staff=True, clear=True)
    if pressed is None:
        return
    if pressed.command == CourseDate.CANCEL:
        await answer(update, context, "staff.date_cancelled")
        return
    patient = await context.services.staff_requests.patient(pressed.code)
    if patient is None:
        await answer(update, context, "staff.patient_not_found", query=pressed.code)
        return
    at = datetime.fromtimestamp(pressed.at, UTC)
    if pressed.command == CourseDate.SESSION:
        await _record_session(update, context, patient, at)
    else:
        await _set_appointment(update, context, patient, at)


async def _record_session(
    update: Update, context: AftercareContext, patient: Patient, held_at: datetime
) -> None:
    services = context.services
    outcome = await services.staff_requests.record_session(
        patient.id or 0, held_at, presser_id(update)
    )
    params = {"name": patient.display_name, "code": patient.code}
    if outcome is None:
        await answer(update, context, "staff.no_open_course", **params)
    elif isinstance(outcome, CourseComplete):
        sessions = outcome.course.sessions_planned
        await answer(update, context, "staff.session_course_complete", sessions=sessions, **params)
    else:
        zone = services.config.clinic.timezone
        await answer(
            update,
            context,
            "staff.session_done",
            number=outcome.session.number,
            sessions=outcome.course.sessions_planned,
            when=context.views.when(language_of(update, context), held_at, zone),
            **params,
        )


async def _set_appointment(
    update: Update, context: AftercareContext, patient: Patient, at: datetime
) -> None:
    services = context.services
    now, zone = services.clock.now(), services.config.clinic.timezone
    when = context.views.when(language_of(update, context), at, zone)
    params = {"name": patient.display_name, "code": patient.code, "when": when}
    if at <= now:  # pressed on an old read-back, or typed as a time already gone today
        example = example_input(now, zone)
        await answer(update, context, "staff.appointment_past", example=example, **params)
        return
    if not await services.staff_requests.set_appointment(patient.id or 0, at, presser_id(update)):
        await answer(update, context, "staff.no_open_course", **params)
        return
    await answer(update, context, "staff.appointment_done", **params)


def presser_id(update: Update) -> int:
    """The staff member behind a command or a press, for the audit trail."""
    if update.callback_query is not None:
        return presser(update).user_id
    assert update.effective_user is not None
    return update.effective_user.id


def course_date_handlers() -> list[BaseHandler[Update, AftercareContext, None]]:
    """The read-back buttons of /session and /appointment."""
    return [CallbackQueryHandler(on_course_date, pattern=pattern(CourseDate.FAMILY))]
