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
    incident_id: int | None = None
    id: int | None = None

    @property
    def reported_by_patient(self) -> bool:
        """The patient asked for this (an answer to a reminder), rather than the bot noticing."""
        return self.kind in PATIENT_TASKS

    def close(self, staff_id: int, now: datetime) -> bool:
        """Done by a staff member; False if it already was."""
        if self.done_at is not None:
            return False
        self.done_at, self.done_by = now, staff_id
        return True


PATIENT_TASKS = frozenset({TaskKind.RESCHEDULE, TaskKind.SOMETHING_CHANGED})
