"""Every API request: a key in `Authorization: Bearer`, the caller's staff role read again,
the key's scope, its rate, and one JSON shape for every error (naming the field when there is
one). Nothing unexpected reaches the caller but "server_error"; its type alone is logged."""

import json
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from aiohttp import web
from pydantic import ValidationError

from aftercare_bot.adapters.web.console import DEPS, ConsoleDeps
from aftercare_bot.domain.api_keys import ApiScope
from aftercare_bot.domain.api_rate import RequestBudget
from aftercare_bot.services.api_keys import ApiCaller

logger = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
CALLER = web.RequestKey("api_caller", ApiCaller)
BUDGET = web.AppKey("api_budget", RequestBudget)
# Open to anyone: the API's description, and Cal.com's deliveries (signed instead).
PUBLIC = frozenset({"api_docs", "api_openapi", "api_calcom"})
# What a bookings key may call; everything else needs a clinical key.
BOOKINGS = frozenset({"api_enroll", "api_session", "api_appointment_set", "api_appointment_cancel"})


class ApiError(Exception):
    """An expected refusal, answered in the API's error shape."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


def error_response(
    status: int, code: str, message: str, field: str | None = None, **headers: str
) -> web.Response:
    """The one shape of every error: {"error": {"code", "message", "field"}}."""
    body = {"error": {"code": code, "message": message, "field": field}}
    return web.json_response(body, status=status, headers=headers or None)


def deps_of(request: web.Request) -> ConsoleDeps:
    """The use cases the API calls (the console's)."""
    deps: ConsoleDeps = request.app[DEPS]
    return deps


def caller_of(request: web.Request) -> ApiCaller:
    """Who the request acts for (the guard let only them through)."""
    return request[CALLER]


async def api_guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Let an API request through as its key allows, and answer every failure in JSON."""
    route = request.match_info.route.name or ""
    unmatched = getattr(request.match_info, "http_exception", None)
    if isinstance(unmatched, web.HTTPMethodNotAllowed):
        return error_response(405, "not_found", "this address does not take that method")
    if unmatched is not None:
        return error_response(404, "not_found", "no such address in the API")
    try:
        if route not in PUBLIC:
            refused = await _admit(request, route)
            if refused is not None:
                return refused
        return await handler(request)
    except ApiError as error:
        return error_response(error.status, error.code, error.message, error.field)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or None
        return error_response(422, "invalid", first["msg"], field)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return error_response(400, "invalid", "the body is not JSON text")
    except web.HTTPRequestEntityTooLarge:
        return error_response(413, "invalid", "the body is too large")
    except Exception as error:
        logger.error("api route %s failed: %s", route, type(error).__name__)
        return error_response(500, "server_error", "something went wrong on our side")


async def _admit(request: web.Request, route: str) -> web.Response | None:
    deps = deps_of(request)
    presented = request.headers.get("Authorization", "")
    scheme, _, key = presented.partition(" ")
    if scheme.lower() != "bearer" or not key.strip() or len(key) > 200:
        return error_response(
            401, "unauthorized", "send an API key as Authorization: Bearer <key>",
            **{"WWW-Authenticate": "Bearer"},
        )  # fmt: skip
    caller = await deps.api_keys.caller(key.strip())
    if caller is None:
        return error_response(
            401, "unauthorized", "this key is unknown, revoked, or its owner is no longer staff",
            **{"WWW-Authenticate": "Bearer"},
        )  # fmt: skip
    needed = ApiScope.BOOKINGS if route in BOOKINGS else ApiScope.CLINICAL
    if not caller.scope.allows(needed):
        return error_response(403, "forbidden", f"this needs a {needed.value} key")
    wait = request.app[BUDGET].take(caller.key_id, deps.clock.now())
    if wait is not None:
        seconds = str(max(1, int(wait / timedelta(seconds=1)) + 1))
        return error_response(
            429, "rate_limited", "too many requests: try again later", **{"Retry-After": seconds}
        )
    request[CALLER] = caller
    return None
