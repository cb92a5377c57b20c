"""Cal.com's webhook: the signature checked on the raw body before anything is read, the
delivery kept once and applied to the patient it is linked to (see services/bookings.py)."""

from aiohttp import web

from aftercare_bot.adapters.api.guard import ApiError, deps_of
from aftercare_bot.domain.bookings import InvalidDelivery, read_delivery, signature_holds
from aftercare_bot.services.bookings import hash_key

ROUTES = web.RouteTableDef()
SIGNATURE_HEADER = "X-Cal-Signature-256"


@ROUTES.post("/api/calcom", name="api_calcom")
async def delivery(request: web.Request) -> web.StreamResponse:
    """One delivery from Cal.com."""
    deps = deps_of(request)
    secret = deps.config.calcom.webhook_secret.get_secret_value()
    if not secret:
        raise ApiError(404, "not_found", "Cal.com is not connected (set calcom.webhook_secret)")
    body = await request.read()
    if not signature_holds(secret, body, request.headers.get(SIGNATURE_HEADER)):
        raise ApiError(401, "unauthorized", f"{SIGNATURE_HEADER} does not match the body")
    try:
        event = read_delivery(body, await hash_key(deps.units, deps.clock))
    except InvalidDelivery as error:
        raise ApiError(422, "invalid", str(error)) from None
    if event is None:
        return web.json_response({"received": True, "state": "ignored"})
    state = await deps.bookings.receive(event)
    return web.json_response({"received": True, "state": state.value if state else "repeat"})
