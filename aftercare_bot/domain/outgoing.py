"""A message ready to leave: rendered HTML text and inline buttons, free of any framework."""

from dataclasses import dataclass, field
from enum import IntEnum

Buttons = tuple[tuple[tuple[str, str], ...], ...]  # rows of (label, callback data)


@dataclass(frozen=True)
class Outgoing:
    """What the bot will send; the Telegram adapter turns `buttons` into an inline keyboard."""

    text: str
    buttons: Buttons = field(default=())


class SendPriority(IntEnum):
    """Who goes first when sends wait for Telegram's limits (lower goes first).

    An urgent incident post or re-page takes the staff group's next free slot, ahead of the
    routine posts queued there; a reply someone is waiting for goes before any reminder;
    reminders fill what is left.
    """

    URGENT = 0
    REPLY = 1
    REMINDER = 2
