"""API keys: how a booking system or a clinic's own script acts for a staff member.

A key is shown once, when an admin makes it; only its SHA-256 is kept, with a short prefix so
staff can tell keys apart on the console. Every key belongs to a staff member (what it does
carries their name, and removing them revokes it) and has a scope:

- `bookings`: enroll, record sessions, set and cancel appointments. Its answers carry no health
  data (a code, a link), so a booking system holds nothing clinical.
- `clinical`: everything, patients' states and incidents included.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

KEY_PREFIX = "ack_"
# Enough randomness that a key cannot be guessed (256 bits), as the console's sign-in links.
_SECRET_BYTES = 32
_SHOWN_PREFIX = 12


class ApiScope(StrEnum):
    """What a key may do."""

    BOOKINGS = "bookings"
    CLINICAL = "clinical"

    def allows(self, needed: "ApiScope") -> bool:
        """Whether a key of this scope may call an operation that needs `needed`."""
        return self is ApiScope.CLINICAL or needed is ApiScope.BOOKINGS


@dataclass
class ApiKey:
    """A stored key: never the key itself."""

    key_hash: str
    prefix: str
    user_id: int
    label: str
    scope: ApiScope
    created_at: datetime
    created_by: int
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None
    id: int | None = None

    @property
    def active(self) -> bool:
        """Not revoked."""
        return self.revoked_at is None


def new_key() -> str:
    """A fresh key, e.g. "ack_9fQ...": the part after the prefix is random."""
    return KEY_PREFIX + secrets.token_urlsafe(_SECRET_BYTES)


def key_hash(key: str) -> str:
    """What is stored of a key."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def shown_prefix(key: str) -> str:
    """The start of a key, shown on the console to tell keys apart."""
    return key[:_SHOWN_PREFIX]
