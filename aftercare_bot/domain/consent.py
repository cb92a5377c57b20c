"""Consent: a dated event recording which version of the consent text the patient saw."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

# Bump when messages/*.toml [consent] texts change meaning; stored with every consent event.
CONSENT_TEXT_VERSION = "2026-11-25"


class ConsentChange(StrEnum):
    """What the patient decided."""

    ACCEPTED = "accepted"
    DECLINED = "declined"
    STOPPED = "stopped"
    BLOCKED = "blocked"
    RESUMED = "resumed"


@dataclass
class ConsentEvent:
    """One decision, kept for the clinic's records and the patient's /mydata."""

    patient_id: int
    occurred_at: datetime
    change: ConsentChange
    text_version: str = CONSENT_TEXT_VERSION
    chat_id: int | None = None
    id: int | None = None
