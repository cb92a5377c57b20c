"""Patients to enroll as the command line takes them: from flags, or from a booking system's CSV.

Each row's fields are checked as staff typed them; bad rows are named by line number and
skipped, the good ones enrolled (each CSV row at most once, see `services.enrollment_import`).
"""

import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from aftercare_bot.adapters.persistence.database import Database
from aftercare_bot.config import Config
from aftercare_bot.domain.local_time import InvalidLocalTime, parse_local_datetime
from aftercare_bot.domain.patient_names import NameProblem, NotAFirstName, first_name_only
from aftercare_bot.domain.patients import Enrollment
from aftercare_bot.domain.plan_versions import current_plan, plan_names
from aftercare_bot.domain.plans import Plan
from aftercare_bot.services.enrollment_import import CSV_COLUMNS, enroll_one, row_key

DATE_FORM = "YYYY-MM-DD HH:MM"
# The command line speaks English, like every other line it prints.
NAME_PROBLEMS = {
    NameProblem.NOT_A_NAME: "is not a first name",
    NameProblem.PHONE: "looks like a phone number",
    NameProblem.ADDRESS: "looks like an e-mail or web address",
    NameProblem.DIGITS: "has digits",
    NameProblem.TOO_MANY_WORDS: "has more than three words",
}


class InvalidRow(ValueError):
    """A row (or the flags) that cannot be enrolled; `problems` says why, one per field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def enrollment_from_fields(
    fields: Mapping[str, str],
    config: Config,
    plans: Mapping[str, Plan],
    languages: tuple[str, ...],
    now: datetime,
) -> tuple[Enrollment, Plan]:
    """Validate one patient's fields as staff typed them.

    Raises:
        InvalidRow: every field that is wrong, each with the value and what was expected.
    """
    zone = config.clinic.timezone
    problems: list[str] = []

    def moment(field: str, default: datetime | None) -> datetime | None:
        text = (fields.get(field) or "").strip()
        if not text:
            return default
        try:
            return parse_local_datetime(text, zone)
        except InvalidLocalTime:
            problems.append(f'{field} "{text}" is not a date and time (expected {DATE_FORM})')
            return default

    name = ""
    try:
        name = first_name_only(fields.get("name") or "")
    except NotAFirstName as refusal:
        problems.append(
            f'name "{fields.get("name") or ""}" {NAME_PROBLEMS[refusal.problem]} '
            "(expected a first name only, e.g. Anna)"
        )
    session_at = moment("session", now)
    next_at = moment("next", None)
    if session_at and next_at and next_at <= session_at:
        problems.append(f'next "{fields.get("next")}" is not after the session')
    language = (fields.get("lang") or "").strip() or None
    if language is not None and language not in languages:
        problems.append(
            f'lang "{language}" is not supported (expected one of {", ".join(languages)})'
        )
    plan_name = (fields.get("plan") or "").strip() or config.schedule.default_plan
    names = plan_names(plans)
    if plan_name not in names:
        problems.append(f'plan "{plan_name}" is not a plan (expected one of {", ".join(names)})')
    practitioner = " ".join((fields.get("practitioner") or "").split())[:64] or config.clinic.name
    if problems:
        raise InvalidRow(problems)
    assert session_at is not None
    enrollment = Enrollment(
        display_name=name,
        session_at=session_at,
        practitioner=practitioner,
        plan_name=plan_name,
        timezone=str(zone),
        language=language,
        next_appointment_at=next_at,
    )
    plan = current_plan(plans, plan_name)
    assert plan is not None
    return enrollment, plan


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """The CSV's rows with their line numbers (the header is line 1).

    Raises:
        InvalidRow: the header lacks `name` or has unknown columns.
    """
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    header = [column.strip().lower() for column in reader.fieldnames or []]
    unknown = sorted(set(header) - set(CSV_COLUMNS))
    if "name" not in header or unknown:
        raise InvalidRow(
            [
                f"line 1: the header must have name and only {', '.join(CSV_COLUMNS)} "
                f"(unknown: {', '.join(unknown) or 'none'})"
            ]
        )
    reader.fieldnames = header
    for row in reader:
        yield reader.line_num, {key: (value or "") for key, value in row.items() if key}


async def run_enroll(
    config: Config, rows: list[tuple[int, dict[str, str]]], from_csv: bool, now: datetime
) -> tuple[list[tuple[str, str | None]], list[str]]:
    """Enroll each row; returns (code, link or None if enrolled before) and problem lines."""
    from aftercare_bot.adapters.live_config import LiveConfig
    from aftercare_bot.adapters.telegram.runtime.identity import bot_username, deep_link_for
    from aftercare_bot.config import load_texts_and_plans

    texts, file_plans = load_texts_and_plans(config)
    database = Database(config.database_url)
    enrolled: list[tuple[str, str | None]] = []
    problems: list[str] = []
    try:
        live = LiveConfig(config, texts, file_plans)
        await live.refresh(database)  # the plans' newest versions, as the running bot has them
        plans = live.plans
        username = await bot_username(config, database, now)
        for line, row in rows:
            try:
                enrollment, plan = enrollment_from_fields(row, config, plans, texts.languages, now)
            except InvalidRow as error:
                where = f"line {line}: " if from_csv else ""
                problems.extend(f"{where}{problem}" for problem in error.problems)
                continue
            if from_csv:
                enrollment = replace(enrollment, import_key=row_key(row))
            outcome = await enroll_one(database, enrollment, plan, config, now)
            link = deep_link_for(username, outcome.token) if outcome.token else None
            enrolled.append((outcome.code, link))
    finally:
        await database.dispose()
    return enrolled, problems
