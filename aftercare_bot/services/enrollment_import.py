"""Enrolling patients imported from a booking system: each row at most once.

A row is enrolled at most once however often the file is imported: each row's content is
hashed into the patient's `import_key`, and a row already seen is reported, not repeated.
Any front end that imports rows (the command line today) enrolls them through `enroll_one`.
"""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from aftercare_bot.config import Config
from aftercare_bot.domain.patients import Enrollment
from aftercare_bot.domain.plans import Plan
from aftercare_bot.services.enrollment import enroll_patient
from aftercare_bot.services.ports import UnitsOfWork

CSV_COLUMNS = ("name", "session", "next", "lang", "plan", "practitioner")


@dataclass(frozen=True)
class ImportedRow:
    """The outcome of one row: a new link, or the code of an earlier import."""

    code: str
    token: str | None


def row_key(fields: Mapping[str, str]) -> str:
    """A stable fingerprint of a CSV row's content (whitespace and case of names ignored)."""
    canonical = "\x1f".join(
        " ".join((fields.get(column) or "").split()).casefold() for column in CSV_COLUMNS
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


async def enroll_one(
    database: UnitsOfWork, enrollment: Enrollment, plan: Plan, config: Config, now: datetime
) -> ImportedRow:
    """Enroll unless a row with the same import key was enrolled before."""
    async with database.unit_of_work() as uow:
        if enrollment.import_key is not None:
            earlier = await uow.patients.by_import_key(enrollment.import_key)
            if earlier is not None:
                return ImportedRow(earlier.code, None)
        enrolled = await enroll_patient(uow, enrollment, plan, now, config.enrollment.link_lifetime)
    return ImportedRow(enrolled.patient.code, enrolled.token)
