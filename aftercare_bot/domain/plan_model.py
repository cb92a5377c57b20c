"""The shape of an aftercare plan: steps anchored to moments, and the messages they become."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import ClassVar

from aftercare_bot.domain.durations import (
    CalendarDuration,
)
from aftercare_bot.domain.errors import AftercareError


class InvalidPlan(AftercareError, ValueError):
    """A plan in the clinic's config that cannot be used; `problems` lists every mistake found."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


class StepKind(StrEnum):
    """What a message is for, which decides its buttons and how an answer is handled."""

    INFO = "info"
    CHECKIN = "checkin"
    APPOINTMENT = "appointment"


class AnchorKind(StrEnum):
    """The moment a step is counted from, as the clinic writes it in the plan."""

    LINK = "link"
    AFTER = "after"
    DAY = "day"
    BEFORE = "before"


@dataclass(frozen=True)
class OnLink:
    """Right after the patient links their chat and consents: it answers what they just did."""

    kind: ClassVar[AnchorKind] = AnchorKind.LINK


@dataclass(frozen=True)
class AfterSession:
    """`delay` after the session starts: its days on the calendar, then its clock time elapsed."""

    delay: CalendarDuration
    kind: ClassVar[AnchorKind] = AnchorKind.AFTER


@dataclass(frozen=True)
class OnDay:
    """A wall-clock time in the patient's zone, `day` days after the session's local date."""

    day: int
    at: time
    kind: ClassVar[AnchorKind] = AnchorKind.DAY


@dataclass(frozen=True)
class BeforeAppointment:
    """`lead` before the next appointment, counted as `AfterSession` counts its delay, backwards.

    Left out while no appointment is booked.
    """

    lead: CalendarDuration
    kind: ClassVar[AnchorKind] = AnchorKind.BEFORE


Anchor = OnLink | AfterSession | OnDay | BeforeAppointment


@dataclass(frozen=True)
class PlanStep:
    """One message of a plan: which text, what for, when, and how long it is worth sending.

    A `reassurance` step says the patient's effects are expected; it is skipped while the
    patient has an open incident, when it might contradict what staff are looking into.
    """

    key: str
    message_key: str
    kind: StepKind
    anchor: Anchor
    valid_for: timedelta
    reassurance: bool = False


@dataclass(frozen=True)
class Plan:
    """A course of sessions and the messages that follow each one."""

    name: str
    sessions: int
    spacing: timedelta
    steps: tuple[PlanStep, ...]


@dataclass(frozen=True)
class PlannedMessage:
    """A step placed in time for one patient and one session, in aware UTC datetimes.

    `due_at` and `valid_until` are None only for an on-link step of a patient who has not linked
    yet: it will be due at the moment they link, and valid for its `valid_for` from then.
    """

    step_key: str
    message_key: str
    kind: StepKind
    due_at: datetime | None
    valid_until: datetime | None
    anchor: AnchorKind
    reassurance: bool = False

    @property
    def waits_for_link(self) -> bool:
        """Whether the message goes out when the patient links, rather than at a known time."""
        return self.due_at is None
