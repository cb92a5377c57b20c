"""A plan as staff edit it in the console: one row per step, its sentence in every offered
language, read back into the plan table the file would hold, with every mistake named on its
field (in staff's language: each problem is a `[plans]` text key).

A step keeps the catalogue text it names (`plan.checkin`) while staff leave its sentences as
the catalogue has them, so the translators' later corrections still reach it; a sentence
changed in any language makes the step carry its own sentences, one per offered language.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from aftercare_bot.domain.durations import parse_calendar_duration, parse_duration
from aftercare_bot.domain.plan_model import StepKind
from aftercare_bot.domain.plan_versions import PlanVersion, text_problem

_KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
WHEN = ("link", "after", "day", "before")
KINDS = tuple(kind.value for kind in StepKind)
SESSIONS_BOUNDS = (1, 20)
DAY_BOUNDS = (0, 365)
NAME_LIMIT = 40
# A step's sentence in a language, as the catalogue has it: (language, message key) → text.
CatalogueText = Callable[[str, str], str | None]


@dataclass
class StepRow:
    """One step as the form shows it."""

    key: str = ""
    when: str = "day"
    value: str = ""
    at: str = ""
    kind: str = "info"
    valid_for: str = ""
    reassurance: bool = False
    message: str = ""  # the catalogue text it names, if any
    texts: dict[str, str] = field(default_factory=dict)
    remove: bool = False

    @property
    def blank(self) -> bool:
        """Nothing written in it (the empty row the form offers for a new step)."""
        return not self.key and not any(text.strip() for text in self.texts.values())


@dataclass
class PlanForm:
    """The plan as the form shows it."""

    sessions: str
    spacing: str
    steps: list[StepRow]


@dataclass(frozen=True)
class FieldProblem:
    """A mistake, the field it is on, and the `[plans]` text that says what is expected."""

    field_name: str
    problem: str
    params: dict[str, object] = field(default_factory=dict)


def step_field(index: int, name: str) -> str:
    """The form field of step `index` (from 0)."""
    return f"step-{index}-{name}"


def valid_plan_name(name: str) -> bool:
    """A new plan's name: lowercase letters, digits and hyphens, as the file's."""
    return bool(_NAME.match(name)) and len(name) <= NAME_LIMIT


def form_of(version: PlanVersion, languages: Sequence[str], catalogue: CatalogueText) -> PlanForm:
    """The form of a saved version: each step's own sentences, else its catalogue text's."""
    rows = []
    for step in version.table.get("steps", []):
        if not isinstance(step, dict):
            continue
        key = str(step.get("key", ""))
        message = str(step.get("message", ""))
        own = version.texts.get(key, {})
        when = "link" if step.get("on") == "link" else next((a for a in WHEN if a in step), "day")
        rows.append(
            StepRow(
                key=key,
                when=when,
                value="" if when == "link" else str(step.get(when, "")),
                at=str(step.get("at", "")),
                kind=str(step.get("kind", "info")),
                valid_for=str(step.get("valid_for", "")),
                reassurance=bool(step.get("reassurance", False)),
                message="" if own else message,
                texts={
                    code: own.get(code) or (catalogue(code, message) or "") for code in languages
                },
            )
        )
    return PlanForm(
        str(version.table.get("sessions", "")), str(version.table.get("spacing", "")), rows
    )


def read_form(
    form: PlanForm, languages: Sequence[str], catalogue: CatalogueText
) -> tuple[dict[str, Any], dict[str, dict[str, str]]] | list[FieldProblem]:
    """The plan table and the steps' own sentences, or every mistake on its field."""
    problems: list[FieldProblem] = []
    sessions = form.sessions.strip()
    low, high = SESSIONS_BOUNDS
    if not (sessions.isascii() and sessions.isdigit() and low <= int(sessions) <= high):
        problems.append(FieldProblem("sessions", "problem_range", {"low": low, "high": high}))
    if not _duration(form.spacing, calendar=False):
        problems.append(FieldProblem("spacing", "problem_duration"))
    steps: list[dict[str, Any]] = []
    texts: dict[str, dict[str, str]] = {}
    seen: set[str] = set()
    for index, row in enumerate(form.steps):
        if row.remove or row.blank:
            continue
        step = _read_step(index, row, languages, catalogue, seen, problems, texts)
        steps.append(step)
    if not steps:
        problems.append(FieldProblem("steps", "problem_no_steps"))
    if problems:
        return problems
    table = {"sessions": int(sessions), "spacing": form.spacing.strip(), "steps": steps}
    return table, texts


def _read_step(
    index: int,
    row: StepRow,
    languages: Sequence[str],
    catalogue: CatalogueText,
    seen: set[str],
    problems: list[FieldProblem],
    texts: dict[str, dict[str, str]],
) -> dict[str, Any]:
    def problem(name: str, key: str, **params: object) -> None:
        problems.append(FieldProblem(step_field(index, name), key, params))

    key = row.key.strip()
    if not _KEY.match(key) or len(key) > NAME_LIMIT:
        problem("key", "problem_key")
    elif key in seen:
        problem("key", "problem_key_taken")
    seen.add(key)
    step: dict[str, Any] = {"key": key}
    if row.kind not in KINDS:
        problem("kind", "problem_kind")
    step["kind"] = row.kind
    _read_when(row, step, problem)
    if row.valid_for.strip():
        if _duration(row.valid_for, calendar=False):
            step["valid_for"] = row.valid_for.strip()
        else:
            problem("valid_for", "problem_duration")
    if row.reassurance:
        step["reassurance"] = True
    written = {code: row.texts.get(code, "") for code in languages}
    for code, text in written.items():
        found = text_problem(text)
        if found is not None:
            problem(f"text-{code}", found[0], **found[1])
    as_catalogue = row.message and all(
        catalogue(code, row.message) == text for code, text in written.items()
    )
    if as_catalogue:
        step["message"] = row.message
    else:
        step["message"] = "plan.own_text"  # replaced by the step's own text key when read
        texts[key] = written
    return step


def _read_when(row: StepRow, step: dict[str, Any], problem: Callable[..., None]) -> None:
    value = row.value.strip()
    if row.when == "link":
        step["on"] = "link"
    elif row.when in ("after", "before"):
        if _duration(value, calendar=True):
            step[row.when] = value
        else:
            problem("value", "problem_duration")
    elif row.when == "day":
        low, high = DAY_BOUNDS
        if value.isascii() and value.isdigit() and low <= int(value) <= high:
            step["day"] = int(value)
        else:
            problem("value", "problem_range", low=low, high=high)
        if _CLOCK.match(row.at.strip()):
            step["at"] = row.at.strip()
        else:
            problem("at", "problem_at")
    else:
        problem("when", "problem_when")


def _duration(text: str, *, calendar: bool) -> bool:
    try:
        (parse_calendar_duration if calendar else parse_duration)(text.strip())
    except ValueError:
        return False
    return True
