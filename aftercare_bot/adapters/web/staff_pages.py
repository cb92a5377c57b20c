"""The staff page: who is staff and as what, who is on call; admins invite and remove members.

The same use cases as /addstaff, /removestaff and /oncall. Admins come from the config (they
cannot be removed here); a member removed here is refused at once, in Telegram and in every
console session they had.
"""

from dataclasses import dataclass

from aiohttp import web

from aftercare_bot.adapters.telegram.runtime.identity import deep_link_for
from aftercare_bot.adapters.web.pages import deps_of, language_of, render, user_of

ROUTES = web.RouteTableDef()


@dataclass(frozen=True)
class MemberRow:
    """One line of the staff page."""

    user_id: int
    name: str
    admin: bool
    since: str
    on_call: bool
    member_admin: bool = False  # made admin in the console (the config's admins are not)


@ROUTES.get("/console/staff", name="staff")
async def staff(request: web.Request) -> web.StreamResponse:
    """Admins (from the config) and invited members, with who is on call."""
    return await _page(request)


@ROUTES.post("/console/staff/invite", name="staff_invite")
async def invite(request: web.Request) -> web.StreamResponse:
    """A one-time invitation link for a new member (admins)."""
    deps, user = deps_of(request), user_of(request)
    issued = await deps.requests.invite(user.user_id)
    link = deep_link_for(await deps.bot_username(), issued.token)
    expires = deps.views.when(language_of(request), issued.expires_at, deps.config.clinic.timezone)
    return await _page(request, invitation=link, expires=expires)


@ROUTES.post("/console/staff/{user_id:\\d{1,18}}/remove", name="staff_remove")
async def remove(request: web.Request) -> web.StreamResponse:
    """Remove a member (admins); their sessions end with it."""
    deps, user = deps_of(request), user_of(request)
    removed = await deps.requests.remove(user.user_id, int(request.match_info["user_id"]))
    return await _page(request, removed=removed.display_name if removed else "")


@ROUTES.post("/console/staff/{user_id:\\d{1,18}}/role", name="staff_role")
async def role(request: web.Request) -> web.StreamResponse:
    """Make a member an admin, or staff again (admins); their sessions end with the change."""
    form = await request.post()
    wanted = form.get("role")
    if wanted not in ("admin", "staff"):
        return await _page(request)
    deps, user = deps_of(request), user_of(request)
    changed = await deps.requests.set_role(
        user.user_id, int(request.match_info["user_id"]), wanted == "admin"
    )
    return await _page(request, role_changed=changed.display_name if changed else "")


@ROUTES.post("/console/staff/on-call", name="staff_on_call")
async def on_call(request: web.Request) -> web.StreamResponse:
    """ "I am on call now", as /oncall."""
    await deps_of(request).incidents.go_on_call(user_of(request).user_id)
    return await _page(request, on_call_done=True)


async def _page(request: web.Request, **shown: str | bool) -> web.Response:
    deps, language = deps_of(request), language_of(request)
    zone = deps.config.clinic.timezone
    on_call = await deps.incidents.on_call()
    admins = [
        MemberRow(admin_id, str(admin_id), True, "", admin_id == on_call)
        for admin_id in deps.config.staff.admin_ids
    ]
    members = [
        MemberRow(
            member.telegram_user_id,
            member.display_name,
            False,
            deps.views.when(language, member.added_at, zone),
            member.telegram_user_id == on_call,
            member.is_admin,
        )
        for member in await deps.requests.members()
    ]
    return render(request, "staff.html", members=admins + members, shown=shown)
