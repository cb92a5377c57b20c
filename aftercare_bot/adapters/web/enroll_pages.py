"""Enrolling a patient in the browser: the questions of /enroll on one form, the same dry-run
timeline before anything is stored, then the one-time link and its QR code to show or print.

Read the way /enroll reads them: a first name only (a surname or a phone number is refused
with the reason), dates typed as staff write them ("3/12" is asked back, never guessed), the
next session in 2, 3 or 4 weeks at the same time, unknown, or typed. The preview's Confirm
form carries the answers back, checked again; the enrollment is stored by the same use case
as the Telegram flow's.
"""

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from aiohttp import web

from aftercare_bot.adapters.telegram.handlers.enroll import name_refusal_key
from aftercare_bot.adapters.telegram.handlers.typed_moments import day_words
from aftercare_bot.adapters.telegram.runtime.identity import deep_link_for
from aftercare_bot.adapters.telegram.views.qr import qr_png
from aftercare_bot.adapters.web.pages import deps_of, form_text, language_of, plain, render, user_of
from aftercare_bot.domain.local_time import InvalidLocalTime, example_input, same_time_weeks_later
from aftercare_bot.domain.patient_names import NotAFirstName, first_name_only
from aftercare_bot.domain.patients import Enrollment
from aftercare_bot.domain.plan_versions import current_plan, plan_names
from aftercare_bot.domain.plans import expand
from aftercare_bot.domain.typed_dates import AmbiguousMoment, Expected, read_typed_moment

ROUTES = web.RouteTableDef()
MAX_FIELD = 64
WEEKS = (2, 3, 4)


@dataclass
class Answers:
    """The form as typed, and what was read from it (or why not)."""

    name: str = ""
    session: str = ""
    practitioner: str = ""
    plan: str = ""
    next: str = "w3"
    next_typed: str = ""
    language: str = ""
    product: str = ""
    batch: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    session_at: datetime | None = None
    next_at: datetime | None = None


@ROUTES.get("/console/enroll", name="enroll")
async def enroll_form(request: web.Request) -> web.StreamResponse:
    """The empty form; the practitioner defaults to whoever is signed in."""
    deps = deps_of(request)
    answers = Answers(practitioner=user_of(request).name, plan=plan_names(deps.plans)[0])
    return await _form(request, answers)


@ROUTES.post("/console/enroll/preview", name="enroll_preview")
async def preview(request: web.Request) -> web.StreamResponse:
    """The answers read, and the messages the patient will get, before anything is stored."""
    answers = await _read(request)
    if answers.errors:
        return await _form(request, answers, status=400)
    return _preview(request, answers)


@ROUTES.post("/console/enroll/edit", name="enroll_edit")
async def edit(request: web.Request) -> web.StreamResponse:
    """Back from the preview to the form, with the answers as they were typed."""
    answers = await _read(request)
    answers.errors.clear()
    return await _form(request, answers)


@ROUTES.post("/console/enroll/confirm", name="enroll_confirm")
async def confirm(request: web.Request) -> web.StreamResponse:
    """Store the enrollment (the answers checked again) and show the link and its QR code."""
    answers = await _read(request)
    if answers.errors or answers.session_at is None:
        return await _form(request, answers, status=400)
    deps, user = deps_of(request), user_of(request)
    enrolled, link = await deps.requests.enroll(
        Enrollment(
            display_name=answers.name,
            session_at=answers.session_at,
            practitioner=answers.practitioner,
            plan_name=answers.plan,
            timezone=str(deps.config.clinic.timezone),
            language=answers.language or None,
            next_appointment_at=answers.next_at,
            product=answers.product or None,
            batch=answers.batch or None,
            enrolled_by=user.user_id,
        )
    )
    username = await deps.bot_username()
    deep_link = deep_link_for(username, link.token)
    language, zone = language_of(request), deps.config.clinic.timezone
    reader = answers.language or language
    caption = plain(
        deps.texts.render(
            reader,
            "enroll.qr_caption",
            code=enrolled.patient.code,
            link=deep_link,
            expires=deps.views.when(reader, link.expires_at, zone),
        )
    )
    return render(
        request,
        "enrolled.html",
        name=enrolled.patient.display_name,
        code=enrolled.patient.code,
        link=deep_link,
        expires=deps.views.when(language, link.expires_at, zone),
        qr=base64.b64encode(qr_png(deep_link)).decode("ascii"),
        caption=caption,
    )


async def _form(request: web.Request, answers: Answers, status: int = 200) -> web.Response:
    deps, language = deps_of(request), language_of(request)
    now, zone = deps.clock.now(), deps.config.clinic.timezone
    texts = deps.texts
    offered = await deps.lists.offered(now.astimezone(zone).date())
    return render(
        request,
        "enroll.html",
        status=status,
        answers=answers,
        example=example_input(now, zone, days_ahead=-1),
        plans=plan_names(deps.plans),
        weeks=[
            (f"w{weeks}", plain(texts.render(language, "buttons.in_weeks", count=weeks)))
            for weeks in WEEKS
        ],
        languages=[(code, texts.render(code, "meta.language_name")) for code in deps.languages],
        telegram_language=plain(texts.render(language, "buttons.telegram_language")),
        practitioners=[entry.name for entry in offered.practitioners],
        products=sorted({choice.product for choice in offered.products}),
        lots=[choice.lot for choice in offered.products if choice.lot],
    )


def _preview(request: web.Request, answers: Answers) -> web.Response:
    deps, language = deps_of(request), language_of(request)
    zone = deps.config.clinic.timezone
    plan = current_plan(deps.plans, answers.plan)
    assert answers.session_at is not None and plan is not None
    planned = expand(
        plan,
        session_at=answers.session_at,
        linked_at=None,
        next_appointment_at=answers.next_at,
        zone=zone,
        quiet=deps.config.schedule.quiet_hours,
    )
    timeline = deps.views.timeline(language, planned, zone, deps.clock.now())
    # Confirm carries the session as read, not "now" again, nor a date that could be re-read
    answers.session = answers.session_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    return render(
        request,
        "enroll_preview.html",
        answers=answers,
        session=deps.views.when(language, answers.session_at, zone),
        next_at=deps.views.when(language, answers.next_at, zone) if answers.next_at else "",
        zone=str(zone),
        lines=[plain(line) for line in timeline.split("\n") if line],
    )


async def _read(request: web.Request) -> Answers:
    """The posted form, each answer read or refused with the reason, on its field."""
    deps, language = deps_of(request), language_of(request)
    form = await request.post()
    answers = Answers(
        name=_field(form, "name"),
        session=_field(form, "session"),
        practitioner=_field(form, "practitioner") or user_of(request).name,
        plan=_field(form, "plan"),
        next=_field(form, "next"),
        next_typed=_field(form, "next_typed"),
        language=_field(form, "language"),
        product=_field(form, "product"),
        batch=_field(form, "batch"),
    )
    texts = deps.texts
    try:
        answers.name = first_name_only(answers.name)
    except NotAFirstName as refusal:
        answers.errors["name"] = plain(texts.render(language, name_refusal_key(refusal.problem)))
    if answers.plan not in plan_names(deps.plans):
        answers.plan = plan_names(deps.plans)[0]
    if answers.language and answers.language not in deps.languages:
        answers.language = ""
    now = deps.clock.now()
    answers.session_at = _moment(request, answers, "session", answers.session, Expected.PAST)
    if answers.session_at is None and "session" not in answers.errors:
        answers.session_at = now
    elif answers.session_at is not None and answers.session_at > now:
        answers.errors["session"] = _error(request, "console.enroll_bad_session")
    if answers.session_at is not None:
        answers.next_at = _next(request, answers, answers.session_at)
    return answers


def _next(request: web.Request, answers: Answers, session_at: datetime) -> datetime | None:
    zone = deps_of(request).config.clinic.timezone
    if answers.next_typed:
        typed = _moment(request, answers, "next", answers.next_typed, Expected.FUTURE)
        if typed is not None and typed <= session_at:
            answers.errors["next"] = _error(request, "console.enroll_bad_next")
            return None
        return typed
    if answers.next.startswith("w") and answers.next[1:].isdigit():
        weeks = int(answers.next[1:])
        if weeks in WEEKS:
            return same_time_weeks_later(session_at, weeks, zone)
    answers.next = "unknown"
    return None


def _moment(
    request: web.Request, answers: Answers, name: str, text: str, expected: Expected
) -> datetime | None:
    """A typed date and time, or None: empty, or refused on the field `name`."""
    if not text:
        return None
    deps, language = deps_of(request), language_of(request)
    words = day_words(deps.texts)
    zone = deps.config.clinic.timezone
    key = "console.enroll_bad_session" if name == "session" else "console.enroll_bad_next"
    try:
        typed = read_typed_moment(text, deps.clock.now(), zone, words, expected)
    except InvalidLocalTime:
        answers.errors[name] = _error(request, key)
        return None
    if isinstance(typed, AmbiguousMoment):
        answers.errors[name] = _error(
            request,
            "console.enroll_which_date",
            first=deps.views.when(language, typed.day_first, zone),
            second=deps.views.when(language, typed.month_first, zone),
        )
        return None
    return typed.at


def _error(request: web.Request, key: str, **params: object) -> str:
    deps, language = deps_of(request), language_of(request)
    example = example_input(deps.clock.now(), deps.config.clinic.timezone, days_ahead=-1)
    return plain(deps.texts.render(language, key, example=example, **params))


def _field(form: Mapping[str, object], name: str) -> str:
    return " ".join(form_text(form, name, 4 * MAX_FIELD).split())[:MAX_FIELD]
