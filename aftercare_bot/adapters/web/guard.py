"""What stands before every console route: security headers, the session behind the cookie,
the role read from the database, the CSRF token of every form, and errors answered without a
trace.

Nothing about a request's path or query is logged (a patient's code is in some paths): one
line per request names the route, the status and the time taken.
"""

import hmac
import logging
import time
from collections.abc import Awaitable, Callable

from aiohttp import web

from aftercare_bot.adapters.web.pages import LANGUAGE, USER, deps_of, problem

logger = logging.getLogger(__name__)

COOKIE = "console_session"
SECURE_COOKIE = "__Host-console_session"  # with https: bound to this host, path / and Secure
PUBLIC = frozenset({"home", "sign_in_form", "sign_in", "mini_app", "mini_app_launch", "static"})
# As in Telegram: /export, /addstaff and /removestaff are the admins'; so are the settings,
# the lists and the plans.
ADMIN_ONLY = frozenset(
    {
        "api_keys",
        "api_key_create",
        "api_key_revoke",
        "audit",
        "export",
        "export_csv",
        "lists",
        "lists_add_practitioner",
        "lists_add_product",
        "lists_merge",
        "lists_offer",
        "plans",
        "plan_duplicate",
        "plan_edit",
        "plan_move",
        "plan_preview",
        "plan_save",
        "settings",
        "settings_save",
        "staff_invite",
        "staff_remove",
        "staff_role",
    }
)
# The HTTP API's addresses: keys instead of sessions, JSON instead of pages.
API_PREFIX = "/api/"
# Telegram's web clients show a Mini App in a frame; nobody else may frame the console.
FRAME_ANCESTORS = "https://web.telegram.org"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def cookie_name(secure: bool) -> str:
    """The session cookie's name: with the `__Host-` prefix behind https."""
    return SECURE_COOKIE if secure else COOKIE


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every answer: no caching of patient data, no framing but Telegram's, scripts and styles
    only from the console itself, and no referrer to other sites (a sign-in link is in a
    path); within the console it is sent, so that forms carry their true Origin."""
    started = time.perf_counter()
    try:
        response = await handler(request)
    except web.HTTPException as error:  # answered as a plain response, headers added
        response = web.Response(status=error.status, text=error.text, headers=error.headers)
    headers = response.headers
    headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors {FRAME_ANCESTORS}"
    )
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    headers["Cache-Control"] = "no-store"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if deps_of(request).config.web.secure:
        headers["Strict-Transport-Security"] = "max-age=31536000"
    route = request.match_info.route.name or "unknown"
    elapsed = (time.perf_counter() - started) * 1000
    # The server's own time for the page, as browsers' developer tools and the benchmark read it
    headers["Server-Timing"] = f"app;dur={elapsed:.2f}"
    logger.info("console %s %s %s %.0fms", request.method, route, response.status, elapsed)
    return response


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Let a request through only as its route allows: public routes to anyone; the rest to a
    live session of someone who is staff as of now; admin pages to admins; every form only with
    its session's CSRF token. Expected refusals are short pages; anything else is logged by
    its type only and answered with a plain 500 page."""
    if request.path.startswith(API_PREFIX):
        # the API answers in JSON and checks keys, not sessions (adapters/api/guard.py)
        from aftercare_bot.adapters.api.guard import api_guard

        return await api_guard(request, handler)
    route = request.match_info.route.name
    deps = deps_of(request)
    unmatched = getattr(request.match_info, "http_exception", None)
    if isinstance(unmatched, web.HTTPMethodNotAllowed):
        return problem(request, 405, "console.not_found")
    if unmatched is not None:
        return problem(request, 404, "console.not_found")
    if request.method == "POST" and not _same_origin(request):
        # a form posted from another site (sign-in included: nobody is signed in to another
        # person's session by a page they happened to visit)
        return problem(request, 403, "console.bad_request")
    try:
        secret = request.cookies.get(cookie_name(deps.config.web.secure), "")
        user = await deps.access.who(secret) if secret else None
        if user is not None:
            request[USER] = user
            request[LANGUAGE] = deps.texts.language_for(user.language, deps.config.clinic.language)
        if route in PUBLIC:
            return await handler(request)
        if user is None:
            return problem(request, 401, "console.not_signed_in")
        if route in ADMIN_ONLY and not user.is_admin:
            return problem(request, 403, "console.forbidden")
        if request.method == "POST" and not await _csrf_holds(request, user.csrf_token):
            return problem(request, 403, "console.bad_request")
        return await handler(request)
    except web.HTTPNotFound:
        return problem(request, 404, "console.not_found")
    except UnicodeDecodeError:  # a form body that is not text: a client's fault, not ours
        return problem(request, 400, "console.bad_request")
    except web.HTTPException:
        raise
    except Exception as error:
        logger.error("console route %s failed: %s", route, type(error).__name__)
        return problem(request, 500, "console.server_error")


async def _csrf_holds(request: web.Request, expected: str) -> bool:
    form = await request.post()
    sent = form.get("csrf")
    return isinstance(sent, str) and hmac.compare_digest(sent.encode(), expected.encode())


def _same_origin(request: web.Request) -> bool:
    """Whether a POST comes from the console's own pages: browsers send `Origin` with every
    form post; one naming another site is refused. (No `Origin`: not a browser's form.)"""
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    allowed = {f"{request.scheme}://{request.host}", deps_of(request).config.web.base_url}
    return origin in allowed
