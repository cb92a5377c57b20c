"""The conversation as a person would have watched it: who did what, where, and when.

Tests assert on it and the demo prints it, so each event keeps both structured fields and a
human-readable rendering.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

BOT = "bot"
MESSAGE_KINDS = frozenset({"text", "photo", "document", "sticker", "location", "contact"})


@dataclass(frozen=True)
class TranscriptEvent:
    """One visible thing that happened in a chat.

    `kind` is one of: text, photo, document, sticker, location, contact (new messages),
    press, answer, edit, delete, block, unblock, join, leave, migrate.
    """

    seq: int
    at: float
    actor: str
    actor_id: int
    chat_id: int
    chat_label: str
    kind: str
    text: str | None = None
    buttons: tuple[tuple[str, ...], ...] = ()
    message_id: int | None = None
    message: dict[str, Any] | None = None
    private: bool = True

    @property
    def from_bot(self) -> bool:
        """Whether the bot (not a simulated user) caused this event."""
        return self.actor == BOT

    @property
    def is_new_message(self) -> bool:
        """Whether this event put a new message into a chat."""
        return self.kind in MESSAGE_KINDS


def format_event(event: TranscriptEvent, stamp: str | None = None) -> str:
    """Render an event as a log line, continuation lines and buttons indented under it.

    The line starts with `stamp`, by default the event's time of day in this machine's zone;
    the demo passes the bot's clock as the patient reads it, in the clinic's zone.
    """
    if stamp is None:
        stamp = datetime.fromtimestamp(event.at, tz=UTC).astimezone().strftime("%H:%M:%S")
    lines = f"{stamp}  {_describe(event)}".split("\n")
    if event.buttons:
        lines.append(" ".join(f"[ {label} ]" for row in event.buttons for label in row))
    return ("\n" + " " * (len(stamp) + 2)).join(lines)


def _describe(event: TranscriptEvent) -> str:
    where = "" if event.private else f" in {event.chat_label}"
    if event.is_new_message:
        target = event.chat_label if event.from_bot or not event.private else BOT
        return f"{event.actor} -> {target}: {_content(event)}"
    if event.kind == "press":
        return f"{event.actor} pressed [ {event.text} ]{where}"
    if event.kind == "answer":
        whose = f"{event.chat_label}'s" if event.private else "a"
        said = f": {event.text}" if event.text else ""
        return f"bot answered {whose} button press{where}{said}"
    if event.kind in ("edit", "delete"):
        verb = "edited" if event.kind == "edit" else "deleted"
        body = f": {event.text}" if event.kind == "edit" and event.text else ""
        return f"bot {verb} message #{event.message_id} in {event.chat_label}{body}"
    if event.kind in ("block", "unblock"):
        return f"{event.actor} {event.kind}ed the bot"
    if event.kind == "migrate":
        return event.text or "group was upgraded to a supergroup"
    return f"{event.actor} {event.text or event.kind}"


def _content(event: TranscriptEvent) -> str:
    text = event.text or ""
    if event.kind == "text":
        return text
    tag = _media_tag(event)
    return f"[{tag}] {text}".rstrip()


def _media_tag(event: TranscriptEvent) -> str:
    message = event.message or {}
    if event.kind == "document":
        name = (message.get("document") or {}).get("file_name")
        return f"document {name}" if name else "document"
    if event.kind == "sticker":
        return f"sticker {(message.get('sticker') or {}).get('emoji', '')}".rstrip()
    if event.kind == "location":
        location = message.get("location") or {}
        return f"location {location.get('latitude')}, {location.get('longitude')}"
    if event.kind == "contact":
        contact = message.get("contact") or {}
        return f"contact {contact.get('phone_number')} {contact.get('first_name', '')}".rstrip()
    return event.kind


class Transcript:
    """Append-only list of events with sequence numbers for "what happened since" queries."""

    def __init__(self) -> None:
        self.events: list[TranscriptEvent] = []

    def add(self, **fields: Any) -> TranscriptEvent:
        """Append an event, assigning the next sequence number."""
        event = TranscriptEvent(seq=len(self.events) + 1, **fields)
        self.events.append(event)
        return event

    def after(self, seq: int) -> list[TranscriptEvent]:
        """Events newer than `seq`, oldest first."""
        return self.events[seq:]

    def lines(self) -> list[str]:
        """Every event rendered, in order."""
        return [format_event(event) for event in self.events]
