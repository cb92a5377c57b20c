"""Everything the simulated Telegram knows: the bot, users, chats, messages and the queue.

Both sides mutate it: Bot API handlers (the bot acting) and SimUser actions (people acting).
Every visible change is recorded in the transcript and wakes waiters.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from .chats import GROUP, SUPERGROUP, SimChat
from .errors import (
    BLOCKED,
    CANT_INITIATE,
    CHAT_NOT_FOUND,
    USER_NOT_FOUND,
    ApiError,
    forbidden,
    migrated,
)
from .files import FileStore
from .notifier import ChangeNotifier
from .transcript import BOT, Transcript, TranscriptEvent
from .updates import UpdateQueue

if TYPE_CHECKING:
    from .users import SimUser

FIRST_USER_ID = 700_000_001
FIRST_GROUP_ID = -4_100_000_001
FIRST_SUPERGROUP_ID = -1_002_100_000_001


@dataclass(frozen=True)
class BotIdentity:
    """Who the bot is, as getMe and every message's `from` field say."""

    id: int
    first_name: str
    username: str
    privacy_mode: bool = True

    def to_json(self) -> dict[str, Any]:
        """Render the bot as the User object inside messages."""
        return {
            "id": self.id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }

    def get_me_json(self) -> dict[str, Any]:
        """Render the richer User object getMe returns."""
        return {
            **self.to_json(),
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }


@dataclass
class StoredMessage:
    """A message as it currently looks in its chat (edits applied)."""

    chat: SimChat
    payload: dict[str, Any]
    from_bot: bool
    deleted: bool = False

    @property
    def message_id(self) -> int:
        """The message's id within its chat."""
        return int(self.payload["message_id"])


@dataclass
class PendingCallback:
    """A button press waiting for answerCallbackQuery."""

    id: str
    user: SimUser
    chat: SimChat
    message_id: int
    created: float
    label: str


class ApiCall(NamedTuple):
    """One Bot API request as the server saw it."""

    at: float
    method: str
    params: dict[str, Any]
    status: int
    error: str | None


class World:
    """Shared state of one simulator instance."""

    def __init__(
        self,
        bot: BotIdentity,
        clock: Callable[[], float],
        monotonic: Callable[[], float],
        query_max_age: float,
    ) -> None:
        self.bot = bot
        self.query_max_age = query_max_age
        self.clock = clock
        self.monotonic = monotonic
        self.users: dict[int, SimUser] = {}
        self.chats: dict[int, SimChat] = {}
        self.messages: dict[tuple[int, int], StoredMessage] = {}
        self.callbacks: dict[str, PendingCallback] = {}
        self.files = FileStore()
        self.changed = ChangeNotifier()
        self.updates = UpdateQueue(self.changed)
        self.transcript = Transcript()
        self.api_calls: list[ApiCall] = []
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self.webhook: dict[str, Any] = {"url": "", "has_custom_certificate": False}
        self._user_ids = itertools.count(FIRST_USER_ID)
        self._group_ids = itertools.count(FIRST_GROUP_ID, -1)
        self._supergroup_ids = itertools.count(FIRST_SUPERGROUP_ID, -1)
        self._callback_ids = itertools.count(4_242_000_000_000_000_001)

    def now(self) -> int:
        """Unix time for message dates, from the injectable clock."""
        return int(self.clock())

    def next_user_id(self) -> int:
        """Allocate a unique positive user id."""
        return next(self._user_ids)

    def next_chat_id(self, chat_type: str) -> int:
        """Allocate a group id in the style Telegram uses for that chat type."""
        return next(self._supergroup_ids if chat_type == SUPERGROUP else self._group_ids)

    def register_user(self, user: SimUser) -> None:
        """Make a user (and their private chat) known to the bot's Telegram."""
        self.users[user.id] = user
        self.chats[user.id] = user.private_chat

    def register_chat(self, chat: SimChat) -> None:
        """Make a group known."""
        self.chats[chat.id] = chat

    def find_chat(self, chat_id: int | str) -> SimChat:
        """Resolve a chat_id (number or @username) or fail with "chat not found"."""
        chat = None
        if isinstance(chat_id, int):
            chat = self.chats.get(chat_id)
        elif chat_id.startswith("@"):
            wanted = chat_id[1:].lower()
            chat = next(
                (c for c in self.chats.values() if (c.username or "").lower() == wanted), None
            )
        if chat is None:
            raise ApiError(400, CHAT_NOT_FOUND)
        return chat

    def writable_chat(self, chat_id: int | str) -> SimChat:
        """Resolve a chat the bot wants to write to, applying Telegram's refusals."""
        chat = self.find_chat(chat_id)
        if chat.migrated_to is not None:
            raise migrated(chat.migrated_to)
        if chat.user is not None:
            if chat.user.blocked_bot:
                raise forbidden(BLOCKED)
            if not chat.user.started:
                raise forbidden(CANT_INITIATE)
        elif not chat.bot_present:
            kind = "group" if chat.type == GROUP else chat.type
            if chat.bot_status == "kicked":
                raise forbidden(f"Forbidden: bot was kicked from the {kind} chat")
            raise forbidden(f"Forbidden: bot is not a member of the {kind} chat")
        return chat

    def find_user(self, user_id: int) -> SimUser:
        """Resolve a user id or fail with "user not found"."""
        user = self.users.get(user_id)
        if user is None:
            raise ApiError(400, USER_NOT_FOUND)
        return user

    def store(self, chat: SimChat, payload: dict[str, Any], from_bot: bool) -> StoredMessage:
        """Keep a message so it can later be edited, deleted or pressed."""
        stored = StoredMessage(chat=chat, payload=payload, from_bot=from_bot)
        self.messages[(chat.id, payload["message_id"])] = stored
        return stored

    def message(self, chat_id: int, message_id: int) -> StoredMessage | None:
        """A live (not deleted) message, or None."""
        stored = self.messages.get((chat_id, message_id))
        return None if stored is None or stored.deleted else stored

    def messages_in(self, chat_id: int, *, from_bot: bool = True) -> list[dict[str, Any]]:
        """Live messages of a chat, oldest first, as copies safe to keep."""
        found = [
            s
            for (cid, _), s in self.messages.items()
            if cid == chat_id and s.from_bot == from_bot and not s.deleted
        ]
        found.sort(key=lambda s: int(s.payload["message_id"]))
        return [copy.deepcopy(s.payload) for s in found]

    def record(
        self, chat: SimChat, actor: SimUser | None, kind: str, **fields: Any
    ) -> TranscriptEvent:
        """Append a transcript event and wake everyone waiting on the conversation."""
        message = fields.pop("message", None)
        event = self.transcript.add(
            at=self.clock(),
            actor=actor.name if actor is not None else BOT,
            actor_id=actor.id if actor is not None else self.bot.id,
            chat_id=chat.id,
            chat_label=chat.label,
            private=chat.is_private,
            message=copy.deepcopy(message),
            kind=kind,
            **fields,
        )
        self.changed.notify()
        return event

    def push_callback_query(
        self, user: SimUser, stored: StoredMessage, button: dict[str, Any]
    ) -> str:
        """Queue the callback_query a press causes and remember it until answered."""
        query_id = str(next(self._callback_ids))
        self.callbacks[query_id] = PendingCallback(
            id=query_id,
            user=user,
            chat=stored.chat,
            message_id=stored.message_id,
            created=self.monotonic(),
            label=str(button["text"]),
        )
        self.updates.push(
            "callback_query",
            {
                "id": query_id,
                "from": user.to_json(),
                "message": stored.payload,
                "chat_instance": chat_instance(stored.chat.id),
                "data": button["callback_data"],
            },
        )
        return query_id

    def push_bot_membership(self, chat: SimChat, actor: dict[str, Any], old: str, new: str) -> None:
        """Queue the my_chat_member update Telegram sends when the bot's status changes."""
        self.updates.push(
            "my_chat_member",
            {
                "chat": chat.to_json(),
                "from": actor,
                "date": self.now(),
                "old_chat_member": self._bot_member(old),
                "new_chat_member": self._bot_member(new),
            },
        )

    def _bot_member(self, status: str) -> dict[str, Any]:
        body: dict[str, Any] = {"status": status, "user": self.bot.to_json()}
        if status == "kicked":
            body["until_date"] = 0
        return body

    def log_call(self, call: ApiCall) -> None:
        """Remember a Bot API request and wake waiters interested in calls."""
        self.api_calls.append(call)
        self.changed.notify()

    def migrate_group(self, chat: SimChat) -> SimChat:
        """Upgrade a group to a supergroup, as Telegram does when a group grows or changes."""
        if chat.is_private:
            raise ValueError("only groups can be migrated")
        new = SimChat(
            id=self.next_chat_id(SUPERGROUP),
            type=SUPERGROUP,
            title=chat.title,
            username=chat.username,
            members=list(chat.members),
            owner=chat.owner,
            admins=list(chat.admins),
            bot_status=chat.bot_status,
        )
        self.register_chat(new)
        chat.migrated_to = new.id
        self._migration_service_messages(chat, new)
        self.record(chat, None, "migrate", text=f"{chat.label} was upgraded to supergroup {new.id}")
        return new

    def _migration_service_messages(self, old: SimChat, new: SimChat) -> None:
        actor = old.owner or (old.members[0] if old.members else None)
        base: dict[str, Any] = {"date": self.now()}
        if actor is not None:
            base["from"] = actor.to_json()
        if old.bot_present:
            self.updates.push(
                "message",
                {
                    **base,
                    "message_id": old.next_message_id(),
                    "chat": old.to_json(),
                    "migrate_to_chat_id": new.id,
                },
            )
            self.updates.push(
                "message",
                {
                    **base,
                    "message_id": new.next_message_id(),
                    "chat": new.to_json(),
                    "migrate_from_chat_id": old.id,
                },
            )


def chat_instance(chat_id: int) -> str:
    """A stable opaque chat_instance for callback queries from this chat."""
    return str(abs(chat_id) * 7919 + 5_000_000_000_000_000_000)
