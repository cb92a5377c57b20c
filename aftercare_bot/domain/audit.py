"""Audit events: an append-only trail of who did what, with ids only."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class AuditEvent:
    """Something worth answering "who did this, and when?" about later."""

    occurred_at: datetime
    action: str
    actor_telegram_id: int | None = None
    subject: str | None = None
    detail: str | None = None
