"""A check-in: one question sent to a patient about how their scalp is, and what became of it.

The answers themselves (redness, swelling, bruising, warning signs) and their triage arrive
with the Check-ins issue; this holds the life of the question: open, answered or missed.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class CheckInState(StrEnum):
    """Where a check-in stands."""

    OPEN = "open"
    ANSWERED = "answered"
    MISSED = "missed"


@dataclass
class CheckIn:
    """A check-in sent to a patient (or started by them)."""

    patient_id: int
    opened_at: datetime
    state: CheckInState = CheckInState.OPEN
    scheduled_message_id: int | None = None
    answered_at: datetime | None = None
    missed_at: datetime | None = None
    answers: str | None = None
    step: str | None = None
    telegram_message_id: int | None = None
    photo_file_id: str | None = None
    urgency: str | None = None
    reasons: str | None = None
    incident_id: int | None = None
    last_answer_at: datetime | None = None
    left_unfinished_at: datetime | None = None
    id: int | None = None


def nudge_key(check_in_id: int) -> str:
    """The unique key of a check-in's one reminder."""
    return f"checkin-nudge:{check_in_id}"


def expiry_key(check_in_id: int) -> str:
    """The unique key of the timer that marks an unanswered check-in missed."""
    return f"checkin-expiry:{check_in_id}"


def abandon_key(check_in_id: int) -> str:
    """The unique key of the timer that closes a check-in left halfway and triages it."""
    return f"checkin-abandon:{check_in_id}"
