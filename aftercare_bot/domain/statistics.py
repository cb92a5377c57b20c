"""Clinic statistics behind the staff's `/stats` command: how many patients answer, how often
something needed a person, how fast staff acknowledged, and how the symptoms fade day by day.

The inputs are plain records the persistence adapter reads for the chosen window, so that every
figure here can be computed and tested without a database. Nothing here is text a user sees:
groups without a practitioner or batch keep the name None, and the adapter labels them in the
staff's language.

Definitions, chosen so that the figures cannot contradict each other:

- A check-in counts once it is scheduled and opened. It is *answered* when the patient finished
  it, *missed* when it closed unanswered; one that was marked missed and answered later counts
  as answered only, so that answered + missed never exceeds the check-ins.
- The *response rate* is answered / check-ins. Check-ins still open lower it a little until they
  are answered or missed; over a window of weeks they are a handful, and leaving them out would
  let a window ending mid-day look better than the same window a day later.
- A check-in *with an effect* is an answered one where some symptom is at least moderate, or
  whose triage was urgent (a warning sign, such as fever, is urgent even when every symptom is
  mild). Routine-only findings such as "worse than yesterday" at mild levels do not count: the
  per-practitioner and per-batch rates are meant to show stronger reactions, not noise.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo

from aftercare_bot.domain.check_in_answers import Level, Symptom
from aftercare_bot.domain.triage import Urgency

EFFECT_LEVEL = Level.MODERATE
"""The weakest level of a symptom that makes a check-in one "with an effect"."""

TREND_CSV_HEADER = ("day_since_session", "symptom", "mean_level", "answers")

ACKNOWLEDGE_BOUNDS = (
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(minutes=30),
    timedelta(hours=1),
    timedelta(hours=4),
)
"""The upper bounds of the time-to-acknowledge bands: within 5 minutes, within 15 ... and
longer than 4 hours (then the incidents nobody has acknowledged yet)."""

_SYMPTOM_ORDER = {symptom: index for index, symptom in enumerate(Symptom)}


@dataclass(frozen=True)
class CheckInRow:
    """A check-in as stored, with its session's time, practitioner and batch."""

    patient_id: int
    patient_code: str
    opened_at: datetime
    state: str
    answered_at: datetime | None
    missed_at: datetime | None
    urgency: str | None
    answers: str | None
    session_at: datetime | None
    practitioner: str | None
    batch: str | None

    def day_since_session(self, zone: ZoneInfo) -> int | None:
        """Calendar days in the clinic's zone from the session to the check-in (day 0: same day)."""
        if self.session_at is None:
            return None
        return (
            self.opened_at.astimezone(zone).date() - self.session_at.astimezone(zone).date()
        ).days


@dataclass(frozen=True)
class CheckInRecord:
    """One scheduled check-in as statistics see it, with its course's practitioner and batch.

    `urgency` is the triage result's name ("urgent", "routine", ...), None when unanswered;
    `levels` holds only the symptoms the patient answered.
    """

    patient_key: int
    opened_at: datetime
    day_since_session: int | None
    practitioner: str | None
    batch: str | None
    answered: bool
    missed: bool
    urgency: str | None
    levels: Mapping[Symptom, Level] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.opened_at.utcoffset() is None:
            raise ValueError(f"opened_at must be an aware datetime, not {self.opened_at!r}")
        # A read-only copy, so that the caller's dict cannot change a frozen record later.
        levels = {Symptom(symptom): Level(level) for symptom, level in self.levels.items()}
        object.__setattr__(self, "levels", MappingProxyType(levels))

    @property
    def counted_as_missed(self) -> bool:
        """Missed and never answered: a late answer makes the check-in answered, not both."""
        return self.missed and not self.answered

    @property
    def with_effect(self) -> bool:
        """Answered with some symptom at least moderate, or triaged urgent (see the module)."""
        if not self.answered:
            return False
        strong = any(level >= EFFECT_LEVEL for level in self.levels.values())
        return strong or self.urgency == Urgency.URGENT


@dataclass(frozen=True)
class IncidentRecord:
    """An incident as statistics see it; `acknowledged_at` is None while nobody has taken it."""

    opened_at: datetime
    acknowledged_at: datetime | None
    urgency: str
    # What staff did, once resolved (domain.incidents.IncidentOutcome); the adverse-event log.
    outcome: str | None = None

    def __post_init__(self) -> None:
        for name, moment in (
            ("opened_at", self.opened_at),
            ("acknowledged_at", self.acknowledged_at),
        ):
            if moment is not None and moment.utcoffset() is None:
                raise ValueError(f"{name} must be an aware datetime, not {moment!r}")

    @property
    def time_to_acknowledge(self) -> timedelta | None:
        """How long the incident waited for a person, None while it still waits."""
        return None if self.acknowledged_at is None else self.acknowledged_at - self.opened_at


@dataclass(frozen=True)
class GroupRate:
    """How often the answered check-ins of one practitioner or batch showed an effect.

    `name` is None for check-ins whose course names no practitioner (or batch). Groups are made
    of answered check-ins only, so `answered` is at least 1 and `rate` always defined.
    """

    name: str | None
    answered: int
    with_effect: int
    urgent: int

    @property
    def rate(self) -> float:
        """The share of answered check-ins with an effect, 0 to 1."""
        return self.with_effect / self.answered


@dataclass(frozen=True)
class ClinicStats:
    """The figures of `/stats` for one window; shares are 0 to 1, None when undefined."""

    check_ins: int
    answered: int
    missed: int
    response_rate: float | None
    urgent_share: float | None
    routine_share: float | None
    median_time_to_acknowledge: timedelta | None
    by_practitioner: list[GroupRate]
    by_batch: list[GroupRate]
    # Resolved incidents by outcome, most frequent first (ties by name).
    outcomes: tuple[tuple[str, int], ...] = ()
    # Incidents by time to acknowledge: one count per band of ACKNOWLEDGE_BOUNDS, then those
    # longer than the last, then those not acknowledged yet.
    acknowledge_bands: tuple[int, ...] = ()

    @property
    def still_open(self) -> int:
        """Check-ins neither answered nor missed yet: the part of the response rate in flux."""
        return self.check_ins - self.answered - self.missed


@dataclass(frozen=True)
class TrendPoint:
    """The mean level of one symptom on one day after the session, and how many answers."""

    day: int
    symptom: Symptom
    mean_level: float
    answers: int


def summarise(
    check_ins: Sequence[CheckInRecord], incidents: Sequence[IncidentRecord]
) -> ClinicStats:
    """The clinic's figures over the check-ins and incidents of a window (see the module for the
    definitions)."""
    answered = [record for record in check_ins if record.answered]
    waits = [wait for incident in incidents if (wait := incident.time_to_acknowledge) is not None]
    return ClinicStats(
        check_ins=len(check_ins),
        answered=len(answered),
        missed=sum(1 for record in check_ins if record.counted_as_missed),
        response_rate=_share(len(answered), len(check_ins)),
        urgent_share=_share(_count_urgency(answered, Urgency.URGENT), len(answered)),
        routine_share=_share(_count_urgency(answered, Urgency.ROUTINE), len(answered)),
        median_time_to_acknowledge=_median(waits),
        by_practitioner=_group_rates(answered, lambda record: record.practitioner),
        by_batch=_group_rates(answered, lambda record: record.batch),
        outcomes=_outcomes(incidents),
        acknowledge_bands=acknowledge_bands(incidents),
    )


def acknowledge_bands(incidents: Sequence[IncidentRecord]) -> tuple[int, ...]:
    """How many incidents were acknowledged within each band of `ACKNOWLEDGE_BOUNDS`, how many
    took longer, and how many wait still (each incident counted once)."""
    counts = [0] * (len(ACKNOWLEDGE_BOUNDS) + 2)
    for incident in incidents:
        wait = incident.time_to_acknowledge
        if wait is None:
            counts[-1] += 1
            continue
        band = next(
            (index for index, bound in enumerate(ACKNOWLEDGE_BOUNDS) if wait <= bound),
            len(ACKNOWLEDGE_BOUNDS),
        )
        counts[band] += 1
    return tuple(counts)


def _outcomes(incidents: Sequence[IncidentRecord]) -> tuple[tuple[str, int], ...]:
    counts: dict[str, int] = {}
    for incident in incidents:
        if incident.outcome:
            counts[incident.outcome] = counts.get(incident.outcome, 0) + 1
    return tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def trend(check_ins: Iterable[CheckInRecord]) -> list[TrendPoint]:
    """Each symptom's mean level per day since the session, over the answers given that day.

    Only answered check-ins with a known day count, and each symptom only where it was answered,
    so a half-finished check-in does not pull a mean towards "none". Days and symptoms without
    answers have no point rather than a made-up zero; points run by day, then in the order the
    symptoms are asked.
    """
    levels: dict[tuple[int, Symptom], list[int]] = {}
    for record in check_ins:
        if not record.answered or record.day_since_session is None:
            continue
        for symptom, level in record.levels.items():
            levels.setdefault((record.day_since_session, symptom), []).append(int(level))
    return [
        TrendPoint(day, symptom, sum(values) / len(values), len(values))
        for (day, symptom), values in sorted(
            levels.items(), key=lambda item: (item[0][0], _SYMPTOM_ORDER[item[0][1]])
        )
    ]


def trend_csv_rows(points: Iterable[TrendPoint]) -> list[list[str]]:
    """The trend as `/stats csv` sends it: a header, then one row per point, means to 2 places.

    The header and symptom names are stable keys, not translated text, so that a spreadsheet
    built on one export reads the next.
    """
    rows = [list(TREND_CSV_HEADER)]
    rows.extend(
        [str(point.day), point.symptom.value, f"{point.mean_level:.2f}", str(point.answers)]
        for point in points
    )
    return rows


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _count_urgency(records: Iterable[CheckInRecord], urgency: Urgency) -> int:
    return sum(1 for record in records if record.urgency == urgency)


def _median(values: Sequence[timedelta]) -> timedelta | None:
    # statistics.median is typed for numbers only; timedelta halves exactly enough (microseconds).
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def _group_rates(
    answered: Iterable[CheckInRecord], name_of: Callable[[CheckInRecord], str | None]
) -> list[GroupRate]:
    groups: dict[str | None, list[CheckInRecord]] = {}
    for record in answered:
        groups.setdefault(name_of(record), []).append(record)
    return [
        GroupRate(
            name=name,
            answered=len(records),
            with_effect=sum(1 for record in records if record.with_effect),
            urgent=_count_urgency(records, Urgency.URGENT),
        )
        for name, records in sorted(groups.items(), key=lambda item: _name_order(item[0]))
    ]


def _name_order(name: str | None) -> tuple[bool, str, str]:
    """Names in alphabetical order, ignoring case; the unnamed group last."""
    return (name is None, (name or "").casefold(), name or "")
