"""The API's operations: each reads its body with its model, calls the same use case as the
console and Telegram, acting for the key's owner, and answers with its model.

`bookings` operations (enroll, sessions, appointments) answer with codes, links and dates
only; everything about a patient's health needs a `clinical` key (the guard decides).
"""

import asyncio
import base64
from datetime import UTC, date, datetime, time
from typing import TypeVar

from aiohttp import web
from pydantic import BaseModel

from aftercare_bot.adapters.api.guard import ApiError, caller_of, deps_of
from aftercare_bot.adapters.api.models import (
    AppointmentBody,
    AppointmentSet,
    Discharged,
    EnrollBody,
    Enrolled,
    IncidentDone,
    IncidentLine,
    IncidentList,
    PatientLine,
    PatientList,
    ResolveBody,
    SessionBody,
    SessionRecorded,
)
from aftercare_bot.adapters.telegram.runtime.identity import deep_link_for
from aftercare_bot.adapters.telegram.views.qr import qr_png
from aftercare_bot.adapters.web.pages import bounded_number
from aftercare_bot.domain.incidents import Incident
from aftercare_bot.domain.patient_names import NotAFirstName
from aftercare_bot.domain.patients import Enrollment, Patient, normalise_code
from aftercare_bot.domain.plan_versions import plan_names
from aftercare_bot.services.courses import CourseComplete
from aftercare_bot.services.escalation import AlreadyHandled

ROUTES = web.RouteTableDef()
PAGE_SIZE = 100
_CODE = "{code:[A-Za-z0-9-]{1,12}}"
Body = TypeVar("Body", bound=BaseModel)


async def _body(request: web.Request, model: type[Body]) -> Body:
    """The request's JSON body read with `model` (a mistake names its field)."""
    return model.model_validate_json(await request.read())


def _json(model: BaseModel, status: int = 200) -> web.Response:
    return web.json_response(text=model.model_dump_json(), status=status)


async def _patient(request: web.Request) -> Patient:
    found = await deps_of(request).requests.patient(normalise_code(request.match_info["code"]))
    if found is None or found.id is None:
        raise ApiError(404, "not_found", "no patient with this code", "code")
    return found


@ROUTES.post("/api/v1/patients", name="api_enroll")
async def enroll(request: web.Request) -> web.StreamResponse:
    """Enroll a patient after her session: her code, one-time link and its QR code."""
    deps, caller = deps_of(request), caller_of(request)
    body = await _body(request, EnrollBody)
    config = deps.config
    plan = body.plan or config.schedule.default_plan
    if plan not in plan_names(deps.plans):
        raise ApiError(422, "invalid", f"no plan {plan!r}", "plan")
    if body.language is not None and body.language not in deps.texts.languages:
        raise ApiError(422, "invalid", "the clinic does not offer this language", "language")
    if body.next_appointment_at is not None and body.next_appointment_at <= body.session_at:
        raise ApiError(422, "invalid", "the next appointment must follow the session",
                       "next_appointment_at")  # fmt: skip
    enrollment = Enrollment(
        display_name=body.first_name,
        session_at=body.session_at,
        practitioner=body.practitioner or caller.name,
        plan_name=plan,
        timezone=str(config.clinic.timezone),
        language=body.language,
        next_appointment_at=body.next_appointment_at,
        product=body.product,
        batch=body.batch,
        enrolled_by=caller.user_id,
    )
    try:
        username = await deps.bot_username()
    except LookupError:
        raise ApiError(503, "server_error", "the bot has not started yet") from None
    try:
        enrolled, issued = await deps.requests.enroll(enrollment)
    except NotAFirstName:
        raise ApiError(422, "invalid", "a first name only, please", "first_name") from None
    link = deep_link_for(username, issued.token)
    return _json(
        Enrolled(
            code=enrolled.patient.code,
            link=link,
            link_expires_at=issued.expires_at,
            qr_png_base64=base64.b64encode(qr_png(link)).decode("ascii"),
        ),
        status=201,
    )


@ROUTES.post(f"/api/v1/patients/{_CODE}/sessions", name="api_session")
async def session(request: web.Request) -> web.StreamResponse:
    """Record the patient's next session (a second call for the same moment records one)."""
    deps, caller = deps_of(request), caller_of(request)
    body = await _body(request, SessionBody)
    patient = await _patient(request)
    if body.held_at > deps.clock.now():
        raise ApiError(422, "invalid", "a session already held, please", "held_at")
    outcome = await deps.requests.record_session(patient.id or 0, body.held_at, caller.user_id)
    if outcome is None:
        raise ApiError(409, "conflict", "the patient has no open course")
    if isinstance(outcome, CourseComplete):
        raise ApiError(409, "conflict", "every planned session is already recorded")
    return _json(SessionRecorded(code=patient.code, session_number=outcome.session.number))


@ROUTES.put(f"/api/v1/patients/{_CODE}/appointment", name="api_appointment_set")
async def appointment_set(request: web.Request) -> web.StreamResponse:
    """Set or move the next appointment; its reminders follow."""
    deps, caller = deps_of(request), caller_of(request)
    body = await _body(request, AppointmentBody)
    patient = await _patient(request)
    if body.at <= deps.clock.now():
        raise ApiError(422, "invalid", "an appointment still to come, please", "at")
    if not await deps.requests.set_appointment(patient.id or 0, body.at, caller.user_id):
        raise ApiError(409, "conflict", "the patient has no open course")
    return _json(AppointmentSet(code=patient.code, next_appointment_at=body.at))


@ROUTES.delete(f"/api/v1/patients/{_CODE}/appointment", name="api_appointment_cancel")
async def appointment_cancel(request: web.Request) -> web.StreamResponse:
    """Cancel the next appointment and its reminders."""
    deps, caller = deps_of(request), caller_of(request)
    patient = await _patient(request)
    if not await deps.requests.cancel_appointment(patient.id or 0, caller.user_id):
        raise ApiError(409, "conflict", "the patient has no open course")
    return _json(AppointmentSet(code=patient.code, next_appointment_at=None))


@ROUTES.post(f"/api/v1/patients/{_CODE}/discharge", name="api_discharge")
async def discharge(request: web.Request) -> web.StreamResponse:
    """Close the patient's follow-up (one goodbye goes out)."""
    deps, caller = deps_of(request), caller_of(request)
    patient = await _patient(request)
    done = await deps.requests.discharge(patient.id or 0, caller.user_id)
    return _json(Discharged(code=patient.code, discharged=done))


@ROUTES.get("/api/v1/patients", name="api_patients")
async def patients(request: web.Request) -> web.StreamResponse:
    """The patients the clinic follows, newest enrollment first, a page at a time."""
    deps = deps_of(request)
    page = bounded_number(request.query.get("page"), 1, 1, 100_000)
    rows, total = await deps.reports.patients((page - 1) * PAGE_SIZE, PAGE_SIZE)
    return _json(
        PatientList(
            patients=[
                PatientLine(
                    code=row.code,
                    first_name=row.name,
                    state=row.status.value,
                    session=row.session,
                    sessions_planned=row.sessions_planned,
                    last_check_in=row.last_check_in,
                    open_incidents=row.open_incidents,
                )
                for row in rows
            ],
            total=total,
        )
    )


@ROUTES.get("/api/v1/incidents", name="api_incidents")
async def incidents(request: web.Request) -> web.StreamResponse:
    """The open incidents, urgent first."""
    found = await deps_of(request).incidents.open_with_patients()
    lines = [_incident_line(incident, patient) for incident, patient in found]
    return _json(IncidentList(incidents=lines))


def _incident_line(incident: Incident, patient: Patient | None) -> IncidentLine:
    return IncidentLine(
        id=incident.id or 0,
        patient_code=patient.code if patient else None,
        urgency=incident.urgency.value,
        state=incident.state.value,
        opened_at=incident.opened_at,
        acknowledged_by=incident.acknowledged_by_name,
        summary=incident.post_text,
    )


def _incident_id(request: web.Request) -> int:
    text = request.match_info["incident_id"]
    return int(text)


@ROUTES.post("/api/v1/incidents/{incident_id:\\d{1,9}}/acknowledge", name="api_acknowledge")
async def acknowledge(request: web.Request) -> web.StreamResponse:
    """Take the incident, in the key owner's name: the pages stop, the patient hears."""
    deps, caller = deps_of(request), caller_of(request)
    result = await deps.incidents.acknowledge(_incident_id(request), caller.user_id, caller.name)
    return _done(result, caller.name)


@ROUTES.post("/api/v1/incidents/{incident_id:\\d{1,9}}/resolve", name="api_resolve")
async def resolve(request: web.Request) -> web.StreamResponse:
    """Close the incident with what was done."""
    deps, caller = deps_of(request), caller_of(request)
    body = await _body(request, ResolveBody)
    result = await deps.incidents.resolve(
        _incident_id(request), caller.user_id, caller.name, body.outcome
    )
    return _done(result, caller.name)


def _done(result: object, name: str) -> web.Response:
    if result is None:
        raise ApiError(404, "not_found", "no such incident", "incident_id")
    if isinstance(result, AlreadyHandled):
        who = result.incident.resolved_by_name or result.incident.acknowledged_by_name or ""
        raise ApiError(409, "conflict", f"already {result.incident.state.value} by {who}")
    incident: Incident = result.incident  # type: ignore[attr-defined]
    return _json(IncidentDone(id=incident.id or 0, state=incident.state.value, by=name))


@ROUTES.get("/api/v1/export/fhir", name="api_fhir")
async def fhir(request: web.Request) -> web.StreamResponse:
    """The clinic's records as a FHIR R4B Bundle (all time, or `?since=YYYY-MM-DD`)."""
    from aftercare_bot.adapters.fhir_export import fhir_bundle

    deps, caller = deps_of(request), caller_of(request)
    zone = deps.config.clinic.timezone
    since = datetime(2000, 1, 1, tzinfo=UTC)
    if "since" in request.query:
        try:
            day = date.fromisoformat(request.query["since"][:10])
        except ValueError:
            raise ApiError(422, "invalid", "a date like 2026-12-01, please", "since") from None
        since = datetime.combine(day, time(0), zone)
    records = await deps.reports.clinical_records(since, caller.user_id)
    bundle = await asyncio.to_thread(fhir_bundle, records, deps.clock.now())
    return web.json_response(bundle, content_type="application/fhir+json")
