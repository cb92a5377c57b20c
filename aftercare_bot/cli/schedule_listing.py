"""`python bot.py schedule [CODE] [--json]`: what the bot will send, and what it did, per row.

The listing is for operators at a terminal: rows read from the outbox and rendered as an
aligned table, or as JSON for scripts.
"""

import json
from dataclasses import asdict, dataclass
from zoneinfo import ZoneInfo

from aftercare_bot.adapters.persistence.database import Database
from aftercare_bot.domain.patients import normalise_code


@dataclass(frozen=True)
class ScheduleRow:
    """One scheduled message as an operator reads it."""

    code: str
    step: str
    kind: str
    state: str
    due_utc: str
    due_local: str
    valid_until_utc: str
    attempts: int


async def schedule_rows(database: Database, code: str | None) -> list[ScheduleRow] | None:
    """Every row, or one patient's; None when the code names nobody."""
    async with database.unit_of_work() as uow:
        patient_id = None
        if code is not None:
            patient = await uow.patients.by_code(normalise_code(code))
            if patient is None:
                return None
            patient_id = patient.id
        listing = await uow.outbox.listing(patient_id)
    return [
        ScheduleRow(
            code=patient_code,
            step=message.step_key or message.message_key,
            kind=message.kind,
            state=message.state.value,
            due_utc=message.due_at.strftime("%Y-%m-%d %H:%M UTC"),
            due_local=message.due_at.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M %Z"),
            valid_until_utc=message.valid_until.strftime("%Y-%m-%d %H:%M UTC"),
            attempts=message.attempts,
        )
        for patient_code, message, zone in listing
    ]


def as_json(rows: list[ScheduleRow]) -> str:
    """The rows for scripts."""
    return json.dumps([asdict(row) for row in rows], indent=2)


def as_table(rows: list[ScheduleRow]) -> str:
    """The rows for people: aligned columns with a header."""
    header = ("code", "step", "kind", "state", "due (UTC)", "due (local)", "valid until (UTC)")
    body = [
        (r.code, r.step, r.kind, r.state, r.due_utc, r.due_local, r.valid_until_utc) for r in rows
    ]
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *body, strict=False)]
    return "\n".join(
        "  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in (header, *body)
    )
