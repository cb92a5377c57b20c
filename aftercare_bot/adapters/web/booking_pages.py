"""Cal.com on the console: a patient linked once to her bookings (her e-mail as the booking
system has it, or an external id, kept only as keyed hashes), and the deliveries no link
matched, waiting for staff to say whose they are (they are dropped after two weeks)."""

from dataclasses import dataclass

from aiohttp import web

from aftercare_bot.adapters.web.pages import (
    deps_of,
    form_text,
    language_of,
    plain,
    render,
    user_of,
)
from aftercare_bot.domain.bookings import LinkKind
from aftercare_bot.domain.patients import looks_like_code, normalise_code

ROUTES = web.RouteTableDef()


@dataclass(frozen=True)
class WaitingRow:
    """A delivery waiting for staff: when, what, for when (no name, no e-mail)."""

    delivery_id: int
    received: str
    what: str
    starts: str


@ROUTES.get("/console/bookings", name="bookings")
async def bookings(request: web.Request) -> web.StreamResponse:
    """The deliveries waiting for staff."""
    return await _page(request)


@ROUTES.post("/console/bookings/{delivery_id:\\d{1,9}}/assign", name="booking_assign")
async def assign(request: web.Request) -> web.StreamResponse:
    """A waiting booking is this patient's: linked to her and applied."""
    deps, user = deps_of(request), user_of(request)
    form = await request.post()
    code = normalise_code(form_text(form, "code", 16))
    patient = await deps.requests.patient(code) if looks_like_code(code) else None
    if patient is None or patient.id is None:
        return await _page(request, status=400, said="bookings.problem_code")
    state = await deps.bookings.assign(
        int(request.match_info["delivery_id"]), patient.id, user.user_id
    )
    if state is None:
        raise web.HTTPNotFound()
    return await _page(request, said=f"bookings.assigned_{state.value}", code=patient.code)


@ROUTES.post("/console/patients/{code}/booking-link", name="booking_link")
async def link(request: web.Request) -> web.StreamResponse:
    """Link a patient to her bookings by e-mail or external id."""
    deps, user = deps_of(request), user_of(request)
    code = request.match_info["code"]
    patient = await deps.requests.patient(code) if looks_like_code(code) else None
    if patient is None or patient.id is None:
        raise web.HTTPNotFound()
    form = await request.post()
    kind = LinkKind.EXTERNAL if form.get("kind") == LinkKind.EXTERNAL.value else LinkKind.EMAIL
    value = form_text(form, "value", 254).strip()
    if not value or (kind is LinkKind.EMAIL and "@" not in value):
        return await _page(request, status=400, said="bookings.problem_value")
    linked = await deps.bookings.link(patient.id, kind, value, user.user_id)
    said = "bookings.linked" if linked else "bookings.link_taken"
    return await _page(request, status=200 if linked else 409, said=said, code=patient.code)


async def _page(
    request: web.Request, *, status: int = 200, said: str = "", **params: object
) -> web.Response:
    deps, language = deps_of(request), language_of(request)
    zone = deps.config.clinic.timezone
    texts, views = deps.texts, deps.views
    rows = [
        WaitingRow(
            delivery.id or 0,
            views.when(language, delivery.received_at, zone),
            plain(texts.render(language, f"bookings.trigger_{delivery.trigger.name.lower()}")),
            views.when(language, delivery.starts_at, zone),
        )
        for delivery in await deps.bookings.waiting()
    ]
    return render(
        request,
        "bookings.html",
        status=status,
        rows=rows,
        said=plain(texts.render(language, said, **params)) if said else "",
        problem=status >= 400,
        connected=bool(deps.config.calcom.webhook_secret.get_secret_value()),
        webhook=f"{deps.config.web.base_url}/api/calcom",
    )
