"""The staff's daily digest: what needs a person today, most pressing first.

The facts are gathered by the persistence adapter and rendered by the Telegram adapter; what
belongs here is which facts matter, their order, and when the day's digest is due. A section
with nothing in it is left out, so a quiet day reads as one line.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time

from aftercare_bot.domain.safety_signal import Signal


@dataclass(frozen=True)
class PatientRef:
    """A patient as staff see them in lists: code and first name, nothing more identifying."""

    code: str
    name: str


@dataclass(frozen=True)
class OpenIncident:
    """An open incident, with whoever owns it."""

    patient: PatientRef
    urgent: bool
    opened_at: datetime
    acknowledged_by: str | None = None

    @property
    def unowned_urgent(self) -> bool:
        """Urgent and nobody has acknowledged it: it heads the digest."""
        return self.urgent and self.acknowledged_by is None


@dataclass(frozen=True)
class OpenTask:
    """A staff task not done yet."""

    task_id: int
    kind: str
    patient: PatientRef | None


@dataclass(frozen=True)
class Appointment:
    """A booked session and whether the patient confirmed it."""

    patient: PatientRef
    at: datetime
    confirmed: bool


@dataclass(frozen=True)
class CheckInDay:
    """Check-ins of one day: how many fell due, were answered, were missed."""

    due: int = 0
    answered: int = 0
    missed: int = 0

    @property
    def empty(self) -> bool:
        """Nothing happened that day."""
        return not (self.due or self.answered or self.missed)


@dataclass(frozen=True)
class DigestFacts:
    """Everything the digest reports, for the clinic's day `day`."""

    day: date
    not_linked: list[PatientRef] = field(default_factory=list)
    yesterday: CheckInDay = CheckInDay()
    incidents: list[OpenIncident] = field(default_factory=list)
    tasks: list[OpenTask] = field(default_factory=list)
    today: list[Appointment] = field(default_factory=list)
    tomorrow: list[Appointment] = field(default_factory=list)
    unreachable: list[PatientRef] = field(default_factory=list)
    stopped: list[PatientRef] = field(default_factory=list)
    overdue: list[PatientRef] = field(default_factory=list)
    signals: list[Signal] = field(default_factory=list)

    @property
    def quiet(self) -> bool:
        """Nothing to report: the digest is one line."""
        return self.yesterday.empty and not any(
            (
                self.not_linked,
                self.incidents,
                self.tasks,
                self.today,
                self.tomorrow,
                self.unreachable,
                self.stopped,
                self.overdue,
                self.signals,
            )
        )


def incidents_in_order(incidents: list[OpenIncident]) -> list[OpenIncident]:
    """Urgent ones nobody owns first, then other urgent ones, then routine; oldest first."""
    return sorted(incidents, key=lambda i: (not i.unowned_urgent, not i.urgent, i.opened_at))


def digest_due(local_now: datetime, digest_at: time, last_posted: date | None) -> bool:
    """Whether today's digest should go now: its time has come and it has not gone today.

    A bot that was down at `digest_at` posts it when it comes back, later that day.
    """
    return local_now.time() >= digest_at and last_posted != local_now.date()
