"""The API keys page (admins): every key with its owner, scope and last use; a new key shown
once; revoking. A key acts for its owner, and stops with their removal from staff."""

from aiohttp import web

from aftercare_bot.adapters.web.pages import deps_of, form_text, language_of, plain, render, user_of
from aftercare_bot.domain.api_keys import ApiScope

ROUTES = web.RouteTableDef()


@ROUTES.get("/console/api-keys", name="api_keys")
async def api_keys(request: web.Request) -> web.StreamResponse:
    """Every key, newest first."""
    return await _page(request)


@ROUTES.post("/console/api-keys", name="api_key_create")
async def create(request: web.Request) -> web.StreamResponse:
    """A new key for a staff member, shown once."""
    deps, user = deps_of(request), user_of(request)
    form = await request.post()
    owner, scope = form.get("owner", ""), form.get("scope", "")
    if not (isinstance(owner, str) and owner.isdigit() and len(owner) < 19) or scope not in (
        ApiScope.BOOKINGS.value,
        ApiScope.CLINICAL.value,
    ):
        return await _page(request, status=400, problem="apikeys.problem_owner")
    made = await deps.api_keys.create(
        user.user_id, int(owner), form_text(form, "label", 64), ApiScope(str(scope))
    )
    if made is None:
        return await _page(request, status=400, problem="apikeys.problem_owner")
    return await _page(request, secret=made[0])


@ROUTES.post("/console/api-keys/{key_id:\\d{1,9}}/revoke", name="api_key_revoke")
async def revoke(request: web.Request) -> web.StreamResponse:
    """Revoke a key at once."""
    deps, user = deps_of(request), user_of(request)
    if not await deps.api_keys.revoke(user.user_id, int(request.match_info["key_id"])):
        raise web.HTTPNotFound()
    return await _page(request, notice="apikeys.revoked")


async def _page(
    request: web.Request,
    *,
    status: int = 200,
    problem: str = "",
    notice: str = "",
    secret: str = "",
) -> web.Response:
    deps, language = deps_of(request), language_of(request)
    zone = deps.config.clinic.timezone
    keys = await deps.api_keys.listing()
    members = await deps.requests.members()
    known = {listed.key.user_id: listed.owner for listed in keys}  # admins' names included
    owners = [(i, known.get(i, str(i))) for i in deps.config.staff.admin_ids]
    owners += [(member.telegram_user_id, member.display_name) for member in members]
    said = problem or notice
    return render(
        request,
        "api_keys.html",
        status=status,
        keys=[
            (
                listed,
                deps.views.when(language, listed.key.created_at, zone),
                deps.views.when(language, listed.key.last_used_at, zone)
                if listed.key.last_used_at
                else "",
            )
            for listed in keys
        ],
        owners=owners,
        me=user_of(request).user_id,
        secret=secret,
        said=plain(deps.texts.render(language, said)) if said else "",
        problem=bool(problem),
    )
