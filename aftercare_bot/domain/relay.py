"""A staff member's message to a patient, drafted through the bot and sent only on Send.

Each draft is its own record, named by id in its buttons: Send sends exactly the text shown,
to the patient named with it, or is refused with the reason.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


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
