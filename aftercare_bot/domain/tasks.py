"""Staff tasks: routine follow-ups a person must do, each with a kind, a patient and Done.

Nothing the bot could not do silently disappears: a message skipped after downtime, a
patient who became unreachable, a reschedule request all become tasks.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class TaskKind(StrEnum):
    """Why staff must act."""

    SKIPPED_MESSAGE = "skipped_message"
    DELIVERY_FAILED = "delivery_failed"
    UNREACHABLE = "unreachable"
    RESCHEDULE = "reschedule"
    SOMETHING_CHANGED = "something_changed"
    COURSE_OVERDUE = "course_overdue"


@dataclass
class StaffTask:
    """One open or done task; `unique_key` keeps the same task from being opened twice."""

    unique_key: str
    kind: TaskKind
    patient_id: int | None
    created_at: datetime
    detail: str | None = None
    done_at: datetime | None = None
    done_by: int | None = None
    id: int | None = None
