"""A message ready to leave: rendered HTML text and inline buttons, free of any framework."""

from dataclasses import dataclass, field

Buttons = tuple[tuple[tuple[str, str], ...], ...]  # rows of (label, callback data)


@dataclass(frozen=True)
class Outgoing:
    """What the bot will send; the Telegram adapter turns `buttons` into an inline keyboard."""

    text: str
    buttons: Buttons = field(default=())
