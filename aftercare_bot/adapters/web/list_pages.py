"""The lists page (admins): practitioners, and products with their batches, as enrollment
offers them; near-duplicates offered for merging, in either direction, by staff's choice.

A merge rewrites the merged name on every patient and session, so statistics and the batch
safety signal count them as one from then on; it is audited.
"""

from datetime import date

from aiohttp import web

from aftercare_bot.adapters.web.pages import (
    deps_of,
    form_text,
    language_of,
    plain,
    render,
    user_of,
)
from aftercare_bot.services.clinic_lists import NAME_LIMIT

ROUTES = web.RouteTableDef()
_KINDS = ("practitioner", "product", "batch")


@ROUTES.get("/console/lists", name="lists")
async def lists(request: web.Request) -> web.StreamResponse:
    """Every practitioner and product, with their use and the likely duplicates."""
    return await _page(request)


@ROUTES.post("/console/lists/practitioners", name="lists_add_practitioner")
async def add_practitioner(request: web.Request) -> web.StreamResponse:
    """List a practitioner (a name matching a listed one is that one)."""
    form = await request.post()
    deps, user = deps_of(request), user_of(request)
    name = await deps.lists.add_practitioner(user.user_id, form_text(form, "name", NAME_LIMIT * 2))
    if name is None:
        return await _page(request, status=400, problem="lists.problem_name")
    return await _page(request, notice="lists.added", name=name)


@ROUTES.post("/console/lists/products", name="lists_add_product")
async def add_product(request: web.Request) -> web.StreamResponse:
    """List a product, with a batch and its expiry when given."""
    form = await request.post()
    deps, user = deps_of(request), user_of(request)
    expiry_text = form_text(form, "expires_on", 10)
    try:
        expires_on = date.fromisoformat(expiry_text) if expiry_text else None
    except ValueError:
        return await _page(request, status=400, problem="lists.problem_expiry")
    listed = await deps.lists.add_batch(
        user.user_id,
        form_text(form, "product", NAME_LIMIT * 2),
        form_text(form, "lot", NAME_LIMIT * 2),
        expires_on,
    )
    if listed is None:
        return await _page(request, status=400, problem="lists.problem_name")
    product, lot = listed
    return await _page(request, notice="lists.added", name=f"{product} {lot or ''}".strip())


@ROUTES.post("/console/lists/{kind:[a-z]+}/{entry_id:\\d{1,9}}/offer", name="lists_offer")
async def offer(request: web.Request) -> web.StreamResponse:
    """Offer an entry at enrollment again, or no longer."""
    form = await request.post()
    kind = request.match_info["kind"]
    if kind not in _KINDS:
        raise web.HTTPNotFound()
    deps, user = deps_of(request), user_of(request)
    changed = await deps.lists.set_active(
        user.user_id, kind, int(request.match_info["entry_id"]), form.get("offer") == "yes"
    )
    if not changed:
        raise web.HTTPNotFound()
    return await _page(request, notice="lists.offer_changed")


@ROUTES.post("/console/lists/{kind:[a-z]+}/merge", name="lists_merge")
async def merge(request: web.Request) -> web.StreamResponse:
    """Merge one entry into another (practitioners or products)."""
    form = await request.post()
    kind = request.match_info["kind"]
    merged_id, into_id = form.get("merged", ""), form.get("into", "")
    if kind not in ("practitioner", "product"):
        raise web.HTTPNotFound()
    if not (isinstance(merged_id, str) and isinstance(into_id, str)) or not (
        merged_id.isdigit() and into_id.isdigit() and len(merged_id + into_id) < 19
    ):
        return await _page(request, status=400, problem="lists.problem_merge")
    deps, user = deps_of(request), user_of(request)
    merge_into = (
        deps.lists.merge_practitioners if kind == "practitioner" else deps.lists.merge_products
    )
    done = await merge_into(user.user_id, int(merged_id), int(into_id))
    if done is None:
        return await _page(request, status=400, problem="lists.problem_merge")
    merged, into, moved = done
    return await _page(request, notice="lists.merged", merged=merged, into=into, count=moved)


async def _page(
    request: web.Request,
    *,
    status: int = 200,
    problem: str = "",
    notice: str = "",
    **params: object,
) -> web.Response:
    deps, language = deps_of(request), language_of(request)
    overview = await deps.lists.overview()
    today = deps.clock.now().astimezone(deps.config.clinic.timezone).date()
    said = notice or problem
    return render(
        request,
        "lists.html",
        status=status,
        overview=overview,
        today=today,
        said=plain(deps.texts.render(language, said, **params)) if said else "",
        problem=bool(problem),
    )
