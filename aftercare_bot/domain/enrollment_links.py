"""One-time links: a patient's link to their follow-up, or a new staff member's invitation.

The token travels in a `t.me/<bot>?start=<token>` URL that anyone holding the QR code can
read, so it is random (256 bits), stored only as a hash, single-use and expiring.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

TOKEN_BYTES = 32  # 43 URL-safe characters: within Telegram's 64-character start payload


class LinkPurpose(StrEnum):
    """What opening the link does."""

    PATIENT = "patient"
    STAFF = "staff"


class LinkProblem(StrEnum):
    """Why a link cannot be used, each with its own message to the person who opened it."""

    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    ALREADY_YOURS = "already_yours"
    OPENED_ELSEWHERE = "opened_elsewhere"


@dataclass
class EnrollmentLink:
    """A stored link; only the hash of its token is kept."""

    token_hash: str
    purpose: LinkPurpose
    created_at: datetime
    expires_at: datetime
    patient_id: int | None = None
    created_by: int | None = None
    opened_by_chat: int | None = None
    used_at: datetime | None = None
    used_by_chat: int | None = None
    id: int | None = None

    def problem_for(self, chat_id: int, now: datetime) -> LinkProblem | None:
        """Why `chat_id` may not use this link now, or None when it may."""
        if self.used_at is not None:
            return LinkProblem.ALREADY_YOURS if self.used_by_chat == chat_id else LinkProblem.USED
        if now >= self.expires_at:
            return LinkProblem.EXPIRED
        if self.opened_by_chat is not None and self.opened_by_chat != chat_id:
            return LinkProblem.OPENED_ELSEWHERE
        return None


def new_token() -> str:
    """A fresh random token for a deep link."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """The only form in which a token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def is_token_shaped(payload: str) -> bool:
    """Whether a /start payload could be one of our tokens (cheap check before any query)."""
    return 20 <= len(payload) <= 64 and all(char.isalnum() or char in "-_" for char in payload)
