"""/patients (a paged list, or a search) and /patient CODE (one patient's timeline, paged).

Pages are cut between lines, never inside one, so that Telegram's 4096-character limit
never cuts a text; the buttons under a page edit it in place.
"""

import math
from collections.abc import Callable

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from aftercare_bot.adapters.telegram.handlers.access import require_staff
from aftercare_bot.adapters.telegram.handlers.pressed import presser, take_press
from aftercare_bot.adapters.telegram.messenger import edit_pressed, reply
from aftercare_bot.adapters.telegram.runtime.context import AftercareContext
from aftercare_bot.adapters.telegram.views.callback_data import PatientsPage, TimelinePage, pattern
from aftercare_bot.adapters.telegram.views.languages import language_of
from aftercare_bot.adapters.telegram.views.rendering import Views
from aftercare_bot.adapters.telegram.views.timeline import event_line
from aftercare_bot.domain.outgoing import Outgoing
from aftercare_bot.domain.pages import MESSAGE_LIMIT, paginate
from aftercare_bot.domain.patient_summary import (
    PATIENTS_PER_PAGE,
    PatientSummary,
)
from aftercare_bot.domain.patients import Patient
from aftercare_bot.texts import Html

MAX_SEARCH_RESULTS = 100
HEADER_ROOM = 200  # room kept on each page for its title line


def _summary_line(views: Views, language: str, row: PatientSummary) -> str:
    zone = views.config.clinic.timezone
    render = views.texts.render
    session = (
        render(language, "patients.session", number=row.session, planned=row.sessions_planned)
        if row.session is not None and row.sessions_planned is not None
        else ""
    )
    last = (
        render(language, "patients.last", when=views.when(language, row.last_check_in, zone))
        if row.last_check_in is not None
        else ""
    )
    incidents = (
        render(language, "patients.incidents", count=row.open_incidents)
        if row.open_incidents
        else ""
    )
    return render(
        language,
        "patients.item",
        code=row.code,
        name=row.name,
        state=render(language, f"patients.state_{row.status.value}"),
        session=Html(session),  # the three parts are already rendered and escaped
        last=Html(last),
        incidents=Html(incidents),
    )


async def _patients_page(context: AftercareContext, language: str, page: int) -> Outgoing:
    """Page `page` (0-based) of everyone the clinic follows, newest enrollment first."""
    views = context.views
    reports = context.services.staff_reports
    rows, total = await reports.patients(page * PATIENTS_PER_PAGE, PATIENTS_PER_PAGE)
    if total == 0:
        return Outgoing(views.texts.render(language, "patients.none"))
    pages = math.ceil(total / PATIENTS_PER_PAGE)
    title = views.texts.render(language, "patients.title", total=total, page=page + 1, pages=pages)
    lines = [title] + [_summary_line(views, language, row) for row in rows]
    return Outgoing(
        "\n".join(lines),
        _navigation(views, language, page, pages, lambda to: PatientsPage(to).data()),
    )


def _navigation(
    views: Views, language: str, page: int, pages: int, data: Callable[[int], str]
) -> tuple[tuple[tuple[str, str], ...], ...]:
    """Previous / Next, each carrying `data(page)` of the page it shows."""
    row = []
    if page > 0:
        row.append((views.texts.render(language, "buttons.previous"), data(page - 1)))
    if page + 1 < pages:
        row.append((views.texts.render(language, "buttons.next"), data(page + 1)))
    return (tuple(row),) if row else ()


async def patients_command(update: Update, context: AftercareContext) -> None:
    """Staff: the patients the clinic follows, paged; `/patients TEXT` searches name or code."""
    if not await require_staff(update, context):
        return
    message = update.effective_message
    assert message is not None
    language = language_of(update, context)
    search = " ".join(context.args or []).strip()
    if not search:
        listing = await _patients_page(context, language, 0)
        await reply(update, listing)
        return
    views = context.views
    rows, total = await context.services.staff_reports.patients(0, MAX_SEARCH_RESULTS, search)
    if not rows:
        await reply(update, views.texts.render(language, "patients.no_match", text=search))
        return
    title = views.texts.render(language, "patients.search_title", text=search, total=total)
    lines = [_summary_line(views, language, row) for row in rows]
    for number, page in enumerate(paginate(lines, header_room=len(title) + 1)):
        await reply(update, "\n".join([title, *page] if number == 0 else page))


async def on_patients_page(update: Update, context: AftercareContext) -> None:
    """Previous / Next under the patient list."""
    pressed = await take_press(update, context, PatientsPage.parse, staff=True)
    if pressed is None:
        return
    listing = await _patients_page(context, language_of(update, context), pressed.page)
    await edit_pressed(update, listing)


async def _timeline_page(
    context: AftercareContext, language: str, patient: Patient, page: int, viewer: int
) -> Outgoing:
    """A page of the patient's timeline; every page shown is a view of her record, audited."""
    views = context.views
    viewed = await context.services.staff_reports.view_timeline(patient.code, viewer, "telegram")
    events = viewed[1] if viewed is not None else []
    lines = [event_line(views, language, event) for event in events]
    pages = paginate(lines, limit=MESSAGE_LIMIT, header_room=HEADER_ROOM)
    page = min(max(page, 0), len(pages) - 1)
    title = views.texts.render(
        language,
        "timeline.title",
        code=patient.code,
        name=patient.display_name,
        page=page + 1,
        pages=len(pages),
    )
    return Outgoing(
        "\n".join([title, *pages[page]]),
        _navigation(
            views, language, page, len(pages), lambda to: TimelinePage(patient.code, to).data()
        ),
    )


async def show_timeline(
    update: Update, context: AftercareContext, patient: Patient, _rest: list[str]
) -> None:
    """Staff: /patient CODE, the first page of the patient's timeline (newest first)."""
    assert update.effective_user is not None
    language, viewer = language_of(update, context), update.effective_user.id
    timeline = await _timeline_page(context, language, patient, 0, viewer)
    await reply(update, timeline)


async def on_timeline_page(update: Update, context: AftercareContext) -> None:
    """Previous / Next under a timeline."""
    pressed = await take_press(update, context, TimelinePage.parse, staff=True)
    if pressed is None:
        return
    patient = await context.services.staff_reports.patient(pressed.code)
    if patient is None:
        return
    language, viewer = language_of(update, context), presser(update).user_id
    timeline = await _timeline_page(context, language, patient, pressed.page, viewer)
    await edit_pressed(update, timeline)


def patient_list_handlers() -> list[BaseHandler[Update, AftercareContext, None]]:
    """/patients and the page buttons of lists and timelines (/patient is a staff action)."""
    return [
        CommandHandler("patients", patients_command),
        CallbackQueryHandler(on_patients_page, pattern=pattern(PatientsPage.FAMILY)),
        CallbackQueryHandler(on_timeline_page, pattern=pattern(TimelinePage.FAMILY)),
    ]
