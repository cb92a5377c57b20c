"""A staff member's message to a patient, drafted through the bot and sent only on Send.

Each draft is its own record, named by id in its buttons: Send sends exactly the text shown,
to the patient named with it, or is refused with the reason.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

# The outbox kind of a sent draft: a row whose text the dispatcher reads from the draft.
RELAY_KIND = "relay"
# Longer texts are refused, not cut: with the signature they must fit one Telegram message.
MAX_RELAY_TEXT = 3000


class DraftState(StrEnum):
    """Where a draft stands."""

    AWAITING_TEXT = "awaiting_text"  # the prompt is shown; no text yet
    READY = "ready"  # the text is shown back with Send / Cancel
    SENT = "sent"
    CANCELLED = "cancelled"
    REPLACED = "replaced"  # a newer text for the same prompt took its place


@dataclass
class RelayDraft:
    """One message from one staff member to one patient, from prompt to Send."""

    staff_id: int
    staff_name: str
    prompt_chat_id: int
    created_at: datetime
    updated_at: datetime
    state: str = DraftState.AWAITING_TEXT.value
    incident_id: int | None = None
    patient_id: int | None = None
    patient_chat_id: int | None = None
    prompt_message_id: int | None = None
    confirm_message_id: int | None = None
    text: str | None = None
    sent_at: datetime | None = None
    id: int | None = None

    def with_new_text(self, text: str, now: datetime) -> "RelayDraft":
        """A fresh draft for the same prompt, author and patient (a later reply to the prompt)."""
        return RelayDraft(
            staff_id=self.staff_id,
            staff_name=self.staff_name,
            prompt_chat_id=self.prompt_chat_id,
            created_at=now,
            updated_at=now,
            state=DraftState.READY.value,
            incident_id=self.incident_id,
            patient_id=self.patient_id,
            patient_chat_id=self.patient_chat_id,
            prompt_message_id=self.prompt_message_id,
            text=text,
        )
