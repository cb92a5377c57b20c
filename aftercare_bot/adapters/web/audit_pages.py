"""The audit trail, for admins: who did what and when, by Telegram id and patient code only
(the trail never holds health data)."""

from dataclasses import dataclass
from datetime import timedelta

from aiohttp import web

from aftercare_bot.adapters.web.pages import bounded_number, deps_of, language_of, render

ROUTES = web.RouteTableDef()
DAYS = 7
PER_PAGE = 100
MAX_PAGE = 10_000


@dataclass(frozen=True)
class AuditRow:
    """One event as the page shows it."""

    when: str
    who: str
    action: str
    subject: str
    detail: str


@ROUTES.get("/console/audit", name="audit")
async def audit(request: web.Request) -> web.StreamResponse:
    """The last week of the audit trail, newest first, a page at a time."""
    deps = deps_of(request)
    language, zone = language_of(request), deps.config.clinic.timezone
    page = bounded_number(request.query.get("page"), 1, 1, MAX_PAGE)
    # one more than a page: whether there is a next one
    found = await deps.reports.audit_trail(
        timedelta(days=DAYS), PER_PAGE + 1, (page - 1) * PER_PAGE
    )
    events, more = found[:PER_PAGE], len(found) > PER_PAGE
    rows = [
        AuditRow(
            when=deps.views.when(language, event.occurred_at, zone),
            who=str(event.actor_telegram_id or ""),
            action=event.action,
            subject=event.subject or "",
            detail=event.detail or "",
        )
        for event in events
    ]
    return render(request, "audit.html", rows=rows, days=DAYS, page=page, more=more)
