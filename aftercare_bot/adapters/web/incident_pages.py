"""The incidents page: open incidents, urgent first then oldest, each with Acknowledge and
Resolve (with its outcome), through the same use cases as the Telegram buttons.

The console sends nothing to Telegram itself: the use case stores the change, and the edits
of the Telegram posts (and the patient's "seen by") are left to the outbox, which the active
instance works through. Two staff pressing at once, in Telegram and here, meet the same
"someone got there first" rule.
"""

from dataclasses import dataclass

from aiohttp import web

from aftercare_bot.adapters.telegram.views.incidents import outcome_label
from aftercare_bot.adapters.web.pages import deps_of, language_of, plain, render, see_other, user_of
from aftercare_bot.domain.incidents import Incident, IncidentOutcome, IncidentState, IncidentUrgency
from aftercare_bot.services.escalation import AlreadyHandled

ROUTES = web.RouteTableDef()
# Messages shown once after an action (named in the redirect, never with patient data).
_DONE = {
    "acknowledged": "console.acknowledged_done",
    "resolved": "console.resolved_done",
}


@dataclass(frozen=True)
class IncidentRow:
    """One incident as the page shows it."""

    id: int
    urgent: bool
    summary: str
    opened: str
    acknowledged: str
    open: bool


@ROUTES.get("/console/incidents", name="incidents")
async def incidents(request: web.Request) -> web.StreamResponse:
    """Open incidents, urgent first, oldest first; the page reloads itself."""
    deps = deps_of(request)
    language = language_of(request)
    rows = [_row(request, incident) for incident in await deps.incidents.open_incidents()]
    outcomes = [
        (outcome.value, outcome_label(deps.views, language, outcome.value).capitalize())
        for outcome in IncidentOutcome
    ]
    done = _DONE.get(request.query.get("done", ""))
    already = request.query.get("already", "")
    return render(
        request,
        "incidents.html",
        incidents=rows,
        outcomes=outcomes,
        done=done,
        already=already if already in ("acknowledged", "resolved") else "",
        refresh_seconds=30,
    )


def _row(request: web.Request, incident: Incident) -> IncidentRow:
    deps = deps_of(request)
    language, zone = language_of(request), deps.config.clinic.timezone
    t = deps.texts
    acknowledged = ""
    if incident.acknowledged_by_name and incident.acknowledged_at is not None:
        acknowledged = plain(
            t.render(
                language,
                "console.acknowledged",
                name=incident.acknowledged_by_name,
                when=deps.views.when(language, incident.acknowledged_at, zone),
            )
        )
    assert incident.id is not None
    return IncidentRow(
        id=incident.id,
        urgent=incident.urgency == IncidentUrgency.URGENT,
        summary=plain(incident.post_text or ""),
        opened=plain(
            t.render(
                language, "console.opened", when=deps.views.when(language, incident.opened_at, zone)
            )
        ),
        acknowledged=acknowledged,
        open=incident.state == IncidentState.OPEN,
    )


@ROUTES.post("/console/incidents/{incident_id:\\d{1,18}}/acknowledge", name="incident_acknowledge")
async def acknowledge(request: web.Request) -> web.StreamResponse:
    """Take the incident, as the Telegram button does."""
    user = user_of(request)
    result = await deps_of(request).incidents.acknowledge(
        int(request.match_info["incident_id"]), user.user_id, user.name
    )
    return see_other(_after(result, "acknowledged"))


@ROUTES.post("/console/incidents/{incident_id:\\d{1,18}}/resolve", name="incident_resolve")
async def resolve(request: web.Request) -> web.StreamResponse:
    """Close the incident with what was done, as the Telegram buttons do."""
    form = await request.post()
    chosen = form.get("outcome")
    if chosen not in {outcome.value for outcome in IncidentOutcome}:
        return see_other("/console/incidents")
    user = user_of(request)
    result = await deps_of(request).incidents.resolve(
        int(request.match_info["incident_id"]),
        user.user_id,
        user.name,
        IncidentOutcome(str(chosen)),
    )
    return see_other(_after(result, "resolved"))


def _after(result: object, done: str) -> str:
    if isinstance(result, AlreadyHandled):
        state = result.incident.state
        return f"/console/incidents?already={state.value if state != IncidentState.OPEN else ''}"
    return f"/console/incidents?done={done}" if result is not None else "/console/incidents"
