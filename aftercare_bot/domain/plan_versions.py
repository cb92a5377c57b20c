"""Plans kept in the database as versions, edited by staff in the console.

A version is the plan as the config file writes it (sessions, spacing, steps), plus the
sentences the clinic wrote for its steps in each language. Version 1 is what the shipped plan
or `schedule.plans_file` held when the database first saw it; every save makes the next one.

A patient follows the version she was enrolled on: her course names it by its key, the plan's
name for version 1 ("scalp-mesotherapy", what courses already carried) and `name@N` after
("scalp-mesotherapy@2"). So a new version moves nobody's messages; staff move patients on
purpose, and then their future plan messages are planned again from the new version, once.
"""

import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from aftercare_bot.domain.plan_model import Plan
from aftercare_bot.domain.plan_parsing import parse_plan
from aftercare_bot.telegram_html import EntityParseError, parse_html

# What a step's own sentence may mention: the patient, her practitioner and appointment, and
# the clinic's details every text may use.
STEP_PLACEHOLDERS = frozenset(
    {"name", "practitioner", "appointment", "clinic", "phone", "emergency", "hours"}
)
# A step's sentence is one Telegram message (4096 characters, with room for the parameters).
TEXT_LIMIT = 3500
_VERSIONED = re.compile(r"^(?P<name>.+)@(?P<version>\d+)$")
_FIELD = re.compile(r"\{([^{}]*)\}")


@dataclass
class PlanVersion:
    """One saved version of a plan."""

    plan_name: str
    version: int
    table: dict[str, Any]
    texts: dict[str, dict[str, str]]  # step key → language → the clinic's sentence
    created_at: datetime
    created_by: int | None = None
    created_by_name: str = ""
    id: int | None = None

    @property
    def key(self) -> str:
        """What a course on this version carries as its plan."""
        return version_key(self.plan_name, self.version)


def version_key(name: str, version: int) -> str:
    """A version's key: the plan's name for version 1, `name@N` after it."""
    return name if version == 1 else f"{name}@{version}"


def plan_name_of(key: str) -> str:
    """The plan's name in a version's key."""
    match = _VERSIONED.match(key)
    return match["name"] if match else key


def step_text_key(key: str, step: str) -> str:
    """The text key under which a version's own sentence for a step is rendered."""
    return f"plantext.{key}.{step}"


def text_problem(text: str) -> tuple[str, dict[str, object]] | None:
    """Why a step's sentence cannot be sent as it is (a `[plans]` text key and its
    parameters), or None: empty, too long, an unknown placeholder, or Telegram HTML that
    Telegram would refuse."""
    if not text.strip():
        return "problem_text_missing", {}
    if len(text) > TEXT_LIMIT:
        return "problem_text_long", {"limit": TEXT_LIMIT}
    fields = set(_FIELD.findall(text))
    unknown = sorted(fields - STEP_PLACEHOLDERS)
    if unknown or text.count("{") != text.count("}"):
        allowed = ", ".join(f"{{{name}}}" for name in sorted(STEP_PLACEHOLDERS))
        return "problem_text_placeholder", {"allowed": allowed}
    try:
        parse_html(text.format(**dict.fromkeys(fields, "x")))
    except (EntityParseError, ValueError, IndexError, KeyError):
        return "problem_text_html", {}
    return None


def read_version(
    version: PlanVersion, known_messages: Collection[str], default_valid_for: timedelta
) -> Plan:
    """The plan a version holds, named by its key; its steps with their own sentences send
    those (under `step_text_key`).

    Raises:
        InvalidPlan: the table does not make a plan (every mistake listed).
    """
    key = version.key
    own = {step_text_key(key, step) for step in version.texts}
    steps = [
        {**step, "message": step_text_key(key, step["key"])}
        if isinstance(step, Mapping) and step.get("key") in version.texts
        else step
        for step in version.table.get("steps", [])
    ]
    table = {**version.table, "steps": steps}
    plan = parse_plan(
        version.plan_name,
        table,
        known_messages=set(known_messages) | own,
        default_valid_for=default_valid_for,
    )
    return replace(plan, name=key)


@dataclass(frozen=True)
class PlanBook(Mapping[str, Plan]):
    """Every version of every plan, by key, as courses name them; and which is current."""

    plans: dict[str, Plan] = field(default_factory=dict)
    current_keys: dict[str, str] = field(default_factory=dict)  # plan name → newest key

    def __getitem__(self, key: str) -> Plan:
        return self.plans[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.plans)

    def __len__(self) -> int:
        return len(self.plans)

    @property
    def names(self) -> list[str]:
        """The plans staff enroll on, by name."""
        return list(self.current_keys)

    def current(self, name_or_key: str) -> Plan | None:
        """The newest version of the plan a name (or any version's key) belongs to."""
        key = self.current_keys.get(plan_name_of(name_or_key))
        return self.plans.get(key) if key else None


def current_plan(plans: Mapping[str, Plan], name: str) -> Plan | None:
    """The plan to enroll on under `name`: its newest version (a plain mapping of plans, as
    tests and the file give, has one version of each)."""
    if isinstance(plans, PlanBook):
        return plans.current(name)
    return plans.get(name)


def plan_names(plans: Mapping[str, Plan]) -> list[str]:
    """The plans staff enroll on, by name (not every version)."""
    return plans.names if isinstance(plans, PlanBook) else list(plans)
