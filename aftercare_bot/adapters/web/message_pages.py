"""Message patient, from the console: write, check, Send (or Cancel), as in Telegram.

The text goes through the same relay as the Telegram prompt: a draft of its own, refused with
the reason when the patient can no longer be written to, sent only by its author after they
have read it back, exactly once, signed with their name, through the outbox (so a standby's
console sends nothing itself).
"""

from aiohttp import web

from aftercare_bot.adapters.web.pages import (
    deps_of,
    form_text,
    language_of,
    plain,
    render,
    see_other,
    user_of,
)
from aftercare_bot.domain.relay import MAX_RELAY_TEXT
from aftercare_bot.services.relay import Cancelled, Drafted, Refused, Sent

ROUTES = web.RouteTableDef()


@ROUTES.get("/console/incidents/{incident_id:\\d{1,18}}/message", name="message_form")
async def message_form(request: web.Request) -> web.StreamResponse:
    """The form for the incident's patient."""
    deps = deps_of(request)
    found = await deps.incidents.with_patient(int(request.match_info["incident_id"]))
    incident, patient = found if found is not None else (None, None)
    if incident is None or patient is None:
        return _refused(request, "relay.unavailable")
    return render(
        request,
        "message.html",
        incident_id=incident.id,
        name=patient.display_name,
        code=patient.code,
        limit=MAX_RELAY_TEXT,
    )


@ROUTES.post("/console/incidents/{incident_id:\\d{1,18}}/message", name="message_draft")
async def message_draft(request: web.Request) -> web.StreamResponse:
    """The text as a draft, shown back with Send and Cancel."""
    form = await request.post()
    text = form_text(form, "text", 2 * MAX_RELAY_TEXT)  # longer is refused with the reason
    if not text.strip():
        return see_other(f"/console/incidents/{request.match_info['incident_id']}/message")
    user = user_of(request)
    drafted = await deps_of(request).relay.compose(
        int(request.match_info["incident_id"]), user.user_id, user.name, text.strip()
    )
    if drafted is None:
        return _refused(request, "relay.unavailable")
    if isinstance(drafted, Refused):
        return _refusal(request, drafted, len(text))
    return _confirmation(request, drafted)


@ROUTES.post("/console/relay/{draft_id:\\d{1,18}}/send", name="message_send")
async def message_send(request: web.Request) -> web.StreamResponse:
    """Send the draft (its author only, once)."""
    return await _act(request, send=True)


@ROUTES.post("/console/relay/{draft_id:\\d{1,18}}/cancel", name="message_cancel")
async def message_cancel(request: web.Request) -> web.StreamResponse:
    """Drop the draft (its author only)."""
    return await _act(request, send=False)


async def _act(request: web.Request, *, send: bool) -> web.StreamResponse:
    deps, user = deps_of(request), user_of(request)
    draft_id = int(request.match_info["draft_id"])
    relay = deps.relay
    outcome: Sent | Cancelled | Refused = await (
        relay.send(draft_id, user.user_id) if send else relay.cancel(draft_id, user.user_id)
    )
    if isinstance(outcome, Refused):
        return _refusal(request, outcome)
    texts, language = deps.texts, language_of(request)
    draft = outcome.draft
    if isinstance(outcome, Cancelled):
        said = texts.render(language, "relay.cancelled", staff=draft.staff_name)
    else:
        said = texts.render(
            language,
            "relay.sent",
            name=outcome.patient.display_name,
            code=outcome.patient.code,
            staff=draft.staff_name,
            text=draft.text or "",
        )
    return render(request, "message_done.html", said=plain(said))


def _confirmation(request: web.Request, drafted: Drafted) -> web.Response:
    draft, patient = drafted.draft, drafted.patient
    return render(
        request,
        "message_confirm.html",
        draft_id=draft.id,
        name=patient.display_name,
        code=patient.code,
        text=draft.text or "",
    )


def _refusal(request: web.Request, refused: Refused, length: int = 0) -> web.Response:
    deps = deps_of(request)
    said = deps.texts.render(
        language_of(request),
        f"relay.refused_{refused.reason.value}",
        staff=refused.draft.staff_name if refused.draft else "",
        length=length,
        limit=MAX_RELAY_TEXT,
    )
    return render(request, "message_done.html", status=409, said=plain(said))


def _refused(request: web.Request, key: str) -> web.Response:
    said = deps_of(request).texts.render(language_of(request), key)
    return render(request, "message_done.html", status=409, said=plain(said))
