"""The plans pages (admins): every plan with its versions and who follows each; the editor
(steps, their times and their sentences in every offered language), its preview on a sample
session, saving a new version; duplicating a plan; moving patients to the newest version.

A version is saved only when every field reads and every sentence checks; nobody's messages
move when one is saved. "Move these patients" is the one action that re-plans patients, once.
"""

import html
from dataclasses import dataclass
from datetime import time, timedelta
from zoneinfo import ZoneInfo

from aiohttp import web
from multidict import MultiDictProxy

from aftercare_bot.adapters.web.console import ConsoleDeps
from aftercare_bot.adapters.web.pages import (
    deps_of,
    form_text,
    language_of,
    plain,
    render,
    user_of,
)
from aftercare_bot.domain.plan_forms import (
    KINDS,
    WHEN,
    FieldProblem,
    PlanForm,
    StepRow,
    form_of,
    read_form,
    step_field,
    valid_plan_name,
)
from aftercare_bot.domain.plan_model import InvalidPlan, Plan
from aftercare_bot.domain.plan_versions import TEXT_LIMIT, PlanVersion, read_version
from aftercare_bot.domain.plans import expand
from aftercare_bot.domain.quiet_hours import wall_clock
from aftercare_bot.services.plan_versions import PlanEditing, stored_versions
from aftercare_bot.texts import format_hours

ROUTES = web.RouteTableDef()
# The most steps a plan's form takes (the shipped plan has seven).
MAX_STEPS = 40
_NAME = "{name:[a-z0-9-]{1,40}}"


@dataclass(frozen=True)
class VersionRow:
    """One version on the plans page."""

    key: str
    version: int
    saved: str
    patients: int


@dataclass(frozen=True)
class PlanRow:
    """One plan on the plans page: its versions, newest first."""

    name: str
    newest: VersionRow
    versions: list[VersionRow]
    on_older: int  # open courses on an older version


@dataclass(frozen=True)
class PreviewRow:
    """One message of the preview."""

    when: str
    what: str
    text: str
    past: bool


def _editing(deps: ConsoleDeps) -> PlanEditing:
    return PlanEditing(deps.units, deps.clock)


async def _versions(deps: ConsoleDeps) -> dict[str, list[PlanVersion]]:
    """Every stored version by plan, oldest first; the file's plans when none is stored yet."""
    by_plan: dict[str, list[PlanVersion]] = {}
    for version in await stored_versions(deps.units):
        by_plan.setdefault(version.plan_name, []).append(version)
    return by_plan


@ROUTES.get("/console/plans", name="plans")
async def plans(request: web.Request) -> web.StreamResponse:
    """Every plan, its versions and who follows each."""
    return await _list(request)


async def _list(
    request: web.Request, *, status: int = 200, said: str = "", **params: object
) -> web.Response:
    deps, language = deps_of(request), language_of(request)
    zone = deps.config.clinic.timezone
    counts = await _editing(deps).patients_per_version()
    rows = []
    for name, versions in (await _versions(deps)).items():
        shown = [
            VersionRow(
                v.key,
                v.version,
                deps.views.when(language, v.created_at, zone)
                + (f" · {v.created_by_name}" if v.created_by_name else ""),
                counts.get(v.key, 0),
            )
            for v in reversed(versions)
        ]
        rows.append(PlanRow(name, shown[0], shown, sum(v.patients for v in shown[1:])))
    text = plain(deps.texts.render(language, said, **params)) if said else ""
    return render(
        request, "plans.html", status=status, plans=rows, said=text, problem=status >= 400
    )


@ROUTES.get(f"/console/plans/{_NAME}", name="plan_edit")
async def edit(request: web.Request) -> web.StreamResponse:
    """The newest version in the editor."""
    deps = deps_of(request)
    versions = (await _versions(deps)).get(request.match_info["name"])
    if not versions:
        raise web.HTTPNotFound()
    newest = versions[-1]
    form = form_of(newest, deps.texts.languages, deps.texts.raw)
    return _editor(request, newest.plan_name, newest.version, form)


@ROUTES.post(f"/console/plans/{_NAME}/preview", name="plan_preview")
async def preview(request: web.Request) -> web.StreamResponse:
    """The form read back, with its mistakes or the dated messages of a sample session."""
    name, after, form, posted = await _posted(request)
    return _editor(request, name, after, form, preview=True, posted=posted)


@ROUTES.post(f"/console/plans/{_NAME}/save", name="plan_save")
async def save(request: web.Request) -> web.StreamResponse:
    """Save the form as the next version, when everything in it checks."""
    deps, user = deps_of(request), user_of(request)
    name, after, form, posted = await _posted(request)
    read = _read(deps, name, after, form)
    if isinstance(read, list):
        return _editor(request, name, after, form, problems=read, status=400, posted=posted)
    version, _plan = read
    saved = await _editing(deps).save(
        user.user_id, user.name, name, after, version.table, version.texts
    )
    if saved.taken:
        return _editor(request, name, after, form, status=409, said="plans.taken", posted=posted)
    await deps.live.refresh(deps.units)  # this instance enrolls on it at once
    return await _list(request, said="plans.saved", name=name, version=after + 1)


@ROUTES.post(f"/console/plans/{_NAME}/duplicate", name="plan_duplicate")
async def duplicate(request: web.Request) -> web.StreamResponse:
    """A new plan, version 1, with the newest version's steps and sentences."""
    deps, user = deps_of(request), user_of(request)
    form = await request.post()
    new_name = form_text(form, "new_name", 64).strip()
    versions = await _versions(deps)
    source = versions.get(request.match_info["name"])
    if not source:
        raise web.HTTPNotFound()
    if not valid_plan_name(new_name) or new_name in versions:
        return await _list(request, status=400, said="plans.problem_name")
    newest = source[-1]
    saved = await _editing(deps).save(
        user.user_id, user.name, new_name, 0, newest.table, newest.texts
    )
    if saved.taken:
        return await _list(request, status=400, said="plans.problem_name")
    await deps.live.refresh(deps.units)
    return await _list(request, said="plans.duplicated", name=new_name)


@ROUTES.post(f"/console/plans/{_NAME}/move", name="plan_move")
async def move(request: web.Request) -> web.StreamResponse:
    """Move every patient on an older version of the plan to the newest, re-planning their
    future plan messages once."""
    deps, user = deps_of(request), user_of(request)
    name = request.match_info["name"]
    versions = (await _versions(deps)).get(name)
    await deps.live.refresh(deps.units)  # the newest version, even if saved on another instance
    newest = deps.plans.current(name)
    if not versions or newest is None:
        raise web.HTTPNotFound()
    older = [v.key for v in versions if v.key != newest.name]
    moved = await _editing(deps).move_patients(
        user.user_id, older, newest, deps.config.schedule.quiet_hours
    )
    deps.wake.wake()  # what is due now goes out
    return await _list(
        request, said="plans.moved", count=moved.moved, replanned=moved.replanned, name=name
    )


async def _posted(request: web.Request) -> tuple[str, int, PlanForm, MultiDictProxy[str | bytes]]:
    deps = deps_of(request)
    name = request.match_info["name"]
    form = await request.post()
    versions = (await _versions(deps)).get(name)
    if not versions:
        raise web.HTTPNotFound()
    after = form.get("after", "")
    newest = versions[-1].version
    number = int(after) if isinstance(after, str) and after.isdigit() and len(after) < 6 else newest
    count = form.get("steps", "")
    rows = int(count) if isinstance(count, str) and count.isdigit() and len(count) < 3 else 0
    languages = deps.texts.languages
    steps = [_step_row(form, index, languages) for index in range(min(rows, MAX_STEPS))]
    plan = PlanForm(form_text(form, "sessions", 8), form_text(form, "spacing", 16), steps)
    return name, number, plan, form  # type: ignore[return-value]


def _step_row(form: object, index: int, languages: tuple[str, ...]) -> StepRow:
    def text(name: str, limit: int = 64) -> str:
        return form_text(form, step_field(index, name), limit)  # type: ignore[arg-type]

    return StepRow(
        key=text("key").strip(),
        when=text("when", 8),
        value=text("value", 16),
        at=text("at", 8),
        kind=text("kind", 16),
        valid_for=text("valid_for", 16),
        reassurance=text("reassurance", 4) == "yes",
        message=text("message", 64),
        texts={code: text(f"text-{code}", TEXT_LIMIT + 1) for code in languages},
        remove=text("remove", 4) == "yes",
    )


def _read(
    deps: ConsoleDeps, name: str, after: int, form: PlanForm
) -> tuple[PlanVersion, Plan] | list[FieldProblem]:
    """The version the form makes, and its plan; or every mistake."""
    read = read_form(form, deps.texts.languages, deps.texts.raw)
    if isinstance(read, list):
        return read
    table, texts = read
    version = PlanVersion(name, after + 1, table, texts, deps.clock.now())
    try:
        plan = read_version(version, deps.texts.keys(), deps.config.schedule.grace)
    except InvalidPlan as error:
        return [FieldProblem("plan", "problem_plan", {"detail": "; ".join(error.problems)})]
    return version, plan


def _editor(
    request: web.Request,
    name: str,
    after: int,
    form: PlanForm,
    *,
    preview: bool = False,
    problems: list[FieldProblem] | None = None,
    status: int = 200,
    said: str = "",
    posted: object = None,
) -> web.Response:
    deps, language = deps_of(request), language_of(request)
    texts = deps.texts
    rows: list[PreviewRow] = []
    zones = [str(zone) for zone in deps.config.clinic.zones_offered]
    chosen_zone = _chosen(posted, "zone", zones)
    chosen_language = _chosen(posted, "language", list(texts.languages))
    if preview and problems is None:
        read = _read(deps, name, after, form)
        if isinstance(read, list):
            problems, status = read, 400
        else:
            rows = _preview(deps, language, chosen_language, ZoneInfo(chosen_zone), read)
    marked = {p.field_name: _problem_text(deps, language, p) for p in problems or []}
    blank = StepRow(texts=dict.fromkeys(texts.languages, ""))
    return render(
        request,
        "plan_edit.html",
        status=status,
        name=name,
        after=after,
        form=form,
        steps=[*form.steps, blank] if len(form.steps) < MAX_STEPS else form.steps,
        kinds=KINDS,
        anchors=WHEN,
        languages=[(code, texts.render(code, "meta.language_name")) for code in texts.languages],
        marked=marked,
        preview=rows,
        previewed=preview and not marked,
        zones=zones,
        zone=chosen_zone,
        preview_language=chosen_language,
        said=plain(texts.render(language, said)) if said else "",
        field=step_field,
        limit=TEXT_LIMIT,
        next_version=after + 1,
    )


def _chosen(posted: object, name: str, choices: list[str]) -> str:
    value = posted.get(name) if isinstance(posted, MultiDictProxy) else None
    return value if isinstance(value, str) and value in choices else choices[0]


def _problem_text(deps: ConsoleDeps, language: str, problem: FieldProblem) -> str:
    return plain(deps.texts.render(language, f"plans.{problem.problem}", **problem.params))


def _preview(
    deps: ConsoleDeps,
    staff_language: str,
    language: str,
    zone: ZoneInfo,
    read: tuple[PlanVersion, Plan],
) -> list[PreviewRow]:
    """The messages of a sample session tomorrow at 10:00 in `zone`, linked an hour later,
    the next appointment one spacing after, each with its sentence in `language`."""
    version, plan = read
    texts, views, config = deps.texts, deps.views, deps.config
    now = deps.clock.now()
    tomorrow = now.astimezone(zone).date() + timedelta(days=1)
    session = wall_clock(tomorrow, time(10, 0), zone)
    appointment = session + plan.spacing
    planned = expand(
        plan,
        session_at=session,
        linked_at=session + timedelta(hours=1),
        next_appointment_at=appointment,
        zone=zone,
        quiet=config.schedule.quiet_hours,
    )
    samples = {
        "name": "Anna",
        "practitioner": plain(texts.render(staff_language, "plans.sample_practitioner")),
        "appointment": views.when(language, appointment, zone),
        "clinic": config.clinic.name,
        "phone": config.clinic.phone,
        "emergency": config.clinic.emergency_number,
        "hours": format_hours(config.clinic.hours, language),
    }
    steps = {step.key: step for step in plan.steps}
    rows = []
    for message in planned:
        own = version.texts.get(message.step_key, {})
        sentence = own.get(language) or texts.raw(language, steps[message.step_key].message_key)
        filled = (sentence or "").format(**{k: html.escape(v) for k, v in samples.items()})
        due = message.due_at
        rows.append(
            PreviewRow(
                when=views.when(staff_language, due, zone) if due else "",
                what=plain(
                    texts.render(
                        staff_language, f"enroll.kind_{message.kind.value}", step=message.step_key
                    )
                ),
                text=plain(filled),
                past=due is not None and due < now,
            )
        )
    return rows
