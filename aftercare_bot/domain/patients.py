"""Patients as the clinic follows them: a short code, a first name, and where they stand.

Health data rule: collect no more than the follow-up needs. A display name (a first name is
enough), a language and a time zone; never a surname, phone number or date of birth.
"""

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from aftercare_bot.domain.errors import AftercareError

# No 0/O, 1/I/L: codes are read aloud and typed from a screen.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 4
CODE_PREFIX = "P-"
MAX_NAME_LENGTH = 64


class InvalidPatientName(AftercareError, ValueError):
    """A display name that is empty, too long, or not a name."""


class PatientStatus(StrEnum):
    """Where a patient stands in their follow-up."""

    NOT_LINKED = "not_linked"
    LINKED = "linked"
    UNREACHABLE = "unreachable"
    DECLINED = "declined"
    STOPPED = "stopped"
    DISCHARGED = "discharged"
    ANONYMISED = "anonymised"
    # Asked to be erased while an incident was open: only the code is kept until it is resolved.
    LEFT = "left"


@dataclass
class Patient:
    """One patient's follow-up record; `chat_id` is set only once they consent."""

    code: str
    display_name: str
    timezone: str
    practitioner: str
    enrolled_at: datetime
    language: str | None = None
    status: PatientStatus = PatientStatus.NOT_LINKED
    chat_id: int | None = None
    enrolled_by: int | None = None
    import_key: str | None = None
    id: int | None = None


@dataclass
class Course:
    """A course of sessions under one plan: "session k of N, every few weeks"."""

    patient_id: int
    plan_name: str
    sessions_planned: int
    spacing: timedelta
    started_at: datetime
    next_appointment_at: datetime | None = None
    appointment_confirmed_at: datetime | None = None
    closed_at: datetime | None = None
    id: int | None = None


@dataclass
class TreatmentSession:
    """One session of the course, with what was injected (for batch safety signals)."""

    course_id: int
    number: int
    held_at: datetime
    practitioner: str
    product: str | None = None
    batch: str | None = None
    id: int | None = None


@dataclass(frozen=True)
class Enrollment:
    """What staff decide at enrollment; validated before anything is stored."""

    display_name: str
    session_at: datetime
    practitioner: str
    plan_name: str
    timezone: str
    language: str | None = None
    next_appointment_at: datetime | None = None
    product: str | None = None
    batch: str | None = None
    enrolled_by: int | None = None
    import_key: str | None = None


def new_patient_code() -> str:
    """A random short code such as P-7K3Q; uniqueness is checked by the caller."""
    return CODE_PREFIX + "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


_CODE_PATTERN = re.compile(rf"^P-?([{CODE_ALPHABET}]{{{CODE_LENGTH}}})$")


def looks_like_code(text: str) -> bool:
    """Whether staff typed a patient code (any case, with or without the dash).

    A name such as "Peter" can look like one too; callers fall back to a name search.
    """
    return _CODE_PATTERN.match(text.strip().upper()) is not None


def normalise_code(text: str) -> str:
    """`p7k3q`, `P-7k3q` and ` P-7K3Q ` all mean P-7K3Q."""
    match = _CODE_PATTERN.match(text.strip().upper())
    return CODE_PREFIX + match[1] if match else text.strip().upper()


def clean_display_name(text: str) -> str:
    """A display name as staff typed it, trimmed; a first name is enough.

    Raises:
        InvalidPatientName: empty, longer than 64 characters, or made only of digits/symbols.
    """
    name = " ".join(text.split())
    if not name or len(name) > MAX_NAME_LENGTH or not any(char.isalpha() for char in name):
        raise InvalidPatientName(text)
    return name
