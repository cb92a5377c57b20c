"""Everything clinical the clinic holds about the patients it follows, as plain records: what
a standard export (FHIR) is built from. Patients appear by code only; erased and anonymised
patients, and incidents whose patient left, are not in it."""

from dataclasses import dataclass, field
from datetime import datetime

from aftercare_bot.domain.consent import ConsentChange
from aftercare_bot.domain.statistics import CheckInRow


@dataclass(frozen=True)
class RecordPatient:
    """A patient by code, with her consent decisions and next appointment."""

    patient_id: int
    code: str
    language: str | None
    consents: tuple[tuple[ConsentChange, datetime], ...] = ()
    next_appointment_at: datetime | None = None


@dataclass(frozen=True)
class RecordIncident:
    """An incident of a patient in the export."""

    incident_id: int
    patient_id: int
    urgency: str
    state: str
    opened_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    outcome: str | None


@dataclass(frozen=True)
class ClinicalRecords:
    """The patients, their answered and missed check-ins, and their incidents."""

    patients: list[RecordPatient] = field(default_factory=list)
    check_ins: list[CheckInRow] = field(default_factory=list)
    incidents: list[RecordIncident] = field(default_factory=list)
