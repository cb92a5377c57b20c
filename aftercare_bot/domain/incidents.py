"""Incidents: one episode of worry about one patient, owned by a person until it is resolved.

Learnt from incident-paging tools: a report opens an incident or joins the open one; someone
acknowledges it (and the patient hears who); a new urgent finding on an acknowledged incident
makes it urgent and unacknowledged again; Resolved closes it.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class IncidentState(StrEnum):
    """Where an incident stands."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class IncidentUrgency(StrEnum):
    """How soon staff must look."""

    URGENT = "urgent"
    ROUTINE = "routine"


class IncidentOutcome(StrEnum):
    """What staff did about an incident: the clinic's adverse-event log records it."""

    PHONED = "phoned"
    SEEN_IN_CLINIC = "seen"
    REFERRED = "referred"
    ADVICE_GIVEN = "advice"
    NO_ACTION = "none"


@dataclass
class Incident:
    """An episode for one patient, with who owns it and where it is posted."""

    # None once the patient is erased and the incident resolved (adverse-event log only).
    patient_id: int | None
    urgency: IncidentUrgency
    opened_at: datetime
    state: IncidentState = IncidentState.OPEN
    acknowledged_by: int | None = None
    acknowledged_by_name: str | None = None
    acknowledged_at: datetime | None = None
    resolved_by: int | None = None
    resolved_at: datetime | None = None
    post_chat_id: int | None = None
    post_message_id: int | None = None
    post_text: str | None = None
    reports: int = 1
    # The patient reported something (a check-in, a message, an answer), so they are told
    # when it is seen; an incident opened only by the bot's own findings is not theirs to hear.
    patient_reported: bool = False
    resolved_by_name: str | None = None
    outcome: str | None = None
    outcome_note: str | None = None
    # The patient erased their data while it was open: reach them through the clinic's records.
    patient_left_at: datetime | None = None
    id: int | None = None

    @property
    def is_open(self) -> bool:
        """Open or acknowledged: a new report joins it."""
        return self.state != IncidentState.RESOLVED

    def join(self, urgency: IncidentUrgency, now: datetime) -> bool:
        """A new report joins this incident; True when it must be paged again (a new urgent
        finding on an acknowledged, or merely routine, incident)."""
        self.reports += 1
        newly_urgent = urgency == IncidentUrgency.URGENT and (
            self.urgency != IncidentUrgency.URGENT or self.state == IncidentState.ACKNOWLEDGED
        )
        if newly_urgent:
            self.urgency = IncidentUrgency.URGENT
            self.state = IncidentState.OPEN
            self.acknowledged_by = self.acknowledged_by_name = self.acknowledged_at = None
        return newly_urgent

    def acknowledge(self, staff_id: int, staff_name: str, now: datetime) -> bool:
        """Someone owns it now; False if it was already acknowledged or resolved."""
        if self.state != IncidentState.OPEN:
            return False
        self.state = IncidentState.ACKNOWLEDGED
        self.acknowledged_by, self.acknowledged_by_name, self.acknowledged_at = (
            staff_id,
            staff_name,
            now,
        )
        return True

    def resolve(self, staff_id: int, now: datetime) -> bool:
        """Close it; False if it was already resolved."""
        if self.state == IncidentState.RESOLVED:
            return False
        self.state, self.resolved_by, self.resolved_at = IncidentState.RESOLVED, staff_id, now
        return True


# What a remembered message of an incident is: the post (in the group, or to an admin), a
# re-page, the acknowledger's reminder, an /incidents card; a note prompt only routes a reply.
POST_COPY = "post"
PAGE_COPY = "page"
REMINDER_COPY = "reminder"
CARD_COPY = "card"
NOTE_PROMPT = "note"


@dataclass
class IncidentCopy:
    """One Telegram message that shows an incident; edited whenever the incident changes."""

    incident_id: int
    chat_id: int
    message_id: int
    kind: str  # "post", "repost", "page", "card" (an /incidents card)
    posted_at: datetime
    id: int | None = None
