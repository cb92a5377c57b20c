import tomllib
from datetime import UTC, datetime, time, timedelta
from importlib.resources import files
from zoneinfo import ZoneInfo

import pytest

from aftercare_bot.domain.durations import CalendarDuration
from aftercare_bot.domain.errors import AftercareError
from aftercare_bot.domain.plans import (
    AfterSession,
    AnchorKind,
    BeforeAppointment,
    InvalidPlan,
    OnDay,
    OnLink,
    Plan,
    PlannedMessage,
    PlanStep,
    StepKind,
    course_sessions,
    expand,
    parse_plan,
    parse_plans,
)
from aftercare_bot.domain.quiet_hours import QuietHours, parse_quiet_hours

LONDON = ZoneInfo("Europe/London")
TOKYO = ZoneInfo("Asia/Tokyo")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
GRACE = timedelta(hours=6)
NIGHT = QuietHours(time(21, 0), time(8, 0))
DEFAULT_MESSAGES = {
    "plan.aftercare",
    "plan.evening",
    "plan.checkin",
    "plan.appointment_tomorrow",
    "plan.appointment_soon",
}


def load_default_plan() -> Plan:
    text = (files("aftercare_bot") / "default_plans.toml").read_text(encoding="utf-8")
    table = tomllib.loads(text)["plans"]["scalp-mesotherapy"]
    return parse_plan(
        "scalp-mesotherapy", table, known_messages=DEFAULT_MESSAGES, default_valid_for=GRACE
    )


DEFAULT = load_default_plan()


def local(zone: ZoneInfo, text: str) -> datetime:
    """A wall-clock moment written "YYYY-MM-DD HH:MM" in `zone`, as an aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=zone).astimezone(UTC)


def elapsed(**parts: float) -> CalendarDuration:
    """A duration counted in real time, as "2h" or "90m" are written."""
    return CalendarDuration(clock=timedelta(**parts))


def plan_of(*steps: PlanStep) -> Plan:
    return Plan("test", 1, timedelta(weeks=3), steps)


def step(
    key: str, anchor: OnLink | AfterSession | OnDay | BeforeAppointment, **extra: object
) -> PlanStep:
    valid_for = extra.get("valid_for", GRACE)
    assert isinstance(valid_for, timedelta)
    return PlanStep(key, "plan.checkin", StepKind.CHECKIN, anchor, valid_for)


def schedule(planned: list[PlannedMessage], zone: ZoneInfo) -> list[tuple[str, str, str]]:
    """Each message's key, due time and end of validity, in `zone`'s wall-clock time."""

    def wall(moment: datetime | None) -> str:
        return "on link" if moment is None else moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")

    return [
        (message.step_key, wall(message.due_at), wall(message.valid_until)) for message in planned
    ]


def parse_problems(table: dict[str, object], name: str = "test") -> list[str]:
    with pytest.raises(InvalidPlan) as caught:
        parse_plan(name, table, known_messages=DEFAULT_MESSAGES, default_valid_for=GRACE)
    return caught.value.problems


def valid_step(**fields: object) -> dict[str, object]:
    """A step with key, message and kind, overridden by `fields`; None leaves a field out."""
    step = {"key": "checkin", "message": "plan.checkin", "kind": "checkin", **fields}
    return {name: value for name, value in step.items() if value is not None}


def valid_table(*steps: dict[str, object]) -> dict[str, object]:
    return {"sessions": 4, "spacing": "3w", "steps": list(steps)}


# The shipped default plan


def test_the_default_plan_parses_with_the_message_keys_it_uses() -> None:
    assert DEFAULT.name == "scalp-mesotherapy"
    assert DEFAULT.sessions == 4
    assert DEFAULT.spacing == timedelta(weeks=3)
    assert {step.message_key for step in DEFAULT.steps} == DEFAULT_MESSAGES


def test_the_default_plan_has_the_agreed_steps() -> None:
    assert [(s.key, s.message_key, s.kind, s.anchor, s.valid_for) for s in DEFAULT.steps] == [
        ("aftercare", "plan.aftercare", StepKind.INFO, OnLink(), GRACE),
        ("evening", "plan.evening", StepKind.INFO, OnDay(0, time(19)), GRACE),
        ("checkin-day1", "plan.checkin", StepKind.CHECKIN, OnDay(1, time(10)), GRACE),
        ("checkin-day3", "plan.checkin", StepKind.CHECKIN, OnDay(3, time(10)), GRACE),
        ("checkin-day7", "plan.checkin", StepKind.CHECKIN, OnDay(7, time(10)), GRACE),
        (
            "reminder-day-before",
            "plan.appointment_tomorrow",
            StepKind.APPOINTMENT,
            BeforeAppointment(CalendarDuration(days=1)),
            GRACE,
        ),
        (
            "reminder-2h",
            "plan.appointment_soon",
            StepKind.APPOINTMENT,
            BeforeAppointment(elapsed(hours=2)),
            timedelta(hours=1),
        ),
    ]


def test_only_the_evening_advice_of_the_default_plan_is_reassurance() -> None:
    assert [step.key for step in DEFAULT.steps if step.reassurance] == ["evening"]


def test_the_default_plan_is_refused_when_the_texts_lack_one_of_its_messages() -> None:
    text = (files("aftercare_bot") / "default_plans.toml").read_text(encoding="utf-8")
    with pytest.raises(InvalidPlan) as caught:
        parse_plans(
            tomllib.loads(text)["plans"],
            known_messages=DEFAULT_MESSAGES - {"plan.evening"},
            default_valid_for=GRACE,
        )
    assert caught.value.problems == [
        'plans.scalp-mesotherapy step 2, message: "plan.evening" is not a known message key'
    ]


# Expanding the default plan


def test_the_default_plan_expands_for_a_session_in_london() -> None:
    planned = expand(
        DEFAULT,
        session_at=local(LONDON, "2026-05-12 14:00"),
        linked_at=local(LONDON, "2026-05-12 14:40"),
        next_appointment_at=local(LONDON, "2026-06-02 11:00"),
        zone=LONDON,
        quiet=NIGHT,
    )
    assert schedule(planned, LONDON) == [
        ("aftercare", "2026-05-12 14:40", "2026-05-12 20:40"),
        ("evening", "2026-05-12 19:00", "2026-05-13 01:00"),
        ("checkin-day1", "2026-05-13 10:00", "2026-05-13 16:00"),
        ("checkin-day3", "2026-05-15 10:00", "2026-05-15 16:00"),
        ("checkin-day7", "2026-05-19 10:00", "2026-05-19 16:00"),
        ("reminder-day-before", "2026-06-01 11:00", "2026-06-01 17:00"),
        ("reminder-2h", "2026-06-02 09:00", "2026-06-02 10:00"),
    ]


def test_every_planned_message_says_what_to_send_and_how_it_was_anchored() -> None:
    planned = expand(
        DEFAULT,
        session_at=local(LONDON, "2026-05-12 14:00"),
        linked_at=local(LONDON, "2026-05-12 14:40"),
        next_appointment_at=local(LONDON, "2026-06-02 11:00"),
        zone=LONDON,
        quiet=NIGHT,
    )
    assert planned[0] == PlannedMessage(
        step_key="aftercare",
        message_key="plan.aftercare",
        kind=StepKind.INFO,
        due_at=datetime(2026, 5, 12, 13, 40, tzinfo=UTC),
        valid_until=datetime(2026, 5, 12, 19, 40, tzinfo=UTC),
        anchor=AnchorKind.LINK,
    )
    assert [message.anchor for message in planned] == [
        AnchorKind.LINK,
        AnchorKind.DAY,
        AnchorKind.DAY,
        AnchorKind.DAY,
        AnchorKind.DAY,
        AnchorKind.BEFORE,
        AnchorKind.BEFORE,
    ]
    assert all(message.due_at is not None and message.due_at.tzinfo is UTC for message in planned)


def test_a_planned_message_carries_its_steps_reassurance_flag() -> None:
    planned = expand(
        DEFAULT,
        session_at=local(LONDON, "2026-05-12 14:00"),
        linked_at=local(LONDON, "2026-05-12 14:40"),
        next_appointment_at=local(LONDON, "2026-06-02 11:00"),
        zone=LONDON,
        quiet=NIGHT,
    )
    assert {message.step_key: message.reassurance for message in planned} == {
        "aftercare": False,
        "evening": True,
        "checkin-day1": False,
        "checkin-day3": False,
        "checkin-day7": False,
        "reminder-day-before": False,
        "reminder-2h": False,
    }


def test_in_tokyo_days_count_from_the_local_date_of_the_session_not_the_utc_one() -> None:
    # 08:00 in Tokyo is still the previous day in UTC.
    planned = expand(
        DEFAULT,
        session_at=local(TOKYO, "2026-05-12 08:00"),
        linked_at=local(TOKYO, "2026-05-12 08:50"),
        next_appointment_at=None,
        zone=TOKYO,
        quiet=NIGHT,
    )
    assert schedule(planned, TOKYO) == [
        ("aftercare", "2026-05-12 08:50", "2026-05-12 14:50"),
        ("evening", "2026-05-12 19:00", "2026-05-13 01:00"),
        ("checkin-day1", "2026-05-13 10:00", "2026-05-13 16:00"),
        ("checkin-day3", "2026-05-15 10:00", "2026-05-15 16:00"),
        ("checkin-day7", "2026-05-19 10:00", "2026-05-19 16:00"),
    ]
    assert planned[2].due_at == datetime(2026, 5, 13, 1, 0, tzinfo=UTC)


def test_in_los_angeles_an_evening_session_is_still_day_0_though_utc_has_moved_on() -> None:
    planned = expand(
        DEFAULT,
        session_at=local(LOS_ANGELES, "2026-05-12 17:30"),
        linked_at=local(LOS_ANGELES, "2026-05-12 18:10"),
        next_appointment_at=local(LOS_ANGELES, "2026-06-02 17:30"),
        zone=LOS_ANGELES,
        quiet=NIGHT,
    )
    assert schedule(planned, LOS_ANGELES) == [
        ("aftercare", "2026-05-12 18:10", "2026-05-13 00:10"),
        ("evening", "2026-05-12 19:00", "2026-05-13 01:00"),
        ("checkin-day1", "2026-05-13 10:00", "2026-05-13 16:00"),
        ("checkin-day3", "2026-05-15 10:00", "2026-05-15 16:00"),
        ("checkin-day7", "2026-05-19 10:00", "2026-05-19 16:00"),
        ("reminder-day-before", "2026-06-01 17:30", "2026-06-01 23:30"),
        ("reminder-2h", "2026-06-02 15:30", "2026-06-02 16:30"),
    ]
    assert planned[1].due_at == datetime(2026, 5, 13, 2, 0, tzinfo=UTC)


# Changes of clocks


def test_check_ins_keep_their_wall_clock_time_when_the_clocks_go_forward() -> None:
    planned = expand(
        DEFAULT,
        session_at=local(LONDON, "2026-03-28 15:00"),  # GMT; BST from 29 March 01:00 UTC
        linked_at=local(LONDON, "2026-03-28 15:30"),
        next_appointment_at=None,
        zone=LONDON,
        quiet=NIGHT,
    )
    due = {message.step_key: message.due_at for message in planned}
    assert due["evening"] == datetime(2026, 3, 28, 19, 0, tzinfo=UTC)
    assert due["checkin-day1"] == datetime(2026, 3, 29, 9, 0, tzinfo=UTC)  # 10:00 BST
    assert due["checkin-day3"] == datetime(2026, 3, 31, 9, 0, tzinfo=UTC)


def test_check_ins_keep_their_wall_clock_time_when_the_clocks_go_back() -> None:
    planned = expand(
        DEFAULT,
        session_at=local(LONDON, "2026-10-24 15:00"),  # BST; GMT from 25 October 01:00 UTC
        linked_at=local(LONDON, "2026-10-24 15:30"),
        next_appointment_at=None,
        zone=LONDON,
        quiet=NIGHT,
    )
    due = {message.step_key: message.due_at for message in planned}
    assert due["evening"] == datetime(2026, 10, 24, 18, 0, tzinfo=UTC)  # 19:00 BST
    assert due["checkin-day1"] == datetime(2026, 10, 25, 10, 0, tzinfo=UTC)  # 10:00 GMT
    assert due["checkin-day7"] == datetime(2026, 10, 31, 10, 0, tzinfo=UTC)


def test_a_session_on_the_day_the_clocks_go_forward_has_its_evening_in_summer_time() -> None:
    planned = expand(
        DEFAULT,
        session_at=local(LONDON, "2026-03-29 09:00"),
        linked_at=None,
        next_appointment_at=None,
        zone=LONDON,
        quiet=None,
    )
    due = {message.step_key: message.due_at for message in planned}
    assert due["evening"] == datetime(2026, 3, 29, 18, 0, tzinfo=UTC)  # 19:00 BST


def test_a_step_written_in_hours_counts_real_time_across_a_change_of_clocks() -> None:
    plan = plan_of(step("next-day", AfterSession(elapsed(hours=24))))
    [message] = expand(
        plan,
        session_at=local(LONDON, "2026-03-28 15:00"),
        linked_at=None,
        next_appointment_at=None,
        zone=LONDON,
        quiet=None,
    )
    assert schedule([message], LONDON) == [("next-day", "2026-03-29 16:00", "2026-03-29 22:00")]


def after_session(delay: CalendarDuration, session: str) -> datetime:
    """When a step `delay` after a session at `session` London time falls due, without quiet."""
    [message] = expand(
        plan_of(step("after", AfterSession(delay))),
        session_at=local(LONDON, session),
        linked_at=None,
        next_appointment_at=None,
        zone=LONDON,
        quiet=None,
    )
    assert message.due_at is not None
    return message.due_at


@pytest.mark.parametrize(
    ("session", "next_day", "hours_later"),
    [
        ("2026-03-28 14:00", "2026-03-29 14:00", 23),
        ("2026-10-24 14:00", "2026-10-25 14:00", 25),
        ("2026-05-12 14:00", "2026-05-13 14:00", 24),
    ],
)
def test_a_day_after_the_session_is_the_same_time_the_next_day_whatever_the_clocks_do(
    session: str, next_day: str, hours_later: int
) -> None:
    due = after_session(CalendarDuration(days=1), session)
    assert due == local(LONDON, next_day)
    assert due - local(LONDON, session) == timedelta(hours=hours_later)


def test_weeks_after_the_session_keep_its_time_of_day_across_a_change_of_clocks() -> None:
    due = after_session(CalendarDuration(days=21), "2026-03-17 11:00")
    assert due == local(LONDON, "2026-04-07 11:00")


def test_days_then_hours_move_the_date_first_and_count_the_hours_in_real_time() -> None:
    due = after_session(CalendarDuration(days=1, clock=timedelta(hours=12)), "2026-03-28 14:00")
    assert due == local(LONDON, "2026-03-30 02:00")


def test_a_day_after_a_session_whose_time_is_skipped_the_next_day_is_just_after_the_gap() -> None:
    due = after_session(CalendarDuration(days=1), "2026-03-28 01:30")
    assert due == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # 02:00 BST


def test_a_day_after_a_session_whose_time_repeats_the_next_day_is_its_first_occurrence() -> None:
    due = after_session(CalendarDuration(days=1), "2026-10-24 01:30")
    assert due == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 01:30 BST


def test_a_year_after_a_session_in_the_second_pass_of_a_repeated_hour_is_the_first_pass() -> None:
    # The last Sundays of October 2025 and 2026 are 52 weeks apart, and both repeat 01:00-02:00.
    [message] = expand(
        plan_of(step("a-year-on", AfterSession(CalendarDuration(days=364)))),
        session_at=datetime(2025, 10, 26, 1, 30, tzinfo=UTC),  # 01:30 GMT, the second 01:30
        linked_at=None,
        next_appointment_at=None,
        zone=LONDON,
        quiet=None,
    )
    assert message.due_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 01:30 BST, the first


def test_no_days_after_a_session_in_the_repeated_hour_is_the_session_itself() -> None:
    second_pass = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 01:30 GMT, the second 01:30
    [message] = expand(
        plan_of(step("at-once", AfterSession(CalendarDuration()))),
        session_at=second_pass,
        linked_at=None,
        next_appointment_at=None,
        zone=LONDON,
        quiet=None,
    )
    assert message.due_at == second_pass


def test_a_time_skipped_by_the_clocks_going_forward_moves_to_the_first_valid_instant() -> None:
    plan = plan_of(step("small-hours", OnDay(1, time(1, 30))))
    [message] = expand(
        plan,
        session_at=local(LONDON, "2026-03-28 15:00"),
        linked_at=None,
        next_appointment_at=None,
        zone=LONDON,
        quiet=None,
    )
    assert message.due_at == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # 02:00 BST


def test_a_time_repeated_by_the_clocks_going_back_is_its_first_occurrence() -> None:
    plan = plan_of(step("small-hours", OnDay(1, time(1, 30))))
    [message] = expand(
        plan,
        session_at=local(LONDON, "2026-10-24 15:00"),
        linked_at=None,
        next_appointment_at=None,
        zone=LONDON,
        quiet=None,
    )
    assert message.due_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 01:30 BST


# Quiet hours


def test_a_step_in_quiet_hours_waits_for_them_to_end() -> None:
    plan = plan_of(step("late", AfterSession(elapsed(hours=8))))
    [message] = expand(
        plan,
        session_at=local(LONDON, "2026-05-12 15:00"),
        linked_at=None,
        next_appointment_at=None,
        zone=LONDON,
        quiet=NIGHT,
    )
    assert schedule([message], LONDON) == [("late", "2026-05-13 08:00", "2026-05-13 14:00")]


def test_a_step_at_an_early_hour_of_a_later_day_waits_for_the_morning() -> None:
    plan = plan_of(step("early", OnDay(2, time(6, 30))))
    [message] = expand(
        plan,
        session_at=local(TOKYO, "2026-05-12 15:00"),
        linked_at=None,
        next_appointment_at=None,
        zone=TOKYO,
        quiet=parse_quiet_hours("22:00-07:15"),
    )
    assert schedule([message], TOKYO) == [("early", "2026-05-14 07:15", "2026-05-14 13:15")]


def test_a_step_outside_quiet_hours_is_not_moved() -> None:
    plan = plan_of(step("edge", OnDay(0, time(20, 59))), step("morning", OnDay(1, time(8))))
    planned = expand(
        plan,
        session_at=local(LONDON, "2026-05-12 15:00"),
        linked_at=None,
        next_appointment_at=None,
        zone=LONDON,
        quiet=NIGHT,
    )
    assert [message.due_at for message in planned] == [
        local(LONDON, "2026-05-12 20:59"),
        local(LONDON, "2026-05-13 08:00"),
    ]


def test_quiet_hours_are_those_of_the_patients_zone() -> None:
    # 13:00 UTC is 22:00 in Tokyo: quiet there, the middle of the day in London.
    plan = plan_of(step("afternoon", AfterSession(elapsed(hours=4))))
    session_at = datetime(2026, 5, 12, 9, 0, tzinfo=UTC)

    def in_zone(zone: ZoneInfo) -> PlannedMessage:
        [message] = expand(
            plan,
            session_at=session_at,
            linked_at=None,
            next_appointment_at=None,
            zone=zone,
            quiet=NIGHT,
        )
        return message

    in_london, in_tokyo = in_zone(LONDON), in_zone(TOKYO)
    assert in_london.due_at == datetime(2026, 5, 12, 13, 0, tzinfo=UTC)
    assert in_tokyo.due_at == local(TOKYO, "2026-05-13 08:00")


def test_an_on_link_step_ignores_quiet_hours_because_the_patient_just_tapped_the_link() -> None:
    planned = expand(
        DEFAULT,
        session_at=local(LONDON, "2026-05-12 18:00"),
        linked_at=local(LONDON, "2026-05-12 23:30"),
        next_appointment_at=None,
        zone=LONDON,
        quiet=NIGHT,
    )
    assert schedule(planned, LONDON)[:3] == [
        ("evening", "2026-05-12 19:00", "2026-05-13 01:00"),
        ("aftercare", "2026-05-12 23:30", "2026-05-13 05:30"),
        ("checkin-day1", "2026-05-13 10:00", "2026-05-13 16:00"),
    ]


def test_a_step_in_the_repeated_hour_waits_for_quiet_hours_to_end_in_that_same_pass() -> None:
    # Quiet until 01:30 and due at 01:15 GMT, the second 01:15 of the night the clocks go back:
    # the window ends at 01:30 GMT, not at 01:30 BST, which was an hour ago.
    plan = plan_of(step("late", AfterSession(elapsed(minutes=5))))
    [message] = expand(
        plan,
        session_at=datetime(2026, 10, 25, 1, 10, tzinfo=UTC),
        linked_at=None,
        next_appointment_at=None,
        zone=LONDON,
        quiet=QuietHours(time(21), time(1, 30)),
    )
    assert message.due_at == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


def test_a_step_waits_for_the_next_day_when_the_clocks_skip_the_end_of_quiet_hours() -> None:
    # Quiet from 02:30 to 02:00: on the night New York skips 02:00-03:00 the window ends at
    # 03:00, which is already inside the next one.
    new_york = ZoneInfo("America/New_York")
    plan = plan_of(step("evening", OnDay(0, time(19))))
    [message] = expand(
        plan,
        session_at=local(new_york, "2026-03-07 15:00"),
        linked_at=None,
        next_appointment_at=None,
        zone=new_york,
        quiet=QuietHours(time(2, 30), time(2, 0)),
    )
    assert schedule([message], new_york) == [("evening", "2026-03-09 02:00", "2026-03-09 08:00")]


def test_without_quiet_hours_nothing_is_moved() -> None:
    plan = plan_of(step("late", AfterSession(elapsed(hours=8))))
    [message] = expand(
        plan,
        session_at=local(LONDON, "2026-05-12 15:00"),
        linked_at=None,
        next_appointment_at=None,
        zone=LONDON,
        quiet=None,
    )
    assert message.due_at == local(LONDON, "2026-05-12 23:00")


# Not linked yet


def test_before_the_patient_links_the_on_link_step_waits_for_the_link_and_comes_first() -> None:
    planned = expand(
        DEFAULT,
        session_at=local(LONDON, "2026-05-12 14:00"),
        linked_at=None,
        next_appointment_at=None,
        zone=LONDON,
        quiet=NIGHT,
    )
    first = planned[0]
    assert (first.step_key, first.due_at, first.valid_until) == ("aftercare", None, None)
    assert first.waits_for_link
    assert not any(message.waits_for_link for message in planned[1:])
    assert schedule(planned, LONDON)[1] == ("evening", "2026-05-12 19:00", "2026-05-13 01:00")


# Steps before the next appointment


def test_a_before_step_is_left_out_while_no_next_appointment_is_known() -> None:
    planned = expand(
        DEFAULT,
        session_at=local(LONDON, "2026-05-12 14:00"),
        linked_at=local(LONDON, "2026-05-12 14:40"),
        next_appointment_at=None,
        zone=LONDON,
        quiet=NIGHT,
    )
    assert [message.step_key for message in planned] == [
        "aftercare",
        "evening",
        "checkin-day1",
        "checkin-day3",
        "checkin-day7",
    ]


def reminders_for(appointment: str, zone: ZoneInfo = LONDON) -> list[tuple[str, str, str]]:
    planned = expand(
        DEFAULT,
        session_at=local(zone, "2026-05-12 14:00"),
        linked_at=local(zone, "2026-05-12 14:40"),
        next_appointment_at=local(zone, appointment),
        zone=zone,
        quiet=NIGHT,
    )
    return [entry for entry in schedule(planned, zone) if entry[0].startswith("reminder")]


def test_a_reminder_in_quiet_hours_moves_to_their_end_when_that_is_before_the_appointment() -> None:
    assert reminders_for("2026-06-02 09:00") == [
        ("reminder-day-before", "2026-06-01 09:00", "2026-06-01 15:00"),
        ("reminder-2h", "2026-06-02 08:00", "2026-06-02 09:00"),
    ]


def test_a_reminder_that_would_land_after_the_appointment_goes_before_quiet_hours_instead() -> None:
    assert reminders_for("2026-06-02 07:30") == [
        ("reminder-day-before", "2026-06-01 08:00", "2026-06-01 14:00"),
        ("reminder-2h", "2026-06-01 20:59", "2026-06-01 21:59"),
    ]


def test_a_reminder_that_would_land_exactly_at_the_appointment_goes_before_quiet_hours() -> None:
    assert reminders_for("2026-06-02 08:00")[1] == (
        "reminder-2h",
        "2026-06-01 20:59",
        "2026-06-01 21:59",
    )


def test_a_day_before_keeps_the_appointments_time_when_the_clocks_go_back_overnight() -> None:
    # 09:00 BST on the 24th is 25 hours before 09:00 GMT on the 25th; the quiet hours still end
    # at 08:00 on the wall clock.
    assert reminders_for("2026-10-25 09:00") == [
        ("reminder-day-before", "2026-10-24 09:00", "2026-10-24 15:00"),
        ("reminder-2h", "2026-10-25 08:00", "2026-10-25 09:00"),
    ]


def test_a_day_before_keeps_the_appointments_time_when_the_clocks_go_forward_overnight() -> None:
    assert reminders_for("2026-03-29 11:00") == [
        ("reminder-day-before", "2026-03-28 11:00", "2026-03-28 17:00"),
        ("reminder-2h", "2026-03-29 09:00", "2026-03-29 10:00"),
    ]
    [day_before, _] = expand(
        DEFAULT,
        session_at=local(LONDON, "2026-03-10 14:00"),
        linked_at=None,
        next_appointment_at=local(LONDON, "2026-03-29 11:00"),
        zone=LONDON,
        quiet=None,
    )[-2:]
    assert day_before.due_at == local(LONDON, "2026-03-29 11:00") - timedelta(hours=23)


def test_a_reminder_written_in_hours_counts_real_time_before_the_appointment() -> None:
    plan = plan_of(step("reminder-24h", BeforeAppointment(elapsed(hours=24))))
    [message] = expand(
        plan,
        session_at=local(LONDON, "2026-10-01 14:00"),
        linked_at=None,
        next_appointment_at=local(LONDON, "2026-10-25 09:00"),
        zone=LONDON,
        quiet=None,
    )
    assert schedule([message], LONDON) == [("reminder-24h", "2026-10-24 10:00", "2026-10-24 16:00")]


def test_a_day_before_an_appointment_just_after_a_skipped_day_is_still_before_it() -> None:
    # Samoa went from 29 to 31 December 2011: midnight of the 30th never happened, and the first
    # instant after it is the appointment itself, so the day before is counted in hours.
    apia = ZoneInfo("Pacific/Apia")
    plan = plan_of(step("day-before", BeforeAppointment(CalendarDuration(days=1))))
    [message] = expand(
        plan,
        session_at=local(apia, "2011-12-01 14:00"),
        linked_at=None,
        next_appointment_at=local(apia, "2011-12-31 00:00"),
        zone=apia,
        quiet=None,
    )
    assert schedule([message], apia) == [("day-before", "2011-12-29 00:00", "2011-12-29 06:00")]


def test_a_reminder_is_never_valid_after_the_appointment() -> None:
    plan = plan_of(step("reminder-30m", BeforeAppointment(elapsed(minutes=30))))
    [message] = expand(
        plan,
        session_at=local(LONDON, "2026-05-12 14:00"),
        linked_at=None,
        next_appointment_at=local(LONDON, "2026-06-02 11:00"),
        zone=LONDON,
        quiet=NIGHT,
    )
    assert schedule([message], LONDON) == [("reminder-30m", "2026-06-02 10:30", "2026-06-02 11:00")]


# Validity and order


def test_a_step_is_valid_for_its_own_duration_or_else_the_default_grace() -> None:
    plan = plan_of(
        step("short", AfterSession(elapsed(hours=1)), valid_for=timedelta(minutes=15)),
        step("default", AfterSession(elapsed(hours=2))),
    )
    planned = expand(
        plan,
        session_at=datetime(2026, 5, 12, 9, 0, tzinfo=UTC),
        linked_at=None,
        next_appointment_at=None,
        zone=LONDON,
        quiet=None,
    )
    assert [(message.due_at, message.valid_until) for message in planned] == [
        (datetime(2026, 5, 12, 10, 0, tzinfo=UTC), datetime(2026, 5, 12, 10, 15, tzinfo=UTC)),
        (datetime(2026, 5, 12, 11, 0, tzinfo=UTC), datetime(2026, 5, 12, 17, 0, tzinfo=UTC)),
    ]


def test_messages_are_sorted_by_due_time_and_ties_keep_plan_order() -> None:
    plan = plan_of(
        step("third", OnDay(2, time(10))),
        step("first-a", AfterSession(elapsed(hours=1))),
        step("first-b", AfterSession(elapsed(hours=1))),
        step("second", OnDay(1, time(10))),
    )
    planned = expand(
        plan,
        session_at=local(LONDON, "2026-05-12 14:00"),
        linked_at=None,
        next_appointment_at=None,
        zone=LONDON,
        quiet=None,
    )
    assert [message.step_key for message in planned] == ["first-a", "first-b", "second", "third"]


def test_session_times_may_be_given_in_any_zone_and_come_back_in_utc() -> None:
    planned = expand(
        DEFAULT,
        session_at=datetime(2026, 5, 12, 14, 0, tzinfo=LONDON),
        linked_at=datetime(2026, 5, 12, 22, 40, tzinfo=TOKYO),
        next_appointment_at=None,
        zone=LONDON,
        quiet=NIGHT,
    )
    assert planned[0].due_at == datetime(2026, 5, 12, 13, 40, tzinfo=UTC)
    assert planned[0].due_at.tzinfo is UTC


def test_a_session_time_without_a_zone_is_refused() -> None:
    naive = datetime(2026, 5, 12, 14, 0, tzinfo=UTC).replace(tzinfo=None)
    with pytest.raises(ValueError, match="session_at must be an aware datetime"):
        expand(
            DEFAULT,
            session_at=naive,
            linked_at=None,
            next_appointment_at=None,
            zone=LONDON,
            quiet=None,
        )


def test_a_course_is_suggested_at_the_same_local_time_every_few_weeks() -> None:
    assert course_sessions(DEFAULT, local(LONDON, "2026-02-24 11:00"), LONDON) == [
        local(LONDON, "2026-02-24 11:00"),
        local(LONDON, "2026-03-17 11:00"),
        local(LONDON, "2026-04-07 11:00"),  # BST by now: still 11:00 on the clinic's clock
        local(LONDON, "2026-04-28 11:00"),
    ]


# Parse problems


def test_every_problem_of_a_plan_is_listed_at_once_with_its_place() -> None:
    table: dict[str, object] = {
        "sessions": 0,
        "spacing": "3x",
        "colour": "blue",
        "steps": [
            valid_step(key="aftercare", on="consent", message="plan.aftercare", kind="info"),
            valid_step(key="Evening", day=-1, at="25:00"),
            valid_step(key="late", after="3x"),
            valid_step(key="aftercare", after="1h", before="1d"),
            valid_step(key="nope", before="2h", message="plan.nope", kind="reminder"),
            valid_step(key="stray", at="10:00", valid_for="0h", urgent=True),
            {"key": "bare"},
            "checkin",
        ],
    }
    prefix = "plans.test"
    assert parse_problems(table) == [
        f'{prefix}.colour: "blue" is not a field of a plan (expected sessions, spacing, steps)',
        f"{prefix}.sessions: 0 is not a number of sessions (expected a whole number, at least 1)",
        f'{prefix}.spacing: "3x" is not a duration '
        '(expected a number and a unit s, m, h, d or w, such as "2h" or "3w")',
        f'{prefix} step 1, on: "consent" is not an event (expected "link")',
        f'{prefix} step 2, key: "Evening" is not a step key '
        '(expected lowercase letters, digits and hyphens, such as "checkin-day1")',
        f'{prefix} step 2, at: "25:00" is not a time of day (expected "HH:MM", such as "10:00")',
        f"{prefix} step 2, day: -1 is not a day after the session "
        "(expected a whole number, 0 for the day of the session)",
        f'{prefix} step 3, after: "3x" is not a duration '
        '(expected a number and a unit s, m, h, d or w, such as "2h" or "3w")',
        f'{prefix} step 4, key: "aftercare" is used by two steps '
        f"(expected each key once; {prefix} step 1 has it)",
        f"{prefix} step 4: has 2 anchors (after, before) (expected exactly one of "
        'on = "link", after = "2h", day = 1 with at = "10:00", or before = "1d")',
        f'{prefix} step 5, message: "plan.nope" is not a known message key',
        f'{prefix} step 5, kind: "reminder" is not a kind of step '
        '(expected one of "info", "checkin", "appointment")',
        f"{prefix} step 6, urgent: true is not a field of a step (expected key, message, kind, "
        "on, after, day, at, before, valid_for, reassurance)",
        f'{prefix} step 6, at: "10:00" needs day (expected day = N beside at, such as day = 1)',
        f"{prefix} step 6: has no anchor (expected exactly one of "
        'on = "link", after = "2h", day = 1 with at = "10:00", or before = "1d")',
        f'{prefix} step 6, valid_for: "0h" is zero (expected more than zero, such as "1h")',
        f"{prefix} step 7, message: missing "
        '(expected a key of the texts catalogue, such as "plan.checkin")',
        f'{prefix} step 7, kind: missing (expected one of "info", "checkin", "appointment")',
        f"{prefix} step 7: has no anchor (expected exactly one of "
        'on = "link", after = "2h", day = 1 with at = "10:00", or before = "1d")',
        f'{prefix} step 8: "checkin" is not a step (expected a table with key, message, kind)',
    ]


def test_a_key_used_by_two_steps_is_refused() -> None:
    table = valid_table(
        valid_step(key="evening", day=0, at="19:00"),
        valid_step(key="checkin-day1", day=1, at="10:00"),
        valid_step(key="evening", day=0, at="20:00"),
    )
    assert parse_problems(table, "scalp-mesotherapy") == [
        'plans.scalp-mesotherapy step 3, key: "evening" is used by two steps '
        "(expected each key once; plans.scalp-mesotherapy step 1 has it)"
    ]


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        (
            {"spacing": "3w", "steps": [valid_step(after="1h")]},
            "plans.test.sessions: missing (expected a whole number, at least 1)",
        ),
        (
            {"sessions": True, "spacing": "3w", "steps": [valid_step(after="1h")]},
            "plans.test.sessions: true is not a number of sessions (expected a whole number, "
            "at least 1)",
        ),
        (
            {"sessions": 4, "steps": [valid_step(after="1h")]},
            "plans.test.spacing: missing "
            '(expected a number and a unit s, m, h, d or w, such as "2h" or "3w")',
        ),
        (
            {"sessions": 4, "spacing": 21, "steps": [valid_step(after="1h")]},
            "plans.test.spacing: 21 is not a duration "
            '(expected a number and a unit s, m, h, d or w, such as "2h" or "3w")',
        ),
        (
            {"sessions": 4, "spacing": "0w", "steps": [valid_step(after="1h")]},
            'plans.test.spacing: "0w" is zero (expected more than zero, such as "1h")',
        ),
        (
            {"sessions": 4, "spacing": "3w", "steps": []},
            "plans.test.steps: an empty list is not a list of steps (expected at least one step, "
            'such as { key = "checkin-day1", day = 1, at = "10:00", message = "plan.checkin", '
            'kind = "checkin" })',
        ),
        (
            {"sessions": 4, "spacing": "3w"},
            "plans.test.steps: missing (expected at least one step, such as "
            '{ key = "checkin-day1", day = 1, at = "10:00", message = "plan.checkin", '
            'kind = "checkin" })',
        ),
        (
            valid_table(valid_step(day=1)),
            'plans.test step 1, at: missing (expected "HH:MM", such as "10:00")',
        ),
        (
            valid_table(valid_step(day=1, at="10.00")),
            'plans.test step 1, at: "10.00" is not a time of day '
            '(expected "HH:MM", such as "10:00")',
        ),
        (
            valid_table(valid_step(day="1", at="10:00")),
            'plans.test step 1, day: "1" is not a day after the session '
            "(expected a whole number, 0 for the day of the session)",
        ),
        (
            valid_table(valid_step(before="0h")),
            'plans.test step 1, before: "0h" is zero (expected more than zero, such as "1h")',
        ),
        (
            valid_table(valid_step(after="1h", key=None)),
            "plans.test step 1, key: missing "
            '(expected lowercase letters, digits and hyphens, such as "checkin-day1")',
        ),
        (
            valid_table(valid_step(after="1h", key="check--in")),
            'plans.test step 1, key: "check--in" is not a step key '
            '(expected lowercase letters, digits and hyphens, such as "checkin-day1")',
        ),
        (
            valid_table(valid_step(after="1h", message="plan.chekin")),
            'plans.test step 1, message: "plan.chekin" is not a known message key '
            '(did you mean "plan.checkin"?)',
        ),
        (
            valid_table(valid_step(on="link", day=1, at="10:00", before="1d")),
            "plans.test step 1: has 3 anchors (on, day, before) (expected exactly one of "
            'on = "link", after = "2h", day = 1 with at = "10:00", or before = "1d")',
        ),
    ],
)
def test_each_kind_of_mistake_is_named_with_the_value_and_what_was_expected(
    table: dict[str, object], problem: str
) -> None:
    assert parse_problems(table) == [problem]


def test_a_step_is_reassurance_only_when_it_says_so() -> None:
    table = valid_table(
        valid_step(key="evening", day=0, at="19:00", reassurance=True),
        valid_step(key="calm", after="1h", reassurance=False),
        valid_step(key="checkin-day1", day=1, at="10:00"),
    )
    plan = parse_plan("test", table, known_messages=DEFAULT_MESSAGES, default_valid_for=GRACE)
    assert [(step.key, step.reassurance) for step in plan.steps] == [
        ("evening", True),
        ("calm", False),
        ("checkin-day1", False),
    ]


@pytest.mark.parametrize(("value", "shown"), [("yes", '"yes"'), (1, "1"), ("true", '"true"')])
def test_reassurance_must_be_an_unquoted_true_or_false(value: object, shown: str) -> None:
    assert parse_problems(valid_table(valid_step(after="1h", reassurance=value))) == [
        f"plans.test step 1, reassurance: {shown} is not true or false "
        "(expected true or false, unquoted)"
    ]


def test_a_plan_name_must_be_usable_as_a_key() -> None:
    assert parse_problems(valid_table(valid_step(after="1h")), "Scalp Meso") == [
        'plans.Scalp Meso: "Scalp Meso" is not a plan name '
        '(expected lowercase letters, digits and hyphens, such as "scalp-mesotherapy")'
    ]


def test_a_plan_is_read_whole_from_toml_with_steps_as_an_array_of_tables() -> None:
    table = tomllib.loads(
        """
        sessions = 1
        spacing = "1w"

        [[steps]]
        key = "hello"
        on = "link"
        message = "plan.aftercare"
        kind = "info"

        [[steps]]
        key = "soon"
        after = "90m"
        message = "plan.checkin"
        kind = "info"
        valid_for = "30s"

        [[steps]]
        key = "morning"
        day = 2
        at = 09:30:00
        message = "plan.checkin"
        kind = "checkin"
        """
    )
    plan = parse_plan("one-off", table, known_messages=DEFAULT_MESSAGES, default_valid_for=GRACE)
    assert plan == Plan(
        "one-off",
        1,
        timedelta(weeks=1),
        (
            PlanStep("hello", "plan.aftercare", StepKind.INFO, OnLink(), GRACE),
            PlanStep(
                "soon",
                "plan.checkin",
                StepKind.INFO,
                AfterSession(elapsed(minutes=90)),
                timedelta(seconds=30),
            ),
            PlanStep("morning", "plan.checkin", StepKind.CHECKIN, OnDay(2, time(9, 30)), GRACE),
        ),
    )


@pytest.mark.parametrize(
    ("text", "duration"),
    [
        ("1d", CalendarDuration(days=1)),
        ("3w", CalendarDuration(days=21)),
        ("36h", CalendarDuration(clock=timedelta(hours=36))),
        ("1.5d", CalendarDuration(clock=timedelta(hours=36))),
        ("90m", CalendarDuration(clock=timedelta(minutes=90))),
    ],
)
def test_after_and_before_read_whole_days_as_calendar_days_and_the_rest_as_real_time(
    text: str, duration: CalendarDuration
) -> None:
    table = valid_table(valid_step(key="after", after=text), valid_step(key="before", before=text))
    plan = parse_plan("test", table, known_messages=DEFAULT_MESSAGES, default_valid_for=GRACE)
    assert [step.anchor for step in plan.steps] == [
        AfterSession(duration),
        BeforeAppointment(duration),
    ]


def test_no_days_after_the_session_is_right_away_but_no_days_before_is_refused() -> None:
    table = valid_table(valid_step(after="0d"))
    plan = parse_plan("test", table, known_messages=DEFAULT_MESSAGES, default_valid_for=GRACE)
    assert plan.steps[0].anchor == AfterSession(CalendarDuration())
    assert parse_problems(valid_table(valid_step(before="0d"))) == [
        'plans.test step 1, before: "0d" is zero (expected more than zero, such as "1h")'
    ]


def test_all_plans_are_read_together_and_their_problems_reported_together() -> None:
    tables: dict[str, object] = {
        "good": valid_table(valid_step(after="1h")),
        "bad": valid_table(valid_step(after="1x")),
        "worse": "scalp",
    }
    with pytest.raises(InvalidPlan) as caught:
        parse_plans(tables, known_messages=DEFAULT_MESSAGES, default_valid_for=GRACE)
    assert caught.value.problems == [
        'plans.bad step 1, after: "1x" is not a duration '
        '(expected a number and a unit s, m, h, d or w, such as "2h" or "3w")',
        'plans.worse: "scalp" is not a table (expected sessions, spacing and steps under '
        "[plans.NAME])",
    ]
    del tables["bad"], tables["worse"]
    plans = parse_plans(tables, known_messages=DEFAULT_MESSAGES, default_valid_for=GRACE)
    assert list(plans) == ["good"]


def test_an_invalid_plan_is_a_domain_error_whose_message_lists_the_problems() -> None:
    error = InvalidPlan(["plans.a.sessions: first", "plans.a.spacing: second"])
    assert isinstance(error, AftercareError)
    assert isinstance(error, ValueError)
    assert str(error) == "plans.a.sessions: first\nplans.a.spacing: second"
