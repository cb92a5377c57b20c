"""A patient's answers at a check-in: how red, swollen and bruised the scalp is, and warning signs.

Answers are built one tap at a time, and a patient may stop half-way, so an `Answers` may be
incomplete; what was reported still counts. Each change returns a new object, which makes the
state of a check-in a plain value that can be stored between taps and compared in tests.

Levels, symptoms and signs are stored and sent in callback data by their lowercase names
("mild", "swelling", "fever"), never by number, so reordering an enum cannot change the meaning
of a stored answer.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import IntEnum, StrEnum
from types import MappingProxyType
from typing import Self
from zoneinfo import ZoneInfo

from aftercare_bot.domain.errors import AftercareError


class InvalidAnswers(AftercareError, ValueError):
    """A level name, or stored answers, that cannot be read."""


class Level(IntEnum):
    """How strong a symptom is; ordered, so that "at or above moderate" is a comparison."""

    NONE = 0
    MILD = 1
    MODERATE = 2
    SEVERE = 3

    @property
    def key(self) -> str:
        """The level's name as config, storage, callback data and text keys write it."""
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> "Level":
        """Read a level by its name ("none", "mild", "moderate", "severe"), in any case.

        Raises:
            InvalidAnswers: the text names no level.
        """
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise InvalidAnswers(
                f"{text!r} is not a level (expected one of {level_names()})"
            ) from None


class Symptom(StrEnum):
    """An expected effect of the injections, asked about in this order."""

    REDNESS = "redness"
    SWELLING = "swelling"
    BRUISING = "bruising"


class WarningSign(StrEnum):
    """A sign that may mean infection or a lasting change, ticked from a list."""

    FEVER = "fever"  # fever or feeling unwell
    DISCHARGE = "discharge"  # pus, discharge or warmth at the injection sites
    PAIN = "pain"  # pain that is getting worse
    SPREADING = "spreading"  # redness spreading beyond the injection sites
    PIGMENT = "pigment"  # new dark or light patches of skin
    OTHER = "other"  # something else, described in the note


def level_names() -> str:
    """Every level's name, weakest first, for error messages."""
    return ", ".join(level.key for level in Level)


@dataclass(frozen=True)
class Answers:
    """A check-in's answers so far; `levels` lacks the symptoms not yet answered."""

    levels: Mapping[Symptom, Level] = field(default_factory=dict)
    signs: frozenset[WarningSign] = frozenset()
    note: str | None = None
    has_photo: bool = False

    def __post_init__(self) -> None:
        # A read-only copy in the order the symptoms are asked, so that the caller's dict can
        # neither change a frozen answer later nor make two equal answers serialise differently.
        given = {Symptom(symptom): Level(level) for symptom, level in self.levels.items()}
        ordered = {symptom: given[symptom] for symptom in Symptom if symptom in given}
        object.__setattr__(self, "levels", MappingProxyType(ordered))
        object.__setattr__(self, "signs", frozenset(WarningSign(sign) for sign in self.signs))

    def __hash__(self) -> int:
        return hash((tuple(self.levels.items()), self.signs, self.note, self.has_photo))

    @classmethod
    def all_fine(cls) -> Self:
        """Every symptom absent, no warning sign, nothing added: the "all fine" button."""
        return cls(levels=dict.fromkeys(Symptom, Level.NONE))

    @property
    def complete(self) -> bool:
        """Whether every symptom has been answered."""
        return all(symptom in self.levels for symptom in Symptom)

    @property
    def next_symptom(self) -> Symptom | None:
        """The first symptom, in the order they are asked, that is not answered yet."""
        return next((symptom for symptom in Symptom if symptom not in self.levels), None)

    def with_level(self, symptom: Symptom, level: Level) -> Self:
        """These answers with `symptom` at `level`, replacing an earlier answer."""
        return replace(self, levels={**self.levels, symptom: level})

    def with_sign_toggled(self, sign: WarningSign) -> Self:
        """These answers with `sign` ticked, or unticked when it was ticked."""
        return replace(self, signs=self.signs ^ {sign})

    def with_note(self, note: str | None) -> Self:
        """These answers with the patient's note; a blank note removes it."""
        text = (note or "").strip()
        return replace(self, note=text or None)

    def with_photo(self) -> Self:
        """These answers with a photo attached (the photo itself is kept by the adapter)."""
        return replace(self, has_photo=True)

    def to_json(self) -> dict[str, object]:
        """A compact form for storage, the same for equal answers.

        `{"levels": {"redness": "mild"}, "signs": ["fever"], "note": null, "photo": false}`,
        with levels in the order asked and signs in the order of `WarningSign`.
        """
        return {
            "levels": {symptom.value: level.key for symptom, level in self.levels.items()},
            "signs": [sign.value for sign in WarningSign if sign in self.signs],
            "note": self.note,
            "photo": self.has_photo,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Self:
        """Read what `to_json` wrote; missing signs, note or photo mean none.

        Raises:
            InvalidAnswers: a field has the wrong type or names an unknown symptom, level or sign.
        """
        levels, signs = data.get("levels", {}), data.get("signs", [])
        note, photo = data.get("note"), data.get("photo", False)
        if not isinstance(levels, Mapping) or not isinstance(signs, list):
            raise InvalidAnswers(f"{data!r} are not stored answers (expected levels and signs)")
        if not (note is None or isinstance(note, str)) or not isinstance(photo, bool):
            raise InvalidAnswers(f"{data!r} are not stored answers (expected a note and photo)")
        return cls(
            levels={_symptom(name): _level(value) for name, value in levels.items()},
            signs=frozenset(_sign(name) for name in signs),
            note=note,
            has_photo=photo,
        )


@dataclass(frozen=True)
class CheckInRecord:
    """Answers given at a moment, `day` whole local days after the session (0 on its day)."""

    answered_at: datetime
    day: int
    answers: Answers

    def __post_init__(self) -> None:
        if self.answered_at.utcoffset() is None:
            raise ValueError(f"answered_at must be an aware datetime, not {self.answered_at!r}")


def days_since_session(session_at: datetime, answered_at: datetime, zone: ZoneInfo) -> int:
    """Calendar days from the session's date to the answer's date, both on the patient's clock.

    Counted on dates rather than elapsed hours, so that 23:00 on the session day is day 0 and
    01:00 next morning day 1, and a night on which the clocks change counts as one day. An
    answer dated before the session gives a negative day.
    """
    for name, moment in (("session_at", session_at), ("answered_at", answered_at)):
        if moment.utcoffset() is None:
            raise ValueError(f"{name} must be an aware datetime, not {moment!r}")
    return (answered_at.astimezone(zone).date() - session_at.astimezone(zone).date()).days


_SYMPTOM_NAMES = tuple(symptom.value for symptom in Symptom)
_SIGN_NAMES = tuple(sign.value for sign in WarningSign)


def _symptom(name: object) -> Symptom:
    if isinstance(name, str) and name in _SYMPTOM_NAMES:
        return Symptom(name)
    raise InvalidAnswers(f"{name!r} is not a symptom (expected one of {', '.join(_SYMPTOM_NAMES)})")


def _level(name: object) -> Level:
    if not isinstance(name, str):
        raise InvalidAnswers(f"{name!r} is not a level (expected one of {level_names()})")
    return Level.parse(name)


def _sign(name: object) -> WarningSign:
    if isinstance(name, str) and name in _SIGN_NAMES:
        return WarningSign(name)
    raise InvalidAnswers(
        f"{name!r} is not a warning sign (expected one of {', '.join(_SIGN_NAMES)})"
    )


def stored_answers(text: str | None) -> Answers:
    """Answers as stored (JSON text); none at all for a check-in without any, or one whose
    stored form cannot be read (a report or export shows what it can, never fails on it)."""
    if not text:
        return Answers()
    try:
        return Answers.from_json(json.loads(text))
    except (InvalidAnswers, ValueError):
        return Answers()
