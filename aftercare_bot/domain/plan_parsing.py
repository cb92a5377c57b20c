"""Reading plans from the clinic's TOML, reporting every mistake with its exact place.

A place reads as the clinic would look for it: `plans.short.spacing` for a plan's field,
`plans.short step 2` for its second step (counted from 1), `plans.short step 2, at` for a
field of that step.
"""

import difflib
import json
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import time, timedelta
from typing import TypeGuard, TypeVar

from aftercare_bot.domain.durations import (
    CalendarDuration,
    parse_calendar_duration,
    parse_duration,
)
from aftercare_bot.domain.errors import InvalidDuration
from aftercare_bot.domain.plan_model import (
    AfterSession,
    Anchor,
    BeforeAppointment,
    InvalidPlan,
    OnDay,
    OnLink,
    Plan,
    PlanStep,
    StepKind,
)

_STEP = re.compile(r" step \d+$")
_KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
_PLAN_FIELDS = ("sessions", "spacing", "steps")
_STEP_FIELDS = (
    "key",
    "message",
    "kind",
    "on",
    "after",
    "day",
    "at",
    "before",
    "valid_for",
    "reassurance",
)
_ANCHOR_FIELDS = ("on", "after", "day", "before")
_ANCHOR_FORMS = 'on = "link", after = "2h", day = 1 with at = "10:00", or before = "1d"'
_DURATION_FORM = 'a number and a unit s, m, h, d or w, such as "2h" or "3w"'
_D = TypeVar("_D", timedelta, CalendarDuration)


def parse_plans(
    tables: Mapping[str, object],
    *,
    known_messages: Collection[str],
    default_valid_for: timedelta,
) -> dict[str, Plan]:
    """Read the config's `[plans]` table, reporting the problems of every plan at once.

    Raises:
        InvalidPlan: some plan is not a table or cannot be parsed; `problems` has them all.
    """
    plans: dict[str, Plan] = {}
    problems: list[str] = []
    for name, table in tables.items():
        if not isinstance(table, Mapping):
            problems.append(
                f"plans.{name}: {_show(table)} is not a table "
                "(expected sessions, spacing and steps under [plans.NAME])"
            )
            continue
        try:
            plans[name] = parse_plan(
                name, table, known_messages=known_messages, default_valid_for=default_valid_for
            )
        except InvalidPlan as error:
            problems.extend(error.problems)
    if problems:
        raise InvalidPlan(problems)
    return plans


def parse_plan(
    name: str,
    table: Mapping[str, object],
    *,
    known_messages: Collection[str],
    default_valid_for: timedelta,
) -> Plan:
    """Read one plan as tomllib gives it; steps without `valid_for` get `default_valid_for`.

    Raises:
        InvalidPlan: `problems` lists every mistake, one line each, naming the field, the value
            found and what was expected, in the order they appear in the table.
    """
    reader = _Reader(f"plans.{name}", known_messages, default_valid_for)
    if not _KEY.match(name):
        reader.problem(
            "", f"{_show(name)} is not a plan name (expected {_key_form('scalp-mesotherapy')})"
        )
    reader.unknown_fields(reader.path, table, _PLAN_FIELDS, "a plan")
    sessions = reader.sessions(table.get("sessions"))
    spacing = reader.duration(_within(reader.path, "spacing"), table.get("spacing"), positive=True)
    steps = reader.steps(table.get("steps"))
    if reader.problems or sessions is None or spacing is None or steps is None:
        raise InvalidPlan(reader.problems)
    return Plan(name, sessions, spacing, steps)


@dataclass
class _Reader:
    """Reads a plan's fields, noting each problem and carrying on so that all are reported."""

    path: str
    known_messages: Collection[str]
    default_valid_for: timedelta

    def __post_init__(self) -> None:
        self.problems: list[str] = []
        self._keys: dict[str, str] = {}
        # Fields a misspelt one was taken for: their absence is that one mistake, said once.
        self._suggested: set[str] = set()

    def problem(self, path: str, complaint: str) -> None:
        """Note one problem at `path` (the plan itself when empty)."""
        self.problems.append(f"{path or self.path}: {complaint}")

    def wrong(self, path: str, value: object, what: str, expected: str) -> None:
        """Note a field that is missing, or whose value is not `what`."""
        if value is None and path in self._suggested:
            return
        found = "missing" if value is None else f"{_show(value)} is not {what}"
        self.problem(path, f"{found} (expected {expected})")

    def unknown_fields(
        self, path: str, table: Mapping[str, object], fields: Sequence[str], owner: str
    ) -> None:
        """Note each field of `table` that is not one of `fields`, naming the nearest one."""
        for field in table:
            if field in fields:
                continue
            close = difflib.get_close_matches(field, fields, n=1, cutoff=0.6)
            hint = f" — did you mean {close[0]}?" if close else f" (expected {', '.join(fields)})"
            self._suggested.update(_within(path, name) for name in close)
            self.problem(
                _within(path, field), f"{_show(table[field])} is not a field of {owner}{hint}"
            )

    def sessions(self, value: object) -> int | None:
        """The number of sessions in a course, at least one."""
        if _is_whole(value) and value >= 1:
            return value
        path = _within(self.path, "sessions")
        self.wrong(path, value, "a number of sessions", "a whole number, at least 1")
        return None

    def steps(self, value: object) -> tuple[PlanStep, ...] | None:
        """Every step, in order, with keys unique within the plan."""
        path = _within(self.path, "steps")
        if not isinstance(value, list) or not value:
            example = (
                '{ key = "checkin-day1", day = 1, at = "10:00", message = "plan.checkin", '
                'kind = "checkin" }'
            )
            self.wrong(path, value, "a list of steps", f"at least one step, such as {example}")
            return None
        numbered = enumerate(value, start=1)  # counted as the clinic counts them
        steps = [self.step(f"{self.path} step {number}", raw) for number, raw in numbered]
        if any(step is None for step in steps):
            return None
        return tuple(step for step in steps if step is not None)

    def step(self, path: str, raw: object) -> PlanStep | None:
        """One step: key, message, kind, exactly one anchor, how long it stays valid, and whether
        it is reassurance."""
        if not isinstance(raw, Mapping):
            self.problem(
                path, f"{_show(raw)} is not a step (expected a table with key, message, kind)"
            )
            return None
        self.unknown_fields(path, raw, _STEP_FIELDS, "a step")
        key = self.step_key(path, raw.get("key"))
        message = self.message(_within(path, "message"), raw.get("message"))
        kind = self.kind(_within(path, "kind"), raw.get("kind"))
        anchor = self.anchor(path, raw)
        valid_for: timedelta | None = self.default_valid_for
        if "valid_for" in raw:
            valid_for = self.duration(_within(path, "valid_for"), raw["valid_for"], positive=True)
        reassurance = self.flag(_within(path, "reassurance"), raw.get("reassurance", False))
        if (
            key is None
            or message is None
            or kind is None
            or anchor is None
            or valid_for is None
            or reassurance is None
        ):
            return None
        return PlanStep(key, message, kind, anchor, valid_for, reassurance)

    def flag(self, path: str, value: object) -> bool | None:
        """A yes-or-no field: TOML's true or false, not a string or a number."""
        if isinstance(value, bool):
            return value
        self.wrong(path, value, "true or false", "true or false, unquoted")
        return None

    def step_key(self, step: str, value: object) -> str | None:
        """A step's key: lowercase letters, digits and hyphens, used by one step only."""
        if not isinstance(value, str) or not _KEY.match(value):
            self.wrong(_within(step, "key"), value, "a step key", _key_form())
            return None
        first = self._keys.setdefault(value, step)
        if first != step:
            self.problem(
                _within(step, "key"),
                f"{_show(value)} is used by two steps (expected each key once; {first} has it)",
            )
            return None
        return value

    def message(self, path: str, value: object) -> str | None:
        """A message key that the texts catalogue has."""
        if isinstance(value, str) and value in self.known_messages:
            return value
        if not isinstance(value, str):
            expected = 'a key of the texts catalogue, such as "plan.checkin"'
            self.wrong(path, value, "a message key", expected)
            return None
        close = difflib.get_close_matches(value, sorted(self.known_messages), n=1, cutoff=0.8)
        hint = f" (did you mean {_show(close[0])}?)" if close else ""
        self.problem(path, f"{_show(value)} is not a known message key{hint}")
        return None

    def kind(self, path: str, value: object) -> StepKind | None:
        """What the message is for: info, checkin or appointment."""
        if isinstance(value, str) and value in {kind.value for kind in StepKind}:
            return StepKind(value)
        expected = ", ".join(f'"{kind}"' for kind in StepKind)
        self.wrong(path, value, "a kind of step", f"one of {expected}")
        return None

    def anchor(self, path: str, raw: Mapping[str, object]) -> Anchor | None:
        """The one moment the step is counted from."""
        given = [field for field in _ANCHOR_FIELDS if field in raw]
        if "at" in raw and "day" not in raw and _within(path, "day") not in self._suggested:
            self.problem(
                _within(path, "at"),
                f"{_show(raw['at'])} needs day (expected day = N beside at, such as day = 1)",
            )
        if not given and any(_within(path, field) in self._suggested for field in _ANCHOR_FIELDS):
            return None
        if len(given) != 1:
            found = "no anchor" if not given else f"{len(given)} anchors ({', '.join(given)})"
            self.problem(path, f"has {found} (expected exactly one of {_ANCHOR_FORMS})")
            return None
        field = given[0]
        if field == "on":
            return self.on_link(_within(path, "on"), raw["on"])
        if field == "after":
            delay = self.calendar_duration(_within(path, "after"), raw["after"], positive=False)
            return None if delay is None else AfterSession(delay)
        if field == "before":
            lead = self.calendar_duration(_within(path, "before"), raw["before"], positive=True)
            return None if lead is None else BeforeAppointment(lead)
        return self.on_day(path, raw["day"], raw.get("at"))

    def on_link(self, path: str, value: object) -> OnLink | None:
        """`on = "link"`, the only event a step can follow so far."""
        if value == "link":
            return OnLink()
        self.problem(path, f'{_show(value)} is not an event (expected "link")')
        return None

    def on_day(self, path: str, day: object, at: object) -> OnDay | None:
        """`day = N` and `at = "HH:MM"`: a local time of day N days after the session."""
        clock = self.clock(_within(path, "at"), at)
        if not (_is_whole(day) and day >= 0):
            expected = "a whole number, 0 for the day of the session"
            self.wrong(_within(path, "day"), day, "a day after the session", expected)
            return None
        return None if clock is None else OnDay(day, clock)

    def clock(self, path: str, value: object) -> time | None:
        """A time of day written "HH:MM" (or a TOML local time such as 10:00:00)."""
        if isinstance(value, time) and value.tzinfo is None:
            return value
        match = _CLOCK.match(value) if isinstance(value, str) else None
        if match is not None and int(match[1]) < 24 and int(match[2]) < 60:
            return time(int(match[1]), int(match[2]))
        self.wrong(path, value, "a time of day", '"HH:MM", such as "10:00"')
        return None

    def duration(self, path: str, value: object, *, positive: bool) -> timedelta | None:
        """A duration such as "2h", counted in elapsed time; `positive` refuses zero."""
        delta = _read_duration(parse_duration, value)
        if delta is None:
            self.wrong(path, value, "a duration", _DURATION_FORM)
            return None
        if positive and delta <= timedelta(0):
            self.zero(path, value)
            return None
        return delta

    def calendar_duration(
        self, path: str, value: object, *, positive: bool
    ) -> CalendarDuration | None:
        """A duration such as "1d" whose whole days are calendar days; `positive` refuses zero."""
        duration = _read_duration(parse_calendar_duration, value)
        if duration is None:
            self.wrong(path, value, "a duration", _DURATION_FORM)
            return None
        if positive and duration.is_zero:
            self.zero(path, value)
            return None
        return duration

    def zero(self, path: str, value: object) -> None:
        """Note a duration that must not be zero but is."""
        self.problem(path, f'{_show(value)} is zero (expected more than zero, such as "1h")')


def _within(path: str, field: str) -> str:
    """The place of `field` in the table at `path`: after a dot, or a comma after a step."""
    return f"{path}, {field}" if _STEP.search(path) else f"{path}.{field}"


def _show(value: object) -> str:
    """A value as the clinic wrote it in TOML, so a problem can be found in the file."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list):
        return "an empty list" if not value else "a list"
    return str(value)


def _is_whole(value: object) -> TypeGuard[int]:
    """Whether TOML gave a whole number: its booleans, true and false, are ints to Python."""
    return isinstance(value, int) and not isinstance(value, bool)


def _read_duration(parse: Callable[[str], _D], value: object) -> _D | None:
    """What `parse` reads in `value`, or None when it is not a duration."""
    if not isinstance(value, str):
        return None
    try:
        return parse(value)
    except InvalidDuration:
        return None


def _key_form(example: str = "checkin-day1") -> str:
    return f'lowercase letters, digits and hyphens, such as "{example}"'
