from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftercare_bot.domain.check_in_answers import Level, Symptom
from aftercare_bot.domain.statistics import (
    TREND_CSV_HEADER,
    CheckInRecord,
    GroupRate,
    IncidentRecord,
    TrendPoint,
    summarise,
    trend,
    trend_csv_rows,
)
from aftercare_bot.domain.triage import Urgency

OPENED_AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
# Deterministic in CI: the same examples on every run, nothing saved between runs.
PROPERTY = settings(max_examples=200, deadline=None, derandomize=True, database=None)


def answered(
    levels: Mapping[Symptom, Level] | None = None,
    *,
    urgency: Urgency = Urgency.NOTHING,
    day: int | None = 1,
    practitioner: str | None = "Dr Adams",
    batch: str | None = "LOT-1",
    patient_key: int = 1,
) -> CheckInRecord:
    """A finished check-in; every symptom at "none" unless said otherwise."""
    return CheckInRecord(
        patient_key=patient_key,
        opened_at=OPENED_AT + timedelta(days=day or 0),
        day_since_session=day,
        practitioner=practitioner,
        batch=batch,
        answered=True,
        missed=False,
        urgency=urgency.value,
        levels=dict.fromkeys(Symptom, Level.NONE) if levels is None else levels,
    )


def unanswered(
    *, missed: bool, day: int | None = 1, practitioner: str | None = "Dr Adams"
) -> CheckInRecord:
    """A check-in nobody answered: closed as missed, or still open."""
    return CheckInRecord(
        patient_key=1,
        opened_at=OPENED_AT + timedelta(days=day or 0),
        day_since_session=day,
        practitioner=practitioner,
        batch="LOT-1",
        answered=False,
        missed=missed,
        urgency=None,
        levels={},
    )


def incident(waited: timedelta | None, urgency: Urgency = Urgency.URGENT) -> IncidentRecord:
    acknowledged_at = None if waited is None else OPENED_AT + waited
    return IncidentRecord(OPENED_AT, acknowledged_at, urgency.value)


# Counts and rates


def test_the_response_rate_is_answered_over_every_check_in_including_those_still_open() -> None:
    check_ins = [
        answered(),
        answered(),
        answered(),
        unanswered(missed=True),
        unanswered(missed=False),
    ]
    stats = summarise(check_ins, [])
    answered_count = sum(1 for record in check_ins if record.answered)
    missed_count = sum(1 for record in check_ins if record.missed)
    assert (stats.check_ins, stats.answered, stats.missed) == (
        len(check_ins),
        answered_count,
        missed_count,
    )
    assert stats.still_open == len(check_ins) - answered_count - missed_count
    assert stats.response_rate == pytest.approx(answered_count / len(check_ins))


def test_a_check_in_answered_after_it_was_marked_missed_counts_as_answered_only() -> None:
    late = CheckInRecord(1, OPENED_AT, 2, None, None, True, True, Urgency.NOTHING.value, {})
    stats = summarise([late, unanswered(missed=True)], [])
    assert (stats.answered, stats.missed, stats.still_open) == (1, 1, 0)


def test_without_check_ins_there_is_no_rate_or_share_rather_than_zero() -> None:
    stats = summarise([], [])
    assert stats.check_ins == 0
    assert stats.response_rate is None
    assert stats.urgent_share is None
    assert stats.routine_share is None
    assert stats.by_practitioner == []
    assert stats.by_batch == []


def test_shares_of_urgent_and_routine_are_of_answered_check_ins_only() -> None:
    urgencies = [Urgency.URGENT, Urgency.ROUTINE, Urgency.ROUTINE, Urgency.NOTHING]
    check_ins = [answered(urgency=urgency) for urgency in urgencies]
    check_ins += [unanswered(missed=True), unanswered(missed=True)]
    stats = summarise(check_ins, [])
    assert stats.urgent_share == pytest.approx(urgencies.count(Urgency.URGENT) / len(urgencies))
    assert stats.routine_share == pytest.approx(urgencies.count(Urgency.ROUTINE) / len(urgencies))


def test_only_missed_check_ins_give_a_zero_response_rate_and_no_shares() -> None:
    stats = summarise([unanswered(missed=True), unanswered(missed=False)], [])
    assert stats.response_rate == 0
    assert stats.urgent_share is None
    assert stats.routine_share is None


# Time to acknowledge


def test_the_median_time_to_acknowledge_ignores_incidents_nobody_has_taken_yet() -> None:
    waits = [timedelta(minutes=40), timedelta(minutes=5), timedelta(minutes=12)]
    incidents = [incident(wait) for wait in waits] + [incident(None), incident(None)]
    stats = summarise([], incidents)
    assert stats.median_time_to_acknowledge == sorted(waits)[len(waits) // 2]


def test_the_median_of_an_even_number_of_waits_is_halfway_between_the_middle_two() -> None:
    waits = [timedelta(minutes=3), timedelta(hours=2), timedelta(minutes=10), timedelta(hours=1)]
    stats = summarise([], [incident(wait, Urgency.ROUTINE) for wait in waits])
    low, high = sorted(waits)[1:3]
    assert stats.median_time_to_acknowledge == low + (high - low) / 2


def test_without_acknowledged_incidents_there_is_no_median() -> None:
    assert summarise([], [incident(None)]).median_time_to_acknowledge is None


def test_a_naive_time_is_refused_because_waits_across_zones_would_be_wrong() -> None:
    with pytest.raises(ValueError, match="acknowledged_at"):
        IncidentRecord(OPENED_AT, OPENED_AT.replace(tzinfo=None), Urgency.URGENT.value)
    naive = OPENED_AT.replace(tzinfo=None)
    with pytest.raises(ValueError, match="opened_at"):
        CheckInRecord(1, naive, 0, None, None, False, False, None, {})


# With an effect


def test_a_moderate_symptom_is_an_effect_and_mild_ones_are_not() -> None:
    moderate = answered({Symptom.SWELLING: Level.MODERATE}, urgency=Urgency.NOTHING)
    mild = answered(dict.fromkeys(Symptom, Level.MILD), urgency=Urgency.NOTHING)
    [group] = summarise([moderate, mild], []).by_practitioner
    assert (group.answered, group.with_effect) == (2, 1)


def test_an_urgent_check_in_is_an_effect_even_when_every_symptom_is_mild() -> None:
    fever = answered(dict.fromkeys(Symptom, Level.MILD), urgency=Urgency.URGENT)
    [group] = summarise([fever], []).by_practitioner
    assert (group.with_effect, group.urgent) == (1, 1)


def test_a_routine_finding_at_mild_levels_is_not_an_effect() -> None:
    worse = answered({Symptom.REDNESS: Level.MILD}, urgency=Urgency.ROUTINE)
    [group] = summarise([worse], []).by_batch
    assert (group.with_effect, group.urgent) == (0, 0)


# Groups


def test_groups_are_sorted_by_name_ignoring_case_with_the_unnamed_group_last() -> None:
    names = [None, "dr Zhou", "Dr Adams", "Dr Baker"]
    stats = summarise([answered(practitioner=name) for name in names], [])
    named = sorted((name for name in names if name is not None), key=str.casefold)
    assert [group.name for group in stats.by_practitioner] == [*named, None]


def test_each_group_counts_its_answers_effects_and_urgent_ones() -> None:
    severe = {Symptom.BRUISING: Level.SEVERE}
    check_ins = [
        answered(severe, urgency=Urgency.URGENT, batch="LOT-7"),
        answered(batch="LOT-7"),
        answered(batch="LOT-7"),
        answered({Symptom.REDNESS: Level.MODERATE}, batch="LOT-2"),
        answered(batch=None),
        unanswered(missed=True),  # batch LOT-1: unanswered, so no group
    ]
    stats = summarise(check_ins, [])
    expected = []
    for batch in ("LOT-2", "LOT-7", None):
        group = [record for record in check_ins if record.answered and record.batch == batch]
        effects = sum(
            1
            for record in group
            if record.urgency == Urgency.URGENT
            or any(level >= Level.MODERATE for level in record.levels.values())
        )
        urgent = sum(1 for record in group if record.urgency == Urgency.URGENT)
        expected.append(GroupRate(batch, len(group), effects, urgent))
    assert stats.by_batch == expected
    assert [group.rate for group in stats.by_batch] == [
        pytest.approx(group.with_effect / group.answered) for group in expected
    ]


def test_a_practitioner_with_only_missed_check_ins_has_no_group_to_divide_by_zero() -> None:
    stats = summarise([unanswered(missed=True, practitioner="Dr Cole"), answered()], [])
    assert [group.name for group in stats.by_practitioner] == ["Dr Adams"]


# Trend


def test_the_trend_averages_each_symptom_per_day_over_the_answers_given() -> None:
    day_one = [
        {Symptom.REDNESS: Level.SEVERE, Symptom.SWELLING: Level.MODERATE},
        {Symptom.REDNESS: Level.MILD, Symptom.SWELLING: Level.MODERATE},
        {Symptom.REDNESS: Level.MODERATE},  # stopped half-way: swelling not pulled to none
    ]
    points = trend([answered(levels, day=1) for levels in day_one])
    expected = []
    for symptom in Symptom:
        given = [int(levels[symptom]) for levels in day_one if symptom in levels]
        if given:
            expected.append(TrendPoint(1, symptom, sum(given) / len(given), len(given)))
    assert points == expected


def test_the_trend_runs_by_day_then_in_the_order_symptoms_are_asked() -> None:
    check_ins = [
        answered({Symptom.BRUISING: Level.MILD, Symptom.REDNESS: Level.MILD}, day=5),
        answered({Symptom.SWELLING: Level.MODERATE}, day=0),
        answered({Symptom.BRUISING: Level.NONE, Symptom.REDNESS: Level.MILD}, day=2),
    ]
    points = trend(check_ins)
    order = list(Symptom)
    assert [(p.day, p.symptom) for p in points] == sorted(
        (
            (record.day_since_session or 0, symptom)
            for record in check_ins
            for symptom in record.levels
        ),
        key=lambda pair: (pair[0], order.index(pair[1])),
    )


def test_unanswered_check_ins_and_those_without_a_day_are_left_out_of_the_trend() -> None:
    counted = answered({Symptom.REDNESS: Level.MILD}, day=3)
    no_day = answered({Symptom.REDNESS: Level.SEVERE}, day=None)
    assert trend([counted, no_day, unanswered(missed=True, day=3)]) == [
        TrendPoint(3, Symptom.REDNESS, float(Level.MILD), 1)
    ]


def test_days_without_answers_have_no_point_rather_than_a_made_up_zero() -> None:
    days = [0, 4]
    points = trend([answered({Symptom.SWELLING: Level.MILD}, day=day) for day in days])
    assert [point.day for point in points] == days


@PROPERTY
@given(
    st.lists(
        st.tuples(
            st.booleans(),
            st.integers(min_value=0, max_value=14),
            st.dictionaries(st.sampled_from(list(Symptom)), st.sampled_from(list(Level))),
        ),
        max_size=30,
    )
)
def test_the_trend_accounts_for_every_answered_level_exactly_once(
    drawn: list[tuple[bool, int, dict[Symptom, Level]]],
) -> None:
    check_ins = [
        answered(levels, day=day) if is_answered else unanswered(missed=True, day=day)
        for is_answered, day, levels in drawn
    ]
    points = trend(check_ins)
    given_levels = [
        level for is_answered, _, levels in drawn if is_answered for level in levels.values()
    ]
    assert sum(point.answers for point in points) == len(given_levels)
    assert sum(point.mean_level * point.answers for point in points) == pytest.approx(
        sum(int(level) for level in given_levels)
    )
    assert all(Level.NONE <= point.mean_level <= Level.SEVERE for point in points)


# CSV


def test_the_csv_has_a_header_and_one_row_per_point_with_means_to_two_places() -> None:
    points = [
        TrendPoint(0, Symptom.REDNESS, 5 / 3, 3),
        TrendPoint(0, Symptom.SWELLING, 2.0, 1),
        TrendPoint(1, Symptom.BRUISING, 1 / 8, 8),
    ]
    rows = trend_csv_rows(points)
    assert rows[0] == ["day_since_session", "symptom", "mean_level", "answers"]
    assert rows[0] == list(TREND_CSV_HEADER)
    assert rows[1:] == [
        [str(p.day), p.symptom.value, f"{round(p.mean_level, 2):.2f}", str(p.answers)]
        for p in points
    ]
    assert all(len(row[2].split(".")[1]) == 2 for row in rows[1:])


def test_an_empty_trend_is_a_csv_with_only_its_header() -> None:
    assert trend_csv_rows([]) == [list(TREND_CSV_HEADER)]
