"""Triage: from a patient's check-ins to how soon staff must look, and why.

Redness, swelling and bruising after mesotherapy are expected and fade within days, so mild
effects early on are "nothing". What needs a person is what is not expected: a severe symptom
or a sign of infection (urgent), a symptom that is not subsiding by the third day or is worse
than at the last check-in, or "something else" (routine), and anything the patient wrote or
photographed (information). The thresholds are the clinic's, read from `[triage]` in the config.

Reasons are structured, never text: staff messages render them from the texts catalogue in the
staff's language, e.g. "swelling moderate on day 4, was mild on day 1". One symptom found by
several rules (severe, not subsiding, worse than before) is one reason, said once.
"""

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import KW_ONLY, dataclass, fields, replace
from enum import StrEnum
from typing import Self, TypeVar

from aftercare_bot.domain.check_in_answers import (
    CheckInRecord,
    InvalidAnswers,
    Level,
    Symptom,
    WarningSign,
    level_names,
)
from aftercare_bot.domain.errors import AftercareError

_T = TypeVar("_T")


class InvalidTriageRules(AftercareError, ValueError):
    """The config's `[triage]` table cannot be used; `problems` has one line per mistake."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


class InvalidTriageResult(AftercareError, ValueError):
    """A stored triage result that cannot be read."""


class Urgency(StrEnum):
    """How soon staff must look, most severe first; compares by severity, not alphabetically."""

    URGENT = "urgent"
    ROUTINE = "routine"
    INFORMATION = "information"
    NOTHING = "nothing"

    @property
    def severity(self) -> int:
        """3 for urgent down to 0 for nothing."""
        return _SEVERITY[self]

    # A StrEnum would otherwise compare as text, where "information" < "nothing".
    def __lt__(self, other: object) -> bool:
        return self.severity < other.severity if isinstance(other, Urgency) else NotImplemented

    def __le__(self, other: object) -> bool:
        return self.severity <= other.severity if isinstance(other, Urgency) else NotImplemented

    def __gt__(self, other: object) -> bool:
        return self.severity > other.severity if isinstance(other, Urgency) else NotImplemented

    def __ge__(self, other: object) -> bool:
        return self.severity >= other.severity if isinstance(other, Urgency) else NotImplemented

    @classmethod
    def most_severe(cls, urgencies: Iterable["Urgency"]) -> "Urgency":
        """The most severe of `urgencies`, or NOTHING when there are none."""
        return max(urgencies, default=cls.NOTHING)


_SEVERITY = {
    Urgency.URGENT: 3,
    Urgency.ROUTINE: 2,
    Urgency.INFORMATION: 1,
    Urgency.NOTHING: 0,
}


class ReasonKind(StrEnum):
    """Which rule applied."""

    SEVERE_SYMPTOM = "severe_symptom"
    WARNING_SIGN = "warning_sign"
    NOT_SUBSIDING = "not_subsiding"
    WORSE_THAN_BEFORE = "worse_than_before"
    SOMETHING_ELSE = "something_else"
    NOTE_OR_PHOTO = "note_or_photo"


@dataclass(frozen=True)
class Reason:
    """One rule that applied, with what a message needs to say it.

    `symptom`, `level` and `day` for the symptom rules, `previous_level` and `previous_day` for
    worse-than-before (and for a severe symptom that is also worse than before), `sign` for the
    warning-sign and something-else rules.
    """

    kind: ReasonKind
    urgency: Urgency
    _: KW_ONLY
    symptom: Symptom | None = None
    level: Level | None = None
    day: int | None = None
    previous_level: Level | None = None
    previous_day: int | None = None
    sign: WarningSign | None = None

    def to_json(self) -> dict[str, object]:
        """A compact form for storage: names for enums, fields that are None left out."""
        data: dict[str, object] = {"kind": self.kind.value, "urgency": self.urgency.value}
        for name in _OPTIONAL_FIELDS:
            value = getattr(self, name)
            if value is not None:
                data[name] = value.key if isinstance(value, Level) else _plain(value)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Self:
        """Read what `to_json` wrote.

        Raises:
            InvalidTriageResult: a field is missing or holds an unknown name.
        """
        try:
            return cls(
                ReasonKind(_text(data["kind"])),
                Urgency(_text(data["urgency"])),
                symptom=_optional(data, "symptom", Symptom),
                level=_optional(data, "level", Level.parse),
                day=_optional_day(data, "day"),
                previous_level=_optional(data, "previous_level", Level.parse),
                previous_day=_optional_day(data, "previous_day"),
                sign=_optional(data, "sign", WarningSign),
            )
        except (KeyError, ValueError):
            raise InvalidTriageResult(f"{data!r} is not a stored reason") from None


_OPTIONAL_FIELDS = tuple(field.name for field in fields(Reason) if field.default is None)


@dataclass(frozen=True)
class TriageResult:
    """The urgency of a check-in and every reason for it, most severe first."""

    urgency: Urgency
    reasons: tuple[Reason, ...] = ()

    def to_json(self) -> dict[str, object]:
        """`{"urgency": "routine", "reasons": [...]}`, each reason as `Reason.to_json` writes it."""
        return {
            "urgency": self.urgency.value,
            "reasons": [reason.to_json() for reason in self.reasons],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Self:
        """Read what `to_json` wrote.

        Raises:
            InvalidTriageResult: the urgency or a reason cannot be read.
        """
        reasons = data.get("reasons", [])
        if not isinstance(reasons, list) or not all(isinstance(r, Mapping) for r in reasons):
            raise InvalidTriageResult(f"{data!r} is not a stored triage result")
        try:
            urgency = Urgency(_text(data.get("urgency")))
        except ValueError:
            raise InvalidTriageResult(f"{data!r} is not a stored triage result") from None
        return cls(urgency, tuple(Reason.from_json(reason) for reason in reasons))


@dataclass(frozen=True)
class TriageRules:
    """The clinic's thresholds; the defaults are the product's.

    A warning sign left out of `urgent_signs` is still routine: a patient who ticks one is
    always looked at. "Something else" is routine when `other_sign_is_routine`, urgent when the
    clinic lists "other" among the urgent signs, and otherwise only its note is information.
    """

    urgent_level: Level = Level.SEVERE
    urgent_signs: frozenset[WarningSign] = frozenset(WarningSign) - {WarningSign.OTHER}
    routine_level: Level = Level.MODERATE
    routine_from_day: int = 3
    worsening_is_routine: bool = True
    other_sign_is_routine: bool = True
    note_or_photo_is_information: bool = True

    def __post_init__(self) -> None:
        # At "none" every check-in, even "all fine", would be flagged.
        if self.urgent_level == Level.NONE or self.routine_level == Level.NONE:
            raise ValueError(f"{self!r} flags every check-in (expected levels from mild)")

    @classmethod
    def from_mapping(cls, table: Mapping[str, object]) -> Self:
        """Read the config's `[triage]` table; a key left out keeps its default.

        Raises:
            InvalidTriageRules: `problems` lists every mistake, one line each, naming the key,
                the value and what was expected.
        """
        reader = _RulesReader()
        values = {key: reader.read(key, value) for key, value in table.items()}
        if reader.problems:
            raise InvalidTriageRules(reader.problems)
        return cls(**values)  # type: ignore[arg-type]  # each reader checks its value's type


def triage(
    current: CheckInRecord, history: Sequence[CheckInRecord], rules: TriageRules
) -> TriageResult:
    """How soon staff must look at `current`, given the patient's earlier check-ins.

    `history` may hold any records of the same course (including `current`); only those answered
    before it count, and the latest of them is "the previous check-in".
    """
    earlier = [record for record in history if record.answered_at < current.answered_at]
    previous = max(earlier, key=lambda record: record.answered_at, default=None)
    reasons = [
        *_severe_symptoms(current, rules),
        *_warning_signs(current, rules),
        *_not_subsiding(current, rules),
        *(_worse_than_before(current, previous) if rules.worsening_is_routine else []),
        *_note_or_photo(current, rules),
    ]
    reasons.sort(key=lambda reason: reason.urgency, reverse=True)  # stable: rule order kept
    reasons = _one_per_symptom(reasons)
    return TriageResult(Urgency.most_severe(r.urgency for r in reasons), tuple(reasons))


def _one_per_symptom(reasons: Sequence[Reason]) -> list[Reason]:
    """Each symptom once, where its most urgent reason stood, in its most informative form.

    Staff read "redness severe on day 1, was mild on day 0" rather than that and "redness severe
    on day 1" besides: the most urgent rule decides the reason's kind and urgency, and the level
    at the previous check-in is kept when it was lower, even from earlier the same day (a rise
    within hours is the telling part). Worse than before says more than not subsiding, which it
    implies; a severe level on a later day says all that not subsiding would.
    """
    merged: dict[Symptom, Reason] = {}
    for reason in reasons:
        if reason.symptom is not None:
            kept = merged.get(reason.symptom)
            merged[reason.symptom] = reason if kept is None else _combined(kept, reason)
    said_once = []
    for reason in reasons:
        if reason.symptom is None:
            said_once.append(reason)
        elif reason.symptom in merged:
            said_once.append(merged.pop(reason.symptom))
    return said_once


def _combined(kept: Reason, other: Reason) -> Reason:
    """Two reasons about one symptom as one; `kept` is at least as urgent as `other`."""
    if kept.previous_level is not None or other.previous_level is None:
        return kept
    if kept.kind == ReasonKind.NOT_SUBSIDING and other.urgency == kept.urgency:
        return other
    return replace(kept, previous_level=other.previous_level, previous_day=other.previous_day)


def _severe_symptoms(current: CheckInRecord, rules: TriageRules) -> list[Reason]:
    return [
        Reason(
            ReasonKind.SEVERE_SYMPTOM, Urgency.URGENT, symptom=symptom, level=level, day=current.day
        )
        for symptom, level in current.answers.levels.items()
        if level >= rules.urgent_level
    ]


def _warning_signs(current: CheckInRecord, rules: TriageRules) -> list[Reason]:
    reasons = []
    for sign in WarningSign:
        if sign not in current.answers.signs:
            continue
        if sign in rules.urgent_signs:
            urgency = Urgency.URGENT
        elif sign != WarningSign.OTHER or rules.other_sign_is_routine:
            urgency = Urgency.ROUTINE
        else:
            continue
        kind = ReasonKind.SOMETHING_ELSE if sign == WarningSign.OTHER else ReasonKind.WARNING_SIGN
        reasons.append(Reason(kind, urgency, sign=sign, day=current.day))
    return reasons


def _not_subsiding(current: CheckInRecord, rules: TriageRules) -> list[Reason]:
    if current.day < rules.routine_from_day:
        return []
    return [
        Reason(
            ReasonKind.NOT_SUBSIDING, Urgency.ROUTINE, symptom=symptom, level=level, day=current.day
        )
        for symptom, level in current.answers.levels.items()
        if level >= rules.routine_level
    ]


def _worse_than_before(current: CheckInRecord, previous: CheckInRecord | None) -> list[Reason]:
    if previous is None:
        return []
    reasons = []
    for symptom, level in current.answers.levels.items():
        before = previous.answers.levels.get(symptom)
        if before is not None and level > before:
            reasons.append(
                Reason(
                    ReasonKind.WORSE_THAN_BEFORE,
                    Urgency.ROUTINE,
                    symptom=symptom,
                    level=level,
                    day=current.day,
                    previous_level=before,
                    previous_day=previous.day,
                )
            )
    return reasons


def _note_or_photo(current: CheckInRecord, rules: TriageRules) -> list[Reason]:
    answers = current.answers
    if rules.note_or_photo_is_information and (answers.note or answers.has_photo):
        return [Reason(ReasonKind.NOTE_OR_PHOTO, Urgency.INFORMATION, day=current.day)]
    return []


# Reading the [triage] table


_BOOLEANS = ("worsening_is_routine", "other_sign_is_routine", "note_or_photo_is_information")
_KEYS = (
    "urgent_level",
    "urgent_signs",
    "routine_level",
    "routine_from_day",
    *_BOOLEANS,
)
_SIGN_NAMES = tuple(sign.value for sign in WarningSign)


class _RulesReader:
    """Reads each key of `[triage]`, noting every problem so that all are reported at once."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def read(self, key: str, value: object) -> object:
        """The rule's value, or None after noting why `value` cannot be it."""
        if key in ("urgent_level", "routine_level"):
            return self.level(key, value)
        if key == "urgent_signs":
            return self.signs(key, value)
        if key == "routine_from_day":
            return self.day(key, value)
        if key in _BOOLEANS:
            return self.boolean(key, value)
        self.wrong(key, value, "a triage rule", f"one of {', '.join(_KEYS)}")
        return None

    def wrong(self, key: str, value: object, what: str, expected: str) -> None:
        """Note that `value` at `key` is not `what`."""
        self.problems.append(f"triage.{key}: {_show(value)} is not {what} (expected {expected})")

    def level(self, key: str, value: object) -> Level | None:
        try:
            level = Level.parse(value) if isinstance(value, str) else None
        except InvalidAnswers:
            level = None
        if level is None:
            self.wrong(key, value, "a level", f"one of {level_names()}")
        elif level == Level.NONE:
            self.problems.append(
                f"triage.{key}: {_show(value)} would flag every check-in, even all fine "
                "(expected one of mild, moderate, severe)"
            )
            return None
        return level

    def signs(self, key: str, value: object) -> frozenset[WarningSign] | None:
        names = ", ".join(_SIGN_NAMES)
        if not isinstance(value, list):
            self.wrong(key, value, "a list of warning signs", 'a list such as ["fever", "pain"]')
            return None
        signs = set()
        for index, name in enumerate(value):
            if isinstance(name, str) and name.strip().lower() in _SIGN_NAMES:
                signs.add(WarningSign(name.strip().lower()))
            else:
                self.wrong(f"{key} item {index + 1}", name, "a warning sign", f"one of {names}")
        return frozenset(signs)

    def day(self, key: str, value: object) -> int | None:
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        self.wrong(key, value, "a day after the session", "a whole number, 0 or more")
        return None

    def boolean(self, key: str, value: object) -> bool | None:
        if isinstance(value, bool):
            return value
        self.problems.append(
            f"triage.{key}: {_show(value)} is not true or false (expected true or false, unquoted)"
        )
        return None


def _show(value: object) -> str:
    """A value as the clinic wrote it in TOML, so that a problem can be found in the file."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _plain(value: object) -> object:
    return value.value if isinstance(value, StrEnum) else value


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a name")
    return value


def _optional(data: Mapping[str, object], name: str, parse: Callable[[str], _T]) -> _T | None:
    value = data.get(name)
    return None if value is None else parse(_text(value))


def _optional_day(data: Mapping[str, object], name: str) -> int | None:
    value = data.get(name)
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise ValueError(f"{value!r} is not a day")
