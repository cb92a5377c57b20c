"""Aftercare plans: the clinic's list of follow-up messages, and the times they fall due.

A plan is data, written by the clinic in TOML and validated when the config is loaded, so a
typo is reported with its exact place before any patient is enrolled. Each step is anchored to
one moment (the patient linking their chat, the session, a day after the session, or the next
appointment) and `expand` turns the steps into due times for one patient, in their time zone
and outside their quiet hours.

Days are the patient's calendar days: "1d" after a 14:00 session is 14:00 the next day on their
clock, and "1d" before a 09:00 appointment is 09:00 the day before, even when the clocks change
in between. Hours, minutes and seconds are elapsed time, so "24h" after 14:00 is 15:00 on the
night the clocks go forward.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from aftercare_bot.domain.durations import (
    CalendarDuration,
)
from aftercare_bot.domain.plan_model import (
    AfterSession,
    Anchor,
    AnchorKind,
    BeforeAppointment,
    InvalidPlan,
    OnDay,
    OnLink,
    Plan,
    PlannedMessage,
    PlanStep,
    StepKind,
)
from aftercare_bot.domain.plan_parsing import parse_plan, parse_plans
from aftercare_bot.domain.quiet_hours import QuietHours, wall_clock

__all__ = [
    "AfterSession",
    "Anchor",
    "AnchorKind",
    "BeforeAppointment",
    "InvalidPlan",
    "OnDay",
    "OnLink",
    "Plan",
    "PlanStep",
    "PlannedMessage",
    "StepKind",
    "course_sessions",
    "expand",
    "parse_plan",
    "parse_plans",
]

# A step moved out of quiet hours to before the window lands this long before the window starts.
_JUST_BEFORE = timedelta(minutes=1)


def expand(
    plan: Plan,
    *,
    session_at: datetime,
    linked_at: datetime | None,
    next_appointment_at: datetime | None,
    zone: ZoneInfo,
    quiet: QuietHours | None,
) -> list[PlannedMessage]:
    """Place every step of `plan` in time for one session, sorted by due time.

    Messages still waiting for the link come first, then the rest in time order, ties in plan
    order. `before` steps are left out when `next_appointment_at` is None.
    """
    moments = _Moments(
        session_at=_utc("session_at", session_at),
        linked_at=_utc_or_none("linked_at", linked_at),
        appointment_at=_utc_or_none("next_appointment_at", next_appointment_at),
        zone=zone,
        quiet=quiet,
    )
    planned = [message for step in plan.steps if (message := moments.place(step)) is not None]
    return sorted(planned, key=_due_order)


def course_sessions(plan: Plan, first_session_at: datetime, zone: ZoneInfo) -> list[datetime]:
    """Suggested starts of every session of the course, at the first one's local time of day.

    Spacing is counted in the patient's wall-clock time, so a course booked at 11:00 stays at
    11:00 after the clocks change.
    """
    first = _utc("first_session_at", first_session_at).astimezone(zone).replace(tzinfo=None)
    starts = (first + number * plan.spacing for number in range(plan.sessions))
    return [wall_clock(start.date(), start.time(), zone).astimezone(UTC) for start in starts]


@dataclass(frozen=True)
class _Moments:
    """What one patient's plan is counted from, all in UTC, and the zone and quiet hours."""

    session_at: datetime
    linked_at: datetime | None
    appointment_at: datetime | None
    zone: ZoneInfo
    quiet: QuietHours | None

    def place(self, step: PlanStep) -> PlannedMessage | None:
        """The step's due time and validity, or None for a `before` step with no appointment."""
        due: datetime | None
        match step.anchor:
            case OnLink():
                # Not moved for quiet hours: the patient is awake, they have just tapped the link.
                due = self.linked_at
                until = None if due is None else due + step.valid_for
            case AfterSession(delay=delay):
                due = self._outside_quiet(self._calendar(self.session_at, delay.days) + delay.clock)
                until = due + step.valid_for
            case OnDay(day=day, at=at):
                session_day = self.session_at.astimezone(self.zone).date()
                local = wall_clock(session_day + timedelta(days=day), at, self.zone)
                due = self._outside_quiet(local.astimezone(UTC))
                until = due + step.valid_for
            case BeforeAppointment(lead=lead):
                if self.appointment_at is None:
                    return None
                due = self._before_appointment(self.appointment_at, lead)
                until = min(due + step.valid_for, self.appointment_at)
        return PlannedMessage(
            step.key,
            step.message_key,
            step.kind,
            due,
            until,
            step.anchor.kind,
            reassurance=step.reassurance,
        )

    def _outside_quiet(self, due: datetime) -> datetime:
        """`due`, or the first instant after it at which the patient's quiet hours are over."""
        if self.quiet is None:
            return due
        moved = due
        while self.quiet.contains(local := moved.astimezone(self.zone)):
            end = self.quiet.end_after(local)
            if end.astimezone(UTC) <= moved:
                # The window ends in the hour the clocks repeat and `moved` is in its second
                # pass: `end_after` gave the first, which is already behind us.
                end = end.replace(fold=1)
            # Normally once; again when the end was skipped by the clocks going forward and the
            # first instant after the gap is already in the next window.
            moved = end.astimezone(UTC)
        return moved

    def _calendar(self, moment: datetime, days: int) -> datetime:
        """`moment` moved by `days` on the patient's calendar, at the same local time of day.

        A time of day repeated on the new date is its first pass, even when `moment` was in the
        second; with no days to move, `moment` is kept as it is.
        """
        if days == 0:
            return moment
        local = moment.astimezone(self.zone)
        at = local.time().replace(fold=0)  # `time()` keeps the fold, which picks the second pass
        moved = wall_clock(local.date() + timedelta(days=days), at, self.zone)
        return moved.astimezone(UTC)

    def _before_appointment(self, appointment_at: datetime, lead: CalendarDuration) -> datetime:
        """`lead` before the appointment, out of quiet hours without reaching the appointment.

        A reminder in the quiet window moves to the window's end if that is still before the
        appointment, and otherwise to one minute before the window started: a reminder that
        arrives after the appointment is worse than one that arrives the evening before.
        """
        due = self._calendar(appointment_at, -lead.days) - lead.clock
        if due >= appointment_at:
            # Only where a zone skipped a whole calendar day (Samoa, 30 December 2011).
            due = appointment_at - timedelta(days=lead.days) - lead.clock
        later = self._outside_quiet(due)
        if later < appointment_at or self.quiet is None:
            return later
        window_start = self.quiet.start_before(due.astimezone(self.zone))
        return window_start.astimezone(UTC) - _JUST_BEFORE


def _utc(name: str, moment: datetime) -> datetime:
    """`moment` in UTC, so that adding durations counts real time and not wall-clock time."""
    if moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, not {moment!r}")
    return moment.astimezone(UTC)


def _utc_or_none(name: str, moment: datetime | None) -> datetime | None:
    return None if moment is None else _utc(name, moment)


_BEFORE_EVERYTHING = datetime.min.replace(tzinfo=UTC)


def _due_order(message: PlannedMessage) -> tuple[bool, datetime]:
    return (message.due_at is not None, message.due_at or _BEFORE_EVERYTHING)
