from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftercare_bot.adapters.telegram.views.check_ins import reason_text
from aftercare_bot.domain.check_in_answers import (
    Answers,
    CheckInRecord,
    InvalidAnswers,
    Level,
    Symptom,
    WarningSign,
    days_since_session,
)
from aftercare_bot.domain.errors import AftercareError
from aftercare_bot.domain.triage import (
    InvalidTriageResult,
    InvalidTriageRules,
    Reason,
    ReasonKind,
    TriageResult,
    TriageRules,
    Urgency,
    triage,
)
from aftercare_bot.texts import Texts

LONDON = ZoneInfo("Europe/London")
SESSION_AT = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
DEFAULTS = TriageRules()
URGENT_SIGNS = [sign for sign in WarningSign if sign != WarningSign.OTHER]
# Deterministic in CI: the same examples on every run, nothing saved between runs.
PROPERTY = settings(max_examples=200, deadline=None, derandomize=True, database=None)


def reported(
    *,
    redness: Level = Level.NONE,
    swelling: Level = Level.NONE,
    bruising: Level = Level.NONE,
    signs: tuple[WarningSign, ...] = (),
    note: str | None = None,
) -> Answers:
    """A finished check-in: every symptom answered, nothing unless said otherwise."""
    levels = {Symptom.REDNESS: redness, Symptom.SWELLING: swelling, Symptom.BRUISING: bruising}
    return Answers(levels=levels, signs=frozenset(signs), note=note)


def on_day(day: int, answers: Answers) -> CheckInRecord:
    return CheckInRecord(SESSION_AT + timedelta(days=day, hours=2), day, answers)


def urgency_on_day(
    day: int,
    answers: Answers,
    history: tuple[CheckInRecord, ...] = (),
    rules: TriageRules = DEFAULTS,
) -> Urgency:
    return triage(on_day(day, answers), history, rules).urgency


# Expected effects


def test_all_fine_needs_nothing() -> None:
    assert triage(on_day(1, Answers.all_fine()), (), DEFAULTS) == TriageResult(Urgency.NOTHING)


@pytest.mark.parametrize("day", [0, 1, 2])
def test_mild_effects_in_the_first_days_need_nothing(day: int) -> None:
    answers = reported(redness=Level.MILD, swelling=Level.MILD, bruising=Level.MILD)
    assert urgency_on_day(day, answers) == Urgency.NOTHING


def test_a_mild_symptom_that_lingers_to_day_five_needs_nothing() -> None:
    assert urgency_on_day(5, reported(bruising=Level.MILD)) == Urgency.NOTHING


def test_a_moderate_symptom_on_day_two_is_still_expected() -> None:
    assert urgency_on_day(2, reported(swelling=Level.MODERATE)) == Urgency.NOTHING


# Urgent


@pytest.mark.parametrize("symptom", list(Symptom))
@pytest.mark.parametrize("day", [0, 1])
def test_a_severe_symptom_is_urgent_even_on_the_first_days(symptom: Symptom, day: int) -> None:
    result = triage(on_day(day, Answers().with_level(symptom, Level.SEVERE)), (), DEFAULTS)
    assert result == TriageResult(
        Urgency.URGENT,
        (
            Reason(
                ReasonKind.SEVERE_SYMPTOM,
                Urgency.URGENT,
                symptom=symptom,
                level=Level.SEVERE,
                day=day,
            ),
        ),
    )


@pytest.mark.parametrize("sign", URGENT_SIGNS)
def test_each_warning_sign_of_infection_or_pigment_change_is_urgent(sign: WarningSign) -> None:
    result = triage(on_day(1, reported(signs=(sign,))), (), DEFAULTS)
    assert result.urgency == Urgency.URGENT
    assert result.reasons == (Reason(ReasonKind.WARNING_SIGN, Urgency.URGENT, sign=sign, day=1),)


# Routine


def test_something_else_with_its_note_is_routine_and_the_note_is_information() -> None:
    answers = reported(signs=(WarningSign.OTHER,), note="itching at night")
    result = triage(on_day(1, answers), (), DEFAULTS)
    assert result.urgency == Urgency.ROUTINE
    assert [reason.kind for reason in result.reasons] == [
        ReasonKind.SOMETHING_ELSE,
        ReasonKind.NOTE_OR_PHOTO,
    ]
    assert result.reasons[0].sign == WarningSign.OTHER


def test_something_else_without_a_note_is_still_routine() -> None:
    assert urgency_on_day(1, reported(signs=(WarningSign.OTHER,))) == Urgency.ROUTINE


def test_a_moderate_symptom_on_day_three_is_not_subsiding() -> None:
    result = triage(on_day(3, reported(swelling=Level.MODERATE)), (), DEFAULTS)
    assert result == TriageResult(
        Urgency.ROUTINE,
        (
            Reason(
                ReasonKind.NOT_SUBSIDING,
                Urgency.ROUTINE,
                symptom=Symptom.SWELLING,
                level=Level.MODERATE,
                day=3,
            ),
        ),
    )


def test_a_symptom_worse_than_at_the_previous_check_in_is_routine() -> None:
    before = on_day(0, reported(swelling=Level.MILD))
    result = triage(on_day(1, reported(swelling=Level.MODERATE)), (before,), DEFAULTS)
    assert result == TriageResult(
        Urgency.ROUTINE,
        (
            Reason(
                ReasonKind.WORSE_THAN_BEFORE,
                Urgency.ROUTINE,
                symptom=Symptom.SWELLING,
                level=Level.MODERATE,
                day=1,
                previous_level=Level.MILD,
                previous_day=0,
            ),
        ),
    )


@pytest.mark.parametrize(
    ("before", "now"),
    [(Level.MILD, Level.MILD), (Level.MODERATE, Level.MODERATE), (Level.MODERATE, Level.MILD)],
)
def test_a_symptom_as_bad_as_before_or_better_needs_nothing(before: Level, now: Level) -> None:
    history = (on_day(0, reported(redness=before)),)
    assert urgency_on_day(1, reported(redness=now), history) == Urgency.NOTHING


def test_the_previous_check_in_is_the_latest_one_answered_before_this_one() -> None:
    current = on_day(2, reported(bruising=Level.MODERATE))
    history = (
        on_day(1, reported(bruising=Level.MODERATE)),  # the previous one, listed first
        on_day(0, reported(bruising=Level.NONE)),
        current,
        on_day(3, reported(bruising=Level.NONE)),  # answered later: not "before"
    )
    assert triage(current, history, DEFAULTS).urgency == Urgency.NOTHING


def test_a_symptom_the_previous_check_in_left_unanswered_is_not_compared() -> None:
    half_way = on_day(0, Answers().with_level(Symptom.REDNESS, Level.NONE))
    assert urgency_on_day(1, reported(swelling=Level.MODERATE), (half_way,)) == Urgency.NOTHING


# Information


def test_a_note_alone_is_information() -> None:
    result = triage(on_day(1, reported(note="Is it fine to wash my hair?")), (), DEFAULTS)
    assert result == TriageResult(
        Urgency.INFORMATION, (Reason(ReasonKind.NOTE_OR_PHOTO, Urgency.INFORMATION, day=1),)
    )


def test_a_photo_alone_is_information() -> None:
    assert urgency_on_day(1, reported().with_photo()) == Urgency.INFORMATION


def test_a_blank_note_is_no_note() -> None:
    assert reported().with_note("  \n") == reported()
    assert urgency_on_day(1, reported().with_note("   ")) == Urgency.NOTHING


# Several reasons


def test_several_triggers_give_the_most_severe_urgency_and_every_reason_most_severe_first() -> None:
    before = on_day(1, reported(redness=Level.MILD, swelling=Level.MILD))
    answers = reported(
        redness=Level.MODERATE,
        swelling=Level.SEVERE,
        signs=(WarningSign.OTHER, WarningSign.FEVER),
        note="hot to the touch",
    ).with_photo()
    result = triage(on_day(4, answers), (before,), DEFAULTS)
    assert result.urgency == Urgency.URGENT
    assert [
        (reason.kind, reason.urgency, reason.symptom, reason.sign, reason.previous_level)
        for reason in result.reasons
    ] == [
        (ReasonKind.SEVERE_SYMPTOM, Urgency.URGENT, Symptom.SWELLING, None, Level.MILD),
        (ReasonKind.WARNING_SIGN, Urgency.URGENT, None, WarningSign.FEVER, None),
        (ReasonKind.SOMETHING_ELSE, Urgency.ROUTINE, None, WarningSign.OTHER, None),
        (ReasonKind.WORSE_THAN_BEFORE, Urgency.ROUTINE, Symptom.REDNESS, None, Level.MILD),
        (ReasonKind.NOTE_OR_PHOTO, Urgency.INFORMATION, None, None, None),
    ]


# One finding, one reason


def test_a_severe_symptom_that_was_mild_earlier_the_same_day_is_one_urgent_reason() -> None:
    earlier = CheckInRecord(SESSION_AT + timedelta(hours=1), 0, reported(redness=Level.MILD))
    now = CheckInRecord(SESSION_AT + timedelta(hours=5), 0, reported(redness=Level.SEVERE))
    assert triage(now, (earlier,), DEFAULTS) == TriageResult(
        Urgency.URGENT,
        (
            Reason(
                ReasonKind.SEVERE_SYMPTOM,
                Urgency.URGENT,
                symptom=Symptom.REDNESS,
                level=Level.SEVERE,
                day=0,
                previous_level=Level.MILD,
                previous_day=0,
            ),
        ),
    )


def test_a_symptom_worse_than_before_on_day_three_is_said_once_as_worse() -> None:
    before = on_day(1, reported(swelling=Level.MILD))
    result = triage(on_day(3, reported(swelling=Level.MODERATE)), (before,), DEFAULTS)
    assert result == TriageResult(
        Urgency.ROUTINE,
        (
            Reason(
                ReasonKind.WORSE_THAN_BEFORE,
                Urgency.ROUTINE,
                symptom=Symptom.SWELLING,
                level=Level.MODERATE,
                day=3,
                previous_level=Level.MILD,
                previous_day=1,
            ),
        ),
    )


def test_a_severe_symptom_on_day_three_is_not_also_called_not_subsiding() -> None:
    result = triage(on_day(3, reported(bruising=Level.SEVERE)), (), DEFAULTS)
    assert result.reasons == (
        Reason(
            ReasonKind.SEVERE_SYMPTOM,
            Urgency.URGENT,
            symptom=Symptom.BRUISING,
            level=Level.SEVERE,
            day=3,
        ),
    )


def test_a_severe_symptom_as_bad_as_before_keeps_no_previous_level() -> None:
    before = on_day(1, reported(redness=Level.SEVERE))
    [reason] = triage(on_day(3, reported(redness=Level.SEVERE)), (before,), DEFAULTS).reasons
    assert (reason.kind, reason.previous_level, reason.previous_day) == (
        ReasonKind.SEVERE_SYMPTOM,
        None,
        None,
    )


def test_without_the_worsening_rule_a_severe_symptom_does_not_say_what_it_was() -> None:
    rules = replace(DEFAULTS, worsening_is_routine=False)
    before = on_day(0, reported(redness=Level.MILD))
    [reason] = triage(on_day(1, reported(redness=Level.SEVERE)), (before,), rules).reasons
    assert reason.previous_level is None


def test_each_symptom_keeps_its_own_reason() -> None:
    before = on_day(1, reported(redness=Level.MILD, swelling=Level.MILD, bruising=Level.MODERATE))
    answers = reported(redness=Level.SEVERE, swelling=Level.MODERATE, bruising=Level.MODERATE)
    result = triage(on_day(3, answers), (before,), DEFAULTS)
    assert [(reason.symptom, reason.kind) for reason in result.reasons] == [
        (Symptom.REDNESS, ReasonKind.SEVERE_SYMPTOM),
        (Symptom.SWELLING, ReasonKind.WORSE_THAN_BEFORE),
        (Symptom.BRUISING, ReasonKind.NOT_SUBSIDING),
    ]


def test_staff_read_a_symptom_that_got_worse_once_whichever_rule_found_it() -> None:
    texts = Texts.load()
    earlier = CheckInRecord(SESSION_AT + timedelta(hours=1), 0, reported(redness=Level.MILD))
    now = CheckInRecord(SESSION_AT + timedelta(hours=5), 0, reported(redness=Level.SEVERE))
    [reason] = triage(now, (earlier,), DEFAULTS).reasons
    assert reason_text(texts, "en", reason) == "redness severe on day 0, was mild on day 0"
    severe_alone = replace(reason, previous_level=None, previous_day=None)
    assert reason_text(texts, "en", severe_alone) == "redness severe on day 0"


# Check-ins left half-way


def test_a_check_in_abandoned_half_way_counts_what_was_reported() -> None:
    half_way = Answers().with_level(Symptom.REDNESS, Level.SEVERE)
    assert not half_way.complete
    assert urgency_on_day(1, half_way) == Urgency.URGENT


def test_a_check_in_abandoned_before_any_answer_needs_nothing() -> None:
    assert urgency_on_day(4, Answers()) == Urgency.NOTHING


# The clinic's rules


def test_a_warning_sign_the_clinic_does_not_count_as_urgent_is_still_routine() -> None:
    rules = replace(DEFAULTS, urgent_signs=frozenset({WarningSign.FEVER}))
    result = triage(on_day(1, reported(signs=(WarningSign.PIGMENT,))), (), rules)
    assert result.reasons == (
        Reason(ReasonKind.WARNING_SIGN, Urgency.ROUTINE, sign=WarningSign.PIGMENT, day=1),
    )


def test_something_else_is_urgent_when_the_clinic_lists_it_among_urgent_signs() -> None:
    rules = replace(DEFAULTS, urgent_signs=frozenset(WarningSign))
    assert urgency_on_day(1, reported(signs=(WarningSign.OTHER,)), rules=rules) == Urgency.URGENT


def test_each_rule_after_the_urgent_ones_can_be_switched_off() -> None:
    worse = (on_day(0, reported(redness=Level.NONE)),)
    off = replace(
        DEFAULTS,
        worsening_is_routine=False,
        other_sign_is_routine=False,
        note_or_photo_is_information=False,
    )
    assert urgency_on_day(1, reported(redness=Level.MILD), worse, off) == Urgency.NOTHING
    assert urgency_on_day(1, reported(signs=(WarningSign.OTHER,)), rules=off) == Urgency.NOTHING
    assert urgency_on_day(1, reported(note="a question").with_photo(), rules=off) == (
        Urgency.NOTHING
    )


def test_the_rules_are_read_from_the_triage_table_with_defaults_for_keys_left_out() -> None:
    assert TriageRules.from_mapping({}) == DEFAULTS
    rules = TriageRules.from_mapping(
        {
            "urgent_level": "moderate",
            "urgent_signs": ["fever", "Discharge"],
            "routine_level": "mild",
            "routine_from_day": 2,
            "worsening_is_routine": False,
            "other_sign_is_routine": False,
            "note_or_photo_is_information": False,
        }
    )
    assert rules == TriageRules(
        urgent_level=Level.MODERATE,
        urgent_signs=frozenset({WarningSign.FEVER, WarningSign.DISCHARGE}),
        routine_level=Level.MILD,
        routine_from_day=2,
        worsening_is_routine=False,
        other_sign_is_routine=False,
        note_or_photo_is_information=False,
    )


def test_a_clinic_can_expect_symptoms_to_subside_by_day_two() -> None:
    rules = TriageRules.from_mapping({"routine_from_day": 2})
    assert urgency_on_day(1, reported(swelling=Level.MODERATE), rules=rules) == Urgency.NOTHING
    assert urgency_on_day(2, reported(swelling=Level.MODERATE), rules=rules) == Urgency.ROUTINE


_LEVELS = "expected one of none, mild, moderate, severe"
_SIGNS = "expected one of fever, discharge, pain, spreading, pigment, other"
_DAY = "is not a day after the session (expected a whole number, 0 or more)"
_SWITCH = "is not true or false (expected true or false, unquoted)"


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        (
            {"routine_level": "medium"},
            f'triage.routine_level: "medium" is not a level ({_LEVELS})',
        ),
        ({"urgent_level": 3}, f"triage.urgent_level: 3 is not a level ({_LEVELS})"),
        (
            {"urgent_level": "none"},
            'triage.urgent_level: "none" would flag every check-in, even all fine '
            "(expected one of mild, moderate, severe)",
        ),
        (
            {"urgent_signs": "fever"},
            'triage.urgent_signs: "fever" is not a list of warning signs '
            '(expected a list such as ["fever", "pain"])',
        ),
        (
            {"urgent_signs": ["fever", "rash"]},
            f'triage.urgent_signs item 2: "rash" is not a warning sign ({_SIGNS})',
        ),
        ({"routine_from_day": -1}, f"triage.routine_from_day: -1 {_DAY}"),
        ({"routine_from_day": "3"}, f'triage.routine_from_day: "3" {_DAY}'),
        ({"routine_from_day": 2.5}, f"triage.routine_from_day: 2.5 {_DAY}"),
        ({"routine_from_day": True}, f"triage.routine_from_day: true {_DAY}"),
        ({"worsening_is_routine": "yes"}, f'triage.worsening_is_routine: "yes" {_SWITCH}'),
        ({"other_sign_is_routine": 1}, f"triage.other_sign_is_routine: 1 {_SWITCH}"),
        (
            {"note_or_photo_is_information": "false"},
            f'triage.note_or_photo_is_information: "false" {_SWITCH}',
        ),
        (
            {"urgent_days": 3},
            "triage.urgent_days: 3 is not a triage rule (expected one of urgent_level, "
            "urgent_signs, routine_level, routine_from_day, worsening_is_routine, "
            "other_sign_is_routine, note_or_photo_is_information)",
        ),
    ],
)
def test_a_mistake_in_the_triage_table_is_one_line_naming_key_value_and_expectation(
    table: dict[str, object], problem: str
) -> None:
    with pytest.raises(InvalidTriageRules) as raised:
        TriageRules.from_mapping(table)
    assert raised.value.problems == [problem]


def test_every_mistake_in_the_triage_table_is_reported_at_once() -> None:
    with pytest.raises(InvalidTriageRules) as raised:
        TriageRules.from_mapping({"urgent_level": "high", "routine_from_day": -2, "colour": "red"})
    assert [problem.split(":")[0] for problem in raised.value.problems] == [
        "triage.urgent_level",
        "triage.routine_from_day",
        "triage.colour",
    ]
    assert isinstance(raised.value, AftercareError)
    assert isinstance(raised.value, ValueError)


def test_rules_that_would_flag_all_fine_cannot_be_built() -> None:
    with pytest.raises(ValueError, match="flags every check-in"):
        TriageRules(routine_level=Level.NONE)


# Days since the session


@pytest.mark.parametrize(
    ("answered_at", "day"),
    [
        (datetime(2026, 11, 23, 9, 0, tzinfo=LONDON), 0),  # before the session, the same day
        (datetime(2026, 11, 23, 23, 0, tzinfo=LONDON), 0),
        (datetime(2026, 11, 23, 23, 59, tzinfo=LONDON), 0),
        (datetime(2026, 11, 24, 0, 0, tzinfo=LONDON), 1),
        (datetime(2026, 11, 24, 1, 0, tzinfo=LONDON), 1),
        (datetime(2026, 11, 26, 10, 0, tzinfo=LONDON), 3),
    ],
)
def test_days_since_the_session_are_calendar_days_counted_at_midnight(
    answered_at: datetime, day: int
) -> None:
    assert days_since_session(SESSION_AT, answered_at, LONDON) == day


def test_days_since_the_session_are_counted_on_the_patients_clock_not_in_utc() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    session_at = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # 23:00 in Tokyo
    answered_at = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)  # 01:00 next morning in Tokyo
    assert days_since_session(session_at, answered_at, ZoneInfo("UTC")) == 0
    assert days_since_session(session_at, answered_at, tokyo) == 1


@pytest.mark.parametrize(
    ("session_at", "answered_at", "day"),
    [
        # Clocks go forward at 01:00 on 2026-03-29: a day of 23 hours.
        (
            datetime(2026, 3, 28, 12, 0, tzinfo=LONDON),
            datetime(2026, 3, 29, 11, 30, tzinfo=LONDON),  # 22.5 hours later
            1,
        ),
        (
            datetime(2026, 3, 29, 0, 30, tzinfo=LONDON),
            datetime(2026, 3, 29, 23, 59, tzinfo=LONDON),
            0,
        ),
        (
            datetime(2026, 3, 28, 23, 30, tzinfo=LONDON),
            datetime(2026, 3, 30, 0, 10, tzinfo=LONDON),  # 23.7 hours later
            2,
        ),
        # Clocks go back at 02:00 on 2026-10-25: a day of 25 hours.
        (
            datetime(2026, 10, 25, 0, 30, tzinfo=LONDON),
            datetime(2026, 10, 25, 23, 59, tzinfo=LONDON),  # 24.5 hours later
            0,
        ),
    ],
)
def test_days_since_the_session_are_whole_days_across_a_change_of_clocks(
    session_at: datetime, answered_at: datetime, day: int
) -> None:
    assert days_since_session(session_at, answered_at, LONDON) == day


def test_days_since_the_session_refuse_naive_times() -> None:
    naive = datetime(2026, 11, 23, 14, 0)  # noqa: DTZ001
    with pytest.raises(ValueError, match="aware"):
        days_since_session(naive, SESSION_AT, LONDON)
    with pytest.raises(ValueError, match="aware"):
        CheckInRecord(naive, 0, Answers())


# Answers


def test_answers_are_built_one_tap_at_a_time_in_the_order_asked() -> None:
    answers = Answers()
    assert answers.next_symptom == Symptom.REDNESS
    answers = answers.with_level(Symptom.REDNESS, Level.MILD)
    assert answers.next_symptom == Symptom.SWELLING
    answers = answers.with_level(Symptom.SWELLING, Level.NONE)
    answers = answers.with_level(Symptom.BRUISING, Level.MODERATE)
    assert answers.complete
    assert answers.next_symptom is None
    assert answers == reported(redness=Level.MILD, bruising=Level.MODERATE)
    assert Answers.all_fine().complete


def test_a_sign_tapped_twice_is_unticked() -> None:
    once = Answers().with_sign_toggled(WarningSign.PAIN)
    assert once.signs == {WarningSign.PAIN}
    assert once.with_sign_toggled(WarningSign.PAIN).signs == frozenset()


def test_answers_are_values_the_callers_dict_cannot_change() -> None:
    levels = {Symptom.BRUISING: Level.MILD, Symptom.REDNESS: Level.NONE}
    answers = Answers(levels=levels)
    levels[Symptom.BRUISING] = Level.SEVERE
    assert answers.levels[Symptom.BRUISING] == Level.MILD
    assert list(answers.levels) == [Symptom.REDNESS, Symptom.BRUISING]
    assert hash(answers) == hash(Answers(levels=dict(reversed(list(answers.levels.items())))))


@pytest.mark.parametrize("text", ["none", "mild", "moderate", "severe"])
def test_a_level_is_read_back_from_its_key(text: str) -> None:
    assert Level.parse(text).key == text
    assert Level.parse(f" {text.upper()} ").key == text


def test_an_unknown_level_name_is_refused() -> None:
    with pytest.raises(InvalidAnswers, match="expected one of none, mild, moderate, severe"):
        Level.parse("medium")


def test_answers_are_stored_compactly_by_name() -> None:
    answers = reported(
        redness=Level.MILD, signs=(WarningSign.PIGMENT, WarningSign.FEVER), note="a patch"
    )
    assert answers.with_photo().to_json() == {
        "levels": {"redness": "mild", "swelling": "none", "bruising": "none"},
        "signs": ["fever", "pigment"],
        "note": "a patch",
        "photo": True,
    }


@pytest.mark.parametrize(
    "answers",
    [
        Answers(),
        Answers.all_fine(),
        Answers().with_level(Symptom.SWELLING, Level.SEVERE),
        reported(bruising=Level.MODERATE, signs=tuple(WarningSign), note="Привет").with_photo(),
    ],
)
def test_answers_survive_storage(answers: Answers) -> None:
    assert Answers.from_json(answers.to_json()) == answers


@pytest.mark.parametrize(
    "data",
    [
        {"levels": {"itching": "mild"}},
        {"levels": {"redness": "medium"}},
        {"levels": {"redness": 1}},
        {"levels": [], "signs": []},
        {"levels": {}, "signs": ["rash"]},
        {"levels": {}, "signs": [], "photo": "yes"},
    ],
)
def test_unreadable_stored_answers_are_refused(data: dict[str, object]) -> None:
    with pytest.raises(InvalidAnswers):
        Answers.from_json(data)


# Triage results


def test_urgencies_compare_by_severity() -> None:
    assert sorted(Urgency) == [
        Urgency.NOTHING,
        Urgency.INFORMATION,
        Urgency.ROUTINE,
        Urgency.URGENT,
    ]
    assert max(Urgency.NOTHING, Urgency.INFORMATION) == Urgency.INFORMATION
    assert Urgency.most_severe([]) == Urgency.NOTHING
    assert Urgency.most_severe([Urgency.ROUTINE, Urgency.URGENT]) == Urgency.URGENT


def test_a_triage_result_survives_storage() -> None:
    before = on_day(1, reported(swelling=Level.MILD))
    answers = reported(swelling=Level.SEVERE, signs=(WarningSign.OTHER,)).with_photo()
    result = triage(on_day(4, answers), (before,), DEFAULTS)
    stored = result.to_json()
    assert stored["urgency"] == "urgent"
    assert TriageResult.from_json(stored) == result
    assert TriageResult.from_json(TriageResult(Urgency.NOTHING).to_json()) == (
        TriageResult(Urgency.NOTHING)
    )


def test_a_reason_is_stored_by_name_without_empty_fields() -> None:
    reason = Reason(
        ReasonKind.WORSE_THAN_BEFORE,
        Urgency.ROUTINE,
        symptom=Symptom.SWELLING,
        level=Level.MODERATE,
        day=4,
        previous_level=Level.MILD,
        previous_day=1,
    )
    assert reason.to_json() == {
        "kind": "worse_than_before",
        "urgency": "routine",
        "symptom": "swelling",
        "level": "moderate",
        "day": 4,
        "previous_level": "mild",
        "previous_day": 1,
    }


@pytest.mark.parametrize(
    "data",
    [
        {"urgency": "soon", "reasons": []},
        {"urgency": "routine", "reasons": [{"kind": "unknown", "urgency": "routine"}]},
        {"urgency": "routine", "reasons": [{"kind": "warning_sign"}]},
        {
            "urgency": "routine",
            "reasons": [{"kind": "warning_sign", "urgency": "routine", "day": "4"}],
        },
        {"urgency": "routine", "reasons": "none"},
    ],
)
def test_unreadable_stored_results_are_refused(data: dict[str, object]) -> None:
    with pytest.raises(InvalidTriageResult):
        TriageResult.from_json(data)


# Properties

levels = st.dictionaries(st.sampled_from(Symptom), st.sampled_from(Level))
some_answers = st.builds(
    Answers,
    levels=levels,
    signs=st.frozensets(st.sampled_from(WarningSign)),
    note=st.none() | st.just("a note"),
    has_photo=st.booleans(),
)
thresholds = st.sampled_from([Level.MILD, Level.MODERATE, Level.SEVERE])
some_rules = st.builds(
    TriageRules,
    urgent_level=thresholds,
    urgent_signs=st.frozensets(st.sampled_from(WarningSign)),
    routine_level=thresholds,
    routine_from_day=st.integers(0, 7),
    worsening_is_routine=st.booleans(),
    other_sign_is_routine=st.booleans(),
    note_or_photo_is_information=st.booleans(),
)
some_history = st.lists(st.builds(on_day, st.integers(-1, 10), some_answers), max_size=3).map(tuple)


@PROPERTY
@given(
    rules=some_rules,
    history=some_history,
    answers=some_answers,
    day=st.integers(0, 10),
    symptom=st.sampled_from(Symptom),
    level=st.sampled_from(Level),
    sign=st.sampled_from(WarningSign),
)
def test_reporting_more_never_makes_a_check_in_less_urgent(
    rules: TriageRules,
    history: tuple[CheckInRecord, ...],
    answers: Answers,
    day: int,
    symptom: Symptom,
    level: Level,
    sign: WarningSign,
) -> None:
    before = urgency_on_day(day, answers, history, rules)
    raised = answers.with_level(symptom, max(level, answers.levels.get(symptom, Level.NONE)))
    assert urgency_on_day(day, raised, history, rules) >= before
    with_sign = replace(answers, signs=answers.signs | {sign})
    assert urgency_on_day(day, with_sign, history, rules) >= before


@PROPERTY
@given(rules=some_rules, history=some_history, answers=some_answers, day=st.integers(0, 10))
def test_no_symptom_is_named_by_two_reasons(
    rules: TriageRules, history: tuple[CheckInRecord, ...], answers: Answers, day: int
) -> None:
    result = triage(on_day(day, answers), history, rules)
    symptoms = [reason.symptom for reason in result.reasons if reason.symptom is not None]
    assert len(symptoms) == len(set(symptoms))
    assert result.urgency == Urgency.most_severe(reason.urgency for reason in result.reasons)


@PROPERTY
@given(rules=some_rules, history=some_history, day=st.integers(0, 30))
def test_all_fine_needs_nothing_whatever_came_before(
    rules: TriageRules, history: tuple[CheckInRecord, ...], day: int
) -> None:
    assert triage(on_day(day, Answers.all_fine()), history, rules) == TriageResult(Urgency.NOTHING)
