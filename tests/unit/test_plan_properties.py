"""Properties of plan expansion over whole years, in zones with every kind of change of clocks.

Half the cases are drawn anywhere in 2008-2032 or within weeks of a change of clocks, for the
shipped plan or a generated one. The other half are aimed at a change: the session, the
appointment, the steps and the quiet hours are placed so that "day N", "Nd after" and "Nd
before" land in the very stretch of wall time the clocks skip or repeat. The zones: London and
New York (an hour, at 01:00 and 02:00), Lord Howe (half an hour), Tokyo (no change), Sao Paulo
(at midnight, until 2019), Moscow (summer time until 2011, a change of offset in 2014).
"""

import tomllib
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from importlib.resources import files
from itertools import pairwise
from typing import Literal
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from aftercare_bot.domain.plans import (
    AfterSession,
    AnchorKind,
    BeforeAppointment,
    OnDay,
    OnLink,
    Plan,
    PlannedMessage,
    PlanStep,
    expand,
    parse_plan,
)
from aftercare_bot.domain.quiet_hours import QuietHours

ZONES = tuple(
    ZoneInfo(name)
    for name in (
        "Europe/London",
        "America/New_York",
        "Australia/Lord_Howe",
        "Asia/Tokyo",
        "America/Sao_Paulo",
        "Europe/Moscow",
    )
)
FIRST = datetime(2008, 1, 1, tzinfo=UTC)
LAST = datetime(2033, 1, 1, tzinfo=UTC)
GRACE = timedelta(hours=6)
MESSAGES = {
    "plan.aftercare",
    "plan.evening",
    "plan.checkin",
    "plan.appointment_tomorrow",
    "plan.appointment_soon",
}
JUST_BEFORE = timedelta(microseconds=1)

# Deterministic in CI: the same examples on every run, nothing saved between runs.
PROPERTY = settings(max_examples=200, deadline=None, derandomize=True, database=None)


def load_default_plan() -> Plan:
    text = (files("aftercare_bot") / "default_plans.toml").read_text(encoding="utf-8")
    table = tomllib.loads(text)["plans"]["scalp-mesotherapy"]
    return parse_plan("scalp-mesotherapy", table, known_messages=MESSAGES, default_valid_for=GRACE)


DEFAULT = load_default_plan()


# Changes of clocks


@cache
def changes_of_clocks(zone: ZoneInfo) -> tuple[datetime, ...]:
    """Every instant in FIRST..LAST at which `zone`'s offset changes, to the second."""
    changes = []
    day = timedelta(days=1)
    moment = FIRST
    while moment < LAST:
        if moment.astimezone(zone).utcoffset() != (moment + day).astimezone(zone).utcoffset():
            changes.append(_first_with_new_offset(moment, moment + day, zone))
        moment += day
    return tuple(changes)


def _first_with_new_offset(before: datetime, after: datetime, zone: ZoneInfo) -> datetime:
    earlier, later = int(before.timestamp()), int(after.timestamp())
    new_offset = after.astimezone(zone).utcoffset()
    while later - earlier > 1:
        middle = (earlier + later) // 2
        if datetime.fromtimestamp(middle, zone).utcoffset() == new_offset:
            later = middle
        else:
            earlier = middle
    return datetime.fromtimestamp(later, UTC)


def test_every_zone_but_tokyo_changes_its_clocks_in_the_years_drawn() -> None:
    changes = {zone.key: len(changes_of_clocks(zone)) for zone in ZONES}
    assert changes["Asia/Tokyo"] == 0
    assert changes["Europe/Moscow"] == 8  # summer time 2008-2010, then 2011 and 2014
    assert all(count >= 8 for count in changes.values() if count)


# Strategies


ANYWHERE = st.integers(int(FIRST.timestamp()), int(LAST.timestamp())).map(
    lambda seconds: datetime.fromtimestamp(seconds, UTC)
)


@cache
def moments(zone: ZoneInfo) -> st.SearchStrategy[datetime]:
    """Moments anywhere in the years drawn, or within weeks of a change at about its time."""
    changes = changes_of_clocks(zone)
    if not changes:
        return ANYWHERE
    near_a_change = st.builds(
        lambda change, days, seconds: change + timedelta(days=days, seconds=seconds),
        st.sampled_from(changes),
        st.integers(-45, 45),
        st.integers(-3 * 3600, 3 * 3600),
    )
    return st.sampled_from([ANYWHERE, near_a_change]).flatmap(lambda moments: moments)


def stretch(change: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The wall times, first included and last not, that `change` skips or repeats."""
    before = (change - JUST_BEFORE).astimezone(zone).replace(tzinfo=None) + JUST_BEFORE
    after = change.astimezone(zone).replace(tzinfo=None)
    first, last = sorted([before, after])
    return first, last


@cache
def clock_times(zone: ZoneInfo) -> st.SearchStrategy[time]:
    """Times of day to the minute, often those the clocks of `zone` skip or repeat."""
    changing = sorted(
        {
            moment.time()
            for first, last in (stretch(change, zone) for change in changes_of_clocks(zone))
            for moment in (first, first + (last - first) / 2, last - timedelta(minutes=1))
        }
    )
    small_hours = [time(hour, minute) for hour in (0, 1, 2, 3) for minute in (0, 15, 30, 45)]
    any_minute = st.integers(0, 24 * 60 - 1).map(lambda minute: time(*divmod(minute, 60)))
    choices = [st.sampled_from(small_hours), any_minute]
    if changing:
        choices.append(st.sampled_from(changing))
    # Chosen by position, as st.one_of would favour its first strategies.
    return st.sampled_from(choices).flatmap(lambda times: times)


@st.composite
def quiet_hours(draw: st.DrawFn, zone: ZoneInfo) -> QuietHours:
    starts = draw(clock_times(zone))
    length = draw(st.integers(1, 24 * 60 - 1))
    ends = (datetime.combine(date(2000, 1, 1), starts) + timedelta(minutes=length)).time()
    return QuietHours(starts, ends)


@st.composite
def durations(draw: st.DrawFn, *, zero: bool) -> str:
    """A duration as clinics write it, in any unit, now and then a fraction of a day."""
    least = 0 if zero else 1
    match draw(st.sampled_from(["d", "w", "h", "m", "s", "fraction"])):
        case "d":
            return f"{draw(st.integers(least, 45))}d"
        case "w":
            return f"{draw(st.integers(least, 6))}w"
        case "h":
            return f"{draw(st.integers(least, 96))}h"
        case "m":
            return f"{draw(st.integers(least, 3000))}m"
        case "s":
            return f"{draw(st.integers(least, 200_000))}s"
        case _:
            return draw(st.sampled_from(["1.5d", "0.5w", "2.25d", "1.0d"]))


@st.composite
def step_tables(draw: st.DrawFn, zone: ZoneInfo) -> dict[str, object]:
    """One step's anchor and validity as the clinic writes them in TOML."""
    step: dict[str, object]
    match draw(st.sampled_from(["on", "after", "day", "before"])):
        case "on":
            step = {"on": "link"}
        case "after":
            step = {"after": draw(durations(zero=True))}
        case "day":
            step = {"day": draw(st.integers(0, 45)), "at": f"{draw(clock_times(zone)):%H:%M}"}
        case _:
            step = {"before": draw(durations(zero=False))}
    if draw(st.booleans()):
        step["valid_for"] = draw(durations(zero=False))
    return step


@st.composite
def plans(draw: st.DrawFn, steps: list[dict[str, object]]) -> Plan:
    """A plan of `steps`, each given a key, a message and a kind."""
    table = {
        "sessions": 1,
        "spacing": "3w",
        "steps": [
            {
                "key": f"step-{index}",
                "message": draw(st.sampled_from(sorted(MESSAGES))),
                "kind": draw(st.sampled_from(["info", "checkin", "appointment"])),
                **step,
            }
            for index, step in enumerate(steps)
        ],
    }
    return parse_plan("generated", table, known_messages=MESSAGES, default_valid_for=GRACE)


@dataclass(frozen=True)
class Case:
    """One patient's session, as `expand` is given it."""

    plan: Plan
    zone: ZoneInfo
    session_at: datetime
    linked_at: datetime | None
    appointment_at: datetime | None
    quiet: QuietHours | None

    def expand(self) -> list[PlannedMessage]:
        return expand(
            self.plan,
            session_at=self.session_at,
            linked_at=self.linked_at,
            next_appointment_at=self.appointment_at,
            zone=self.zone,
            quiet=self.quiet,
        )

    def due(self) -> dict[str, datetime | None]:
        """Each step's due time, by key."""
        return {message.step_key: message.due_at for message in self.expand()}

    def steps(self) -> dict[str, PlanStep]:
        return {step.key: step for step in self.plan.steps}

    def local(self, moment: datetime) -> datetime:
        """`moment` as the patient's clock shows it, without a zone."""
        return moment.astimezone(self.zone).replace(tzinfo=None)


@st.composite
def cases(draw: st.DrawFn, quiet: Literal["never", "sometimes", "always"]) -> Case:
    """A session in one of the zones; half the time, its steps aimed at a change of clocks."""
    zone = draw(st.sampled_from(ZONES))
    has_quiet = quiet == "always" or (quiet == "sometimes" and draw(st.booleans()))
    if changes_of_clocks(zone) and draw(st.booleans()):
        case = draw(aimed_at_a_change(zone))
    else:
        steps = st.lists(step_tables(zone), min_size=1, max_size=6)
        case = Case(
            plan=draw(st.just(DEFAULT) | steps.flatmap(plans)),
            zone=zone,
            session_at=draw(moments(zone)),
            linked_at=None,
            appointment_at=draw(st.none() | moments(zone)),
            quiet=draw(quiet_hours(zone)),
        )
    linked_at = draw(
        st.none() | st.integers(0, 3 * 86400).map(lambda s: case.session_at + timedelta(seconds=s))
    )
    return replace(case, linked_at=linked_at, quiet=case.quiet if has_quiet else None)


@st.composite
def aimed_at_a_change(draw: st.DrawFn, zone: ZoneInfo) -> Case:
    """A session whose steps and quiet hours land on or near a change of clocks.

    A wall time is drawn in (or up to half an hour around) the stretch a change skips or
    repeats; the session is N days before it at the same time of day, the appointment M days
    after, and the plan has `day = N` at that time, `after = "Nd"`, `before = "Md"` and a few
    minutes after the session, among other steps. The quiet hours end near that time too.
    Session and appointment take either pass of a repeated hour.
    """
    first, last = stretch(draw(st.sampled_from(changes_of_clocks(zone))), zone)
    minutes = int((last - first) / timedelta(minutes=1))
    inside, around = st.integers(0, minutes - 1), st.integers(-30, minutes + 30)
    wall = first + timedelta(minutes=draw(st.sampled_from([inside, around]).flatmap(lambda m: m)))
    days = draw(st.sampled_from([st.just(0), st.integers(0, 45)]).flatmap(lambda days: days))
    lead = draw(st.integers(1, 45))
    aimed = [
        {"day": days, "at": f"{wall:%H:%M}"},
        {"after": f"{days}d"},
        {"after": f"{draw(st.integers(0, 90))}m"},
        {"before": f"{lead}d"},
    ]
    others = draw(st.lists(step_tables(zone), max_size=3))

    def at(day: date) -> datetime:
        local = datetime.combine(day, wall.time(), tzinfo=zone).replace(fold=draw(st.booleans()))
        return local.astimezone(UTC)

    # Quiet hours that end near that time, and may start near it too (then they last all day
    # but for a few minutes, which the clocks may skip).
    ends = wall + timedelta(minutes=draw(st.integers(-30, 90)))
    length = st.integers(1, 24 * 60 - 1) | st.integers(24 * 60 - 120, 24 * 60 - 1)
    starts = ends - timedelta(minutes=draw(length))
    return Case(
        plan=draw(plans(draw(st.permutations(aimed + others)))),
        zone=zone,
        session_at=at(wall.date() - timedelta(days)),
        linked_at=None,
        appointment_at=at(wall.date() + timedelta(lead)),
        quiet=QuietHours(starts.time(), ends.time()),
    )


def reaches(case: Case, due: datetime | None, wall_time: datetime) -> bool:
    """Whether `due` is the first instant the patient's clock reaches `wall_time`.

    That is the time itself on an ordinary day, its first occurrence when the clocks go back,
    and the first instant after the gap when the clocks skip it.
    """
    assert due is not None
    return (
        case.local(due) >= wall_time
        and case.local(due - JUST_BEFORE) < wall_time
        and due.astimezone(case.zone).fold == 0
    )


# Properties


@PROPERTY
@given(cases("sometimes"))
def test_every_message_is_due_in_utc_and_valid_for_a_while_after_it_is_due(case: Case) -> None:
    planned = case.expand()
    for message in planned:
        if message.due_at is None:
            assert message.anchor is AnchorKind.LINK and case.linked_at is None
            assert message.valid_until is None
            continue
        assert message.due_at.tzinfo is UTC
        assert message.valid_until is not None and message.valid_until.tzinfo is UTC
        assert message.valid_until > message.due_at
    expected = {
        step.key
        for step in case.plan.steps
        if case.appointment_at is not None or not isinstance(step.anchor, BeforeAppointment)
    }
    assert {message.step_key for message in planned} == expected


@PROPERTY
@given(cases("never"))
def test_a_day_step_shows_its_time_on_the_patients_clock_n_days_after_the_session(
    case: Case,
) -> None:
    session_day = case.local(case.session_at).date()
    due = case.due()
    for key, step in case.steps().items():
        if isinstance(step.anchor, OnDay):
            wall_time = datetime.combine(session_day + timedelta(step.anchor.day), step.anchor.at)
            assert reaches(case, due[key], wall_time), (key, due[key], wall_time)


@PROPERTY
@given(cases("never"))
def test_days_after_the_session_keep_its_time_of_day_and_hours_are_real_time(case: Case) -> None:
    session = case.local(case.session_at)
    due = case.due()
    for key, step in case.steps().items():
        if not isinstance(step.anchor, AfterSession):
            continue
        delay = step.anchor.delay
        if delay.days == 0:
            assert due[key] == case.session_at + delay.clock
        else:
            assert not delay.clock  # a clinic writes one unit: days or a clock time
            wall_time = session + timedelta(days=delay.days)
            assert reaches(case, due[key], wall_time), (key, due[key], wall_time)


@PROPERTY
@given(cases("never"))
def test_days_before_the_appointment_keep_its_time_of_day_and_hours_are_real_time(
    case: Case,
) -> None:
    if case.appointment_at is None:
        return
    appointment = case.local(case.appointment_at)
    due = case.due()
    for key, step in case.steps().items():
        if not isinstance(step.anchor, BeforeAppointment):
            continue
        lead = step.anchor.lead
        if lead.days == 0:
            assert due[key] == case.appointment_at - lead.clock
        else:
            assert not lead.clock
            wall_time = appointment - timedelta(days=lead.days)
            assert reaches(case, due[key], wall_time), (key, due[key], wall_time)


@PROPERTY
@given(cases("always"))
def test_nothing_but_on_link_steps_is_due_in_quiet_hours_nor_a_reminder_at_its_appointment(
    case: Case,
) -> None:
    assert case.quiet is not None
    for message in case.expand():
        if message.anchor is AnchorKind.LINK or message.due_at is None:
            continue
        assert not case.quiet.contains(message.due_at.astimezone(case.zone)), message
        if message.anchor is AnchorKind.BEFORE:
            assert case.appointment_at is not None and message.due_at < case.appointment_at


@PROPERTY
@given(cases("always"))
def test_a_step_in_quiet_hours_waits_for_them_to_end_and_others_are_not_moved(
    case: Case,
) -> None:
    assert case.quiet is not None
    quiet = case.quiet
    moved, unmoved = case.due(), replace(case, quiet=None).due()
    for key, step in case.steps().items():
        was, now = unmoved.get(key), moved.get(key)
        if was is None or isinstance(step.anchor, OnLink):  # waiting, or left out
            assert now == was
        elif not quiet.contains(was.astimezone(case.zone)):
            assert now == was, key
        elif not isinstance(step.anchor, BeforeAppointment) or (now is not None and now > was):
            # It waits until the first instant the window is over.
            assert now is not None and now > was, (key, was, now)
            assert quiet.contains((now - JUST_BEFORE).astimezone(case.zone)), (key, was, now)
        else:
            # A reminder the end of the window would make late goes a minute before it starts.
            assert now is not None and now < was, (key, was, now)
            window_start = now + timedelta(minutes=1)
            assert quiet.contains(window_start.astimezone(case.zone)), (key, was, now)
            assert not quiet.contains((window_start - JUST_BEFORE).astimezone(case.zone))


@PROPERTY
@given(cases("sometimes"))
def test_expansion_is_deterministic_and_sorted_with_link_steps_first_and_ties_in_plan_order(
    case: Case,
) -> None:
    planned = case.expand()
    assert planned == case.expand()
    order = {step.key: index for index, step in enumerate(case.plan.steps)}
    waiting = [message for message in planned if message.due_at is None]
    assert planned[: len(waiting)] == waiting
    timed = planned[len(waiting) :]
    for first, second in pairwise(timed):
        assert first.due_at is not None and second.due_at is not None
        assert (first.due_at, order[first.step_key]) < (second.due_at, order[second.step_key])
