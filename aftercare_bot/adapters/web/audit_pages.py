"""The audit trail, for admins: who did what and when, by Telegram id and patient code only
(the trail never holds health data)."""

from dataclasses import dataclass
from datetime import timedelta

from aiohttp import web

from aftercare_bot.adapters.web.pages import deps_of, language_of, render

ROUTES = web.RouteTableDef()
DAYS = 7
MAX_ROWS = 500


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
    """The last week of the audit trail, newest first."""
    deps = deps_of(request)
    language, zone = language_of(request), deps.config.clinic.timezone
    events = await deps.reports.audit_trail(timedelta(days=DAYS), MAX_ROWS)
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
    return render(request, "audit.html", rows=rows, days=DAYS)
