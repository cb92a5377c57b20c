"""The patients page (filtered by state, paged, searched) and one patient's timeline.

A search is a form posted, never an address: what staff type (a name) stays out of URLs,
browser history and server logs. Opening a patient's timeline is kept in the audit trail.
"""

import math
from dataclasses import dataclass
from urllib.parse import urlencode

from aiohttp import web

from aftercare_bot.adapters.telegram.views.timeline import event_line
from aftercare_bot.adapters.web.pages import (
    bounded_number,
    deps_of,
    form_text,
    language_of,
    plain,
    render,
    see_other,
    user_of,
)
from aftercare_bot.domain.patient_summary import LISTED_STATUSES, PatientSummary
from aftercare_bot.domain.patients import PatientStatus, looks_like_code
from aftercare_bot.domain.plan_versions import plan_names

ROUTES = web.RouteTableDef()
PER_PAGE = 25
MAX_SEARCH = 50
MAX_PAGE = 100_000


@dataclass(frozen=True)
class PatientRow:
    """One line of the patients page."""

    code: str
    name: str
    state: str
    session: str
    last_check_in: str
    open_incidents: int


@ROUTES.get("/console/patients", name="patients")
async def patients(request: web.Request) -> web.StreamResponse:
    """Everyone the clinic follows, newest enrollment first, a page at a time."""
    deps = deps_of(request)
    query = request.query
    status = _status(query.get("state", ""))
    page = bounded_number(query.get("page"), 1, 1, MAX_PAGE)
    practitioners = await deps.reports.practitioners()
    practitioner = query.get("practitioner", "")
    practitioner = practitioner if practitioner in practitioners else ""
    plan = query.get("plan", "")
    plan = plan if plan in plan_names(deps.plans) else ""
    rows, total = await deps.reports.patients(
        (page - 1) * PER_PAGE, PER_PAGE, None, status, practitioner or None, plan or None
    )
    pages = max(1, math.ceil(total / PER_PAGE))
    filters = {"state": status.value if status else "", "practitioner": practitioner, "plan": plan}
    return render(
        request,
        "patients.html",
        rows=[_row(request, row) for row in rows],
        total=total,
        page=page,
        pages=pages,
        filters=filters,
        paging=urlencode({key: value for key, value in filters.items() if value}),
        states=_state_choices(request),
        practitioners=practitioners,
        plans=_plan_choices(request),
        searched=None,
    )


@ROUTES.post("/console/patients/search", name="patients_search")
async def search(request: web.Request) -> web.StreamResponse:
    """Patients whose first name or code contains what was typed."""
    form = await request.post()
    text = form_text(form, "q", 64).strip()
    if not text:
        return see_other("/console/patients")
    rows, total = await deps_of(request).reports.patients(0, MAX_SEARCH, text)
    return render(
        request,
        "patients.html",
        rows=[_row(request, row) for row in rows],
        total=total,
        page=1,
        pages=1,
        filters={"state": "", "practitioner": "", "plan": ""},
        paging="",
        states=_state_choices(request),
        practitioners=await deps_of(request).reports.practitioners(),
        plans=plan_names(deps_of(request).plans)
        if len(plan_names(deps_of(request).plans)) > 1
        else [],
        searched=text,
    )


@ROUTES.get("/console/patients/{code}", name="patient")
async def patient(request: web.Request) -> web.StreamResponse:
    """One patient's follow-up, newest first (the view is audited)."""
    code = request.match_info["code"]
    if not looks_like_code(code):
        raise web.HTTPNotFound()
    deps, user = deps_of(request), user_of(request)
    found = await deps.reports.view_timeline(code, user.user_id, "console")
    if found is None:
        raise web.HTTPNotFound()
    patient_, events = found
    language = language_of(request)
    return render(
        request,
        "patient.html",
        code=patient_.code,
        name=patient_.display_name,
        state=plain(deps.texts.render(language, f"patients.state_{patient_.status.value}")),
        events=[plain(event_line(deps.views, language, event)) for event in events],
    )


def _row(request: web.Request, row: PatientSummary) -> PatientRow:
    deps = deps_of(request)
    language, texts = language_of(request), deps.texts
    session = (
        plain(
            texts.render(
                language, "patients.session", number=row.session, planned=row.sessions_planned
            )
        )
        if row.session is not None and row.sessions_planned is not None
        else ""
    )
    last = (
        deps.views.when(language, row.last_check_in, deps.config.clinic.timezone)
        if row.last_check_in is not None
        else ""
    )
    return PatientRow(
        code=row.code,
        name=row.name,
        state=plain(texts.render(language, f"patients.state_{row.status.value}")),
        session=session,
        last_check_in=last,
        open_incidents=row.open_incidents,
    )


def _state_choices(request: web.Request) -> list[tuple[str, str]]:
    deps, language = deps_of(request), language_of(request)
    return [
        (status.value, plain(deps.texts.render(language, f"patients.state_{status.value}")))
        for status in LISTED_STATUSES
    ]


def _status(text: str) -> PatientStatus | None:
    try:
        status = PatientStatus(text)
    except ValueError:
        return None
    return status if status in LISTED_STATUSES else None


def _plan_choices(request: web.Request) -> list[str]:
    """The plans to filter by, when there is more than one."""
    names = plan_names(deps_of(request).plans)
    return names if len(names) > 1 else []
