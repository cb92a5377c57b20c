"""What the API takes and gives, as pydantic models: they check every request body (a mistake
is answered naming its field) and describe the API in its OpenAPI document."""

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from aftercare_bot.domain.incidents import IncidentOutcome


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class EnrollBody(_Body):
    """A patient enrolled after her first session."""

    first_name: str = Field(min_length=1, max_length=64, examples=["Anna"])
    session_at: AwareDatetime = Field(description="When the session was held (with its offset)")
    practitioner: str | None = Field(default=None, max_length=64, examples=["Dr Petrova"])
    plan: str | None = Field(default=None, max_length=48, description="Default: the clinic's")
    language: str | None = Field(default=None, max_length=8, examples=["es"])
    next_appointment_at: AwareDatetime | None = None
    product: str | None = Field(default=None, max_length=64)
    batch: str | None = Field(default=None, max_length=64)


class Enrolled(BaseModel):
    """The patient's code and her one-time link, to give her (no health data)."""

    code: str
    link: str
    link_expires_at: datetime
    qr_png_base64: str


class SessionBody(_Body):
    """A session held."""

    held_at: AwareDatetime


class SessionRecorded(BaseModel):
    """The session's number in the patient's course."""

    code: str
    session_number: int


class AppointmentBody(_Body):
    """The next appointment."""

    at: AwareDatetime


class AppointmentSet(BaseModel):
    """The next appointment as stored (null: none)."""

    code: str
    next_appointment_at: datetime | None


class Discharged(BaseModel):
    """Whether a follow-up was closed (false: there was none open)."""

    code: str
    discharged: bool


class PatientLine(BaseModel):
    """One patient the clinic follows (clinical scope)."""

    code: str
    first_name: str
    state: str
    session: int | None
    sessions_planned: int | None
    last_check_in: datetime | None
    open_incidents: int


class PatientList(BaseModel):
    """A page of patients, newest enrollment first."""

    patients: list[PatientLine]
    total: int


class IncidentLine(BaseModel):
    """An open incident (clinical scope)."""

    id: int
    patient_code: str | None
    urgency: str
    state: str
    opened_at: datetime
    acknowledged_by: str | None
    summary: str | None


class IncidentList(BaseModel):
    """The open incidents, urgent first."""

    incidents: list[IncidentLine]


class ResolveBody(_Body):
    """What was done."""

    outcome: IncidentOutcome


class IncidentDone(BaseModel):
    """The incident after the call."""

    id: int
    state: str
    by: str


class ErrorDetail(BaseModel):
    """What went wrong, and the field it is about when there is one."""

    code: Literal[
        "unauthorized",
        "forbidden",
        "not_found",
        "invalid",
        "conflict",
        "rate_limited",
        "server_error",
    ]
    message: str
    field: str | None = None


class ErrorBody(BaseModel):
    """Every error has this one shape."""

    error: ErrorDetail


class FhirBundle(BaseModel):
    """A FHIR R4B Bundle of type collection (see the README for what it holds)."""

    model_config = ConfigDict(extra="allow")

    resourceType: Literal["Bundle"]
    type: Literal["collection"]
    entry: list[dict[str, object]] = Field(default_factory=list)
