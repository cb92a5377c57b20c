"""The export: the check-ins and incidents of the last days as a CSV file, as /export sends
it (the same use case, the same audit entry)."""

from datetime import timedelta

from aiohttp import web

from aftercare_bot.adapters.web.pages import bounded_number, deps_of, render, user_of
from aftercare_bot.domain.csv_safety import csv_bytes

ROUTES = web.RouteTableDef()
DEFAULT_DAYS = 30
MAX_DAYS = 365


@ROUTES.get("/console/export", name="export")
async def export_form(request: web.Request) -> web.StreamResponse:
    """How many days, and the button."""
    return render(request, "export.html", days=DEFAULT_DAYS, max_days=MAX_DAYS)


@ROUTES.post("/console/export", name="export_csv")
async def export_csv(request: web.Request) -> web.StreamResponse:
    """The CSV file, downloaded (never cached: it is health data)."""
    form = await request.post()
    days = bounded_number(form.get("days"), DEFAULT_DAYS, 1, MAX_DAYS)
    rows = await deps_of(request).reports.export(timedelta(days=days), user_of(request).user_id)
    return web.Response(
        body=csv_bytes(rows),  # cells a spreadsheet would run as formulas are neutralised
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="aftercare-{days}-days.csv"'},
    )
