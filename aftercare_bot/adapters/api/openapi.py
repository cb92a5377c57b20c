"""The API described as OpenAPI 3.1, built from the same models that check the requests:
served as JSON at /api/openapi.json and as a readable page at /api/docs (no script, no
outside resource: the console's Content-Security-Policy holds for it too)."""

from dataclasses import dataclass
from typing import Any

from aiohttp import web
from pydantic import BaseModel

from aftercare_bot import __version__
from aftercare_bot.adapters.api import models
from aftercare_bot.adapters.api.guard import BOOKINGS, deps_of
from aftercare_bot.adapters.web.console import TEMPLATES

ROUTES = web.RouteTableDef()


@dataclass(frozen=True)
class Operation:
    """One call of the API."""

    method: str
    path: str
    name: str
    summary: str
    answer: type[BaseModel]
    body: type[BaseModel] | None = None
    status: int = 200

    @property
    def scope(self) -> str:
        """The key's scope the call needs."""
        return "bookings" if self.name in BOOKINGS else "clinical"


CODE = "/api/v1/patients/{code}"
OPERATIONS = (
    Operation("post", "/api/v1/patients", "api_enroll",
              "Enroll a patient after her session: her code, one-time link and QR code",
              models.Enrolled, models.EnrollBody, 201),
    Operation("post", f"{CODE}/sessions", "api_session", "Record the patient's next session",
              models.SessionRecorded, models.SessionBody),
    Operation("put", f"{CODE}/appointment", "api_appointment_set",
              "Set or move the next appointment (its reminders follow)",
              models.AppointmentSet, models.AppointmentBody),
    Operation("delete", f"{CODE}/appointment", "api_appointment_cancel",
              "Cancel the next appointment and its reminders", models.AppointmentSet),
    Operation("post", f"{CODE}/discharge", "api_discharge",
              "Close the patient's follow-up", models.Discharged),
    Operation("get", "/api/v1/patients", "api_patients",
              "The patients the clinic follows, 100 a page (?page=2)", models.PatientList),
    Operation("get", "/api/v1/incidents", "api_incidents", "The open incidents, urgent first",
              models.IncidentList),
    Operation("post", "/api/v1/incidents/{incident_id}/acknowledge", "api_acknowledge",
              "Acknowledge an incident in the key owner's name", models.IncidentDone),
    Operation("post", "/api/v1/incidents/{incident_id}/resolve", "api_resolve",
              "Resolve an incident with what was done", models.IncidentDone, models.ResolveBody),
    Operation("get", "/api/v1/export/fhir", "api_fhir",
              "The clinic's records as a FHIR R4B Bundle (?since=YYYY-MM-DD)", models.FhirBundle),
)  # fmt: skip
_ERRORS = {
    "400": "The body is not JSON",
    "401": "No key, or a key unknown, revoked or whose owner is no longer staff",
    "403": "The key's scope does not allow this call",
    "404": "No such patient or incident",
    "409": "The call does not fit the patient's or incident's state",
    "422": "A field is missing or wrong: `error.field` names it",
    "429": "Too many requests: `Retry-After` says when to try again",
}


def openapi_document(base_url: str) -> dict[str, Any]:
    """The API's OpenAPI 3.1 document."""
    schemas: dict[str, Any] = {}

    def ref(model: type[BaseModel]) -> dict[str, str]:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
        return {"$ref": f"#/components/schemas/{model.__name__}"}

    error = ref(models.ErrorBody)
    paths: dict[str, Any] = {}
    for operation in OPERATIONS:
        spec: dict[str, Any] = {
            "operationId": operation.name.removeprefix("api_"),
            "summary": operation.summary,
            "description": f"Needs a `{operation.scope}` key.",
            "security": [{"apiKey": []}],
            "responses": {
                str(operation.status): {
                    "description": "Done",
                    "content": {"application/json": {"schema": ref(operation.answer)}},
                },
                **{
                    status: {
                        "description": text,
                        "content": {"application/json": {"schema": error}},
                    }
                    for status, text in _ERRORS.items()
                },
            },
        }
        if operation.body is not None:
            spec["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": ref(operation.body)}},
            }
        parameters = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in ("code", "incident_id")
            if f"{{{name}}}" in operation.path
        ]
        if parameters:
            spec["parameters"] = parameters
        paths.setdefault(operation.path, {})[operation.method] = spec
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "aftercare_bot API",
            "version": __version__,
            "description": (
                "Enroll patients, record sessions and appointments from a booking system, and "
                "read and act on incidents. Send an API key (made by an admin on the console's "
                "API keys page) as `Authorization: Bearer <key>`. A `bookings` key may enroll, "
                "record sessions and set appointments, and gets no health data back; a "
                "`clinical` key may do everything. Each key may make 120 requests a minute."
            ),
        },
        "servers": [{"url": base_url}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer"}},
        },
    }


@ROUTES.get("/api/openapi.json", name="api_openapi")
async def openapi_json(request: web.Request) -> web.StreamResponse:
    """The OpenAPI document."""
    return web.json_response(openapi_document(deps_of(request).config.web.base_url))


@ROUTES.get("/api/docs", name="api_docs")
async def docs(request: web.Request) -> web.StreamResponse:
    """The OpenAPI document as a page to read."""
    document = openapi_document(deps_of(request).config.web.base_url)
    page = request.app[TEMPLATES].get_template("api_docs.html").render(document=document)
    return web.Response(text=page, content_type="text/html", charset="utf-8")
