"""Chats of the simulated world: private chats with users, and groups the bot is in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .users import SimUser

PRIVATE = "private"
GROUP = "group"
SUPERGROUP = "supergroup"
BOT_PRESENT = frozenset({"member", "administrator"})
_ACCEPTED_GIFTS = {
    "unlimited_gifts": False,
    "limited_gifts": False,
    "unique_gifts": False,
    "premium_subscription": False,
    "gifts_from_channels": False,
}


@dataclass(eq=False)
class SimChat:
    """A chat the bot can talk in; private chats belong to exactly one SimUser."""

    id: int
    type: str
    title: str | None = None
    username: str | None = None
    user: SimUser | None = None
    members: list[SimUser] = field(default_factory=list)
    owner: SimUser | None = None
    admins: list[SimUser] = field(default_factory=list)
    bot_status: str = "member"
    migrated_to: int | None = None
    reply_keyboard: dict[str, Any] | None = None
    last_message_id: int = 0

    @property
    def is_private(self) -> bool:
        """Whether this is a one-to-one chat between the bot and a user."""
        return self.type == PRIVATE

    @property
    def label(self) -> str:
        """How the chat is named in transcripts."""
        if self.user is not None:
            return self.user.name
        return self.title or str(self.id)

    @property
    def bot_present(self) -> bool:
        """Whether the bot can currently see and write in this chat."""
        return self.bot_status in BOT_PRESENT

    def next_message_id(self) -> int:
        """Allocate a message id; Telegram numbers messages per chat."""
        self.last_message_id += 1
        return self.last_message_id

    def add_member(self, user: SimUser) -> None:
        """Put a user into the group silently (no service message or update)."""
        if user not in self.members:
            self.members.append(user)

    def member_status(self, user: SimUser) -> str:
        """The ChatMember status Telegram would report for `user` here."""
        if self.user is not None:
            return "member" if user is self.user else "left"
        if user is self.owner:
            return "creator"
        if user in self.admins:
            return "administrator"
        return "member" if user in self.members else "left"

    def to_json(self) -> dict[str, Any]:
        """Render the Chat object embedded in messages and updates."""
        if self.user is not None:
            body = {"id": self.id, "type": PRIVATE, "first_name": self.user.first_name}
            body.update(self.user.optional_names())
            return body
        body = {"id": self.id, "type": self.type, "title": self.title or ""}
        if self.username:
            body["username"] = self.username
        return body

    def full_info_json(self) -> dict[str, Any]:
        """Render the ChatFullInfo object getChat returns."""
        body = self.to_json()
        body.update(
            accent_color_id=abs(self.id) % 7,
            max_reaction_count=11,
            accepted_gift_types=dict(_ACCEPTED_GIFTS),
        )
        if not self.is_private:
            body["permissions"] = {"can_send_messages": True, "can_send_photos": True}
        return body
