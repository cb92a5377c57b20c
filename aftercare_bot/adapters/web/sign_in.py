"""Signing in and out: the one-time link sent by /console, the Mini App launch, sign-out.

A sign-in link is not used by opening it: Telegram and mail scanners fetch links to preview
them, which would spend a one-time link before the staff member sees it. Opening it shows a
button; pressing it (a POST) signs in. The Mini App's page reads the launch data Telegram
puts in its address (after #, so it never reaches a server log) and posts it back.
"""

from aiohttp import web

from aftercare_bot.adapters.web.guard import cookie_name
from aftercare_bot.adapters.web.pages import USER, deps_of, problem, render, see_other
from aftercare_bot.domain.console_access import verify_launch_data

ROUTES = web.RouteTableDef()


async def home(request: web.Request) -> web.StreamResponse:
    """The console's front door: the incidents, or how to sign in."""
    if request.get(USER) is None:
        return problem(request, 401, "console.not_signed_in")
    return see_other("/console/incidents")


@ROUTES.get("/console/sign-in/{secret}", name="sign_in_form")
async def sign_in_form(request: web.Request) -> web.StreamResponse:
    """The page a sign-in link opens: one button, which signs in."""
    return render(request, "sign_in.html", secret=request.match_info["secret"])


@ROUTES.post("/console/sign-in", name="sign_in")
async def sign_in(request: web.Request) -> web.StreamResponse:
    """Use the link: a session cookie and the incidents, or why not."""
    form = await request.post()
    secret = form.get("secret")
    deps = deps_of(request)
    signed_in = await deps.access.sign_in(secret) if isinstance(secret, str) and secret else None
    if signed_in is None:
        return problem(request, 403, "console.sign_in_refused")
    response = see_other("/console/incidents")
    _set_cookie(request, response, signed_in.secret)
    return response


@ROUTES.get("/console/app", name="mini_app")
async def mini_app(request: web.Request) -> web.StreamResponse:
    """The Mini App's first page: its script posts Telegram's launch data back."""
    return render(request, "mini_app.html")


@ROUTES.post("/console/app/launch", name="mini_app_launch")
async def mini_app_launch(request: web.Request) -> web.StreamResponse:
    """Launch data whose signature holds and that names a staff member opens a session."""
    deps = deps_of(request)
    form = await request.post()
    init_data = form.get("init_data")
    user = (
        verify_launch_data(init_data, deps.bot_token, deps.clock.now())
        if isinstance(init_data, str)
        else None
    )
    signed_in = await deps.access.launch(user) if user is not None else None
    if signed_in is None or user is None:
        return problem(request, 403, "console.mini_app_refused")
    spoken = (user.language_code or "").split("-")[0].lower()
    await deps.staff.saw_language(user.user_id, spoken if spoken in deps.languages else None)
    response = see_other("/console/incidents")
    _set_cookie(request, response, signed_in.secret)
    return response


@ROUTES.post("/console/sign-out", name="sign_out")
async def sign_out(request: web.Request) -> web.StreamResponse:
    """End this session and forget the cookie."""
    deps = deps_of(request)
    name = cookie_name(deps.config.web.secure)
    secret = request.cookies.get(name, "")
    if secret:
        await deps.access.sign_out(secret)
    request.pop(USER, None)  # the page that says so shows nobody signed in
    response = problem(request, 200, "console.signed_out")
    response.del_cookie(name, path="/")
    return response


def _set_cookie(request: web.Request, response: web.StreamResponse, secret: str) -> None:
    config = deps_of(request).config.web
    response.set_cookie(
        cookie_name(config.secure),
        secret,
        path="/",
        httponly=True,
        secure=config.secure,
        samesite="Strict",
    )
