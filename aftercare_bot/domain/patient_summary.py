"""What staff see of patients in lists and timelines: enough to act, nothing more identifying.

A timeline is a list of dated events of a few kinds; each kind is rendered by its own text,
so the adapter never builds a sentence in code.
"""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from aftercare_bot.domain.patients import PatientStatus

PATIENTS_PER_PAGE = 15
# Who a staff list shows: people the clinic follows or followed, not those who declined or
# whose record was anonymised (nothing identifying is left of them).
LISTED_STATUSES = (
    PatientStatus.NOT_LINKED,
    PatientStatus.LINKED,
    PatientStatus.STOPPED,
    PatientStatus.UNREACHABLE,
    PatientStatus.DISCHARGED,
)


@dataclass(frozen=True)
class PatientSummary:
    """One line of /patients."""

    code: str
    name: str
    status: PatientStatus
    session: int | None
    sessions_planned: int | None
    last_check_in: datetime | None
    open_incidents: int


class EventKind(StrEnum):
    """The kinds of things that happen in a patient's follow-up, in the order they happen when
    several share a moment (enrolled, then the session, then consent, then the first message)."""

    ENROLLED = "enrolled"
    SESSION = "session"
    CONSENT = "consent"
    MESSAGE = "message"
    CHECK_IN = "check_in"
    CHECK_IN_MISSED = "check_in_missed"
    INCIDENT = "incident"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
    APPOINTMENT = "appointment"


@dataclass(frozen=True)
class TimelineEvent:
    """Something that happened at `at`; `details` are the values its text shows."""

    at: datetime
    kind: EventKind
    details: dict[str, str] = field(default_factory=dict)


_ORDER = {kind: index for index, kind in enumerate(EventKind)}


def newest_first(events: list[TimelineEvent]) -> list[TimelineEvent]:
    """A timeline reads from the latest event back; events of one moment in reverse of the
    order they happen in."""
    return sorted(events, key=lambda event: (event.at, _ORDER[event.kind]), reverse=True)
