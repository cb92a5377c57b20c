"""Simulated people: what they can do to the bot, and waiting for what it does back.

Every action produces the exact update a real client would cause, records a transcript
event, and moves the user's "seen" cursor so `wait_for_reply` only returns newer replies.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from .chats import PRIVATE, SimChat
from .entities import detect_entities
from .keyboards import button_labels, find_inline_button

if TYPE_CHECKING:
    from .transcript import TranscriptEvent
    from .world import World

DEFAULT_STICKER = b"RIFF\x1a\x00\x00\x00WEBPVP8 \x0e\x00\x00\x00sim-sticker"


class SimUser:
    """A Telegram user driven by tests or the demo."""

    def __init__(
        self,
        world: World,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        started: bool = False,
    ) -> None:
        self._world = world
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        self.started = started
        self.blocked_bot = False
        self.private_chat = SimChat(id=user_id, type=PRIVATE, user=self)
        self._seen = 0
        self._last_chat = self.private_chat

    def __repr__(self) -> str:
        return f"SimUser(id={self.id}, name={self.name!r})"

    @property
    def name(self) -> str:
        """Display name used in transcripts."""
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name

    @property
    def reply_keyboard(self) -> tuple[tuple[str, ...], ...] | None:
        """Labels of the custom keyboard the bot currently shows in her private chat."""
        markup = self.private_chat.reply_keyboard
        return button_labels(markup) if markup else None

    def optional_names(self) -> dict[str, Any]:
        """Fields shared by this user's User and private Chat objects, when set."""
        names = {"last_name": self.last_name, "username": self.username}
        return {key: value for key, value in names.items() if value}

    def to_json(self) -> dict[str, Any]:
        """Render the User object Telegram puts in `from` fields."""
        body: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        body.update(self.optional_names())
        if self.language_code:
            body["language_code"] = self.language_code
        return body

    async def send(
        self, text: str, *, chat: SimChat | None = None, reply_to: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Type `text` (commands get bot_command entities) in her private chat or `chat`."""
        content: dict[str, Any] = {"text": text}
        entities = detect_entities(text)
        if entities:
            content["entities"] = entities
        return self._post(chat, "text", content, text, reply_to)

    async def send_photo(
        self,
        data: bytes,
        *,
        caption: str | None = None,
        chat: SimChat | None = None,
        reply_to: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Send a picture; Telegram stores it as several PhotoSize entries."""
        sizes = self._world.files.add_photo(data)
        content: dict[str, Any] = {"photo": [size.photo_size_json() for size in sizes]}
        return self._post(chat, "photo", _with_caption(content, caption), caption, reply_to)

    async def send_document(
        self,
        data: bytes,
        *,
        file_name: str = "document.bin",
        mime_type: str | None = None,
        caption: str | None = None,
        chat: SimChat | None = None,
        reply_to: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Send a file "as a file" (uncompressed), e.g. a full-resolution scalp photo."""
        stored = self._world.files.add_document(data, file_name, mime_type)
        content = _with_caption({"document": stored.document_json()}, caption)
        return self._post(chat, "document", content, caption, reply_to)

    async def send_sticker(
        self, emoji: str = "👍", *, chat: SimChat | None = None
    ) -> dict[str, Any]:
        """Send a regular static sticker."""
        stored = self._world.files.add_sticker(DEFAULT_STICKER)
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": len(stored.data),
        }
        return self._post(chat, "sticker", {"sticker": sticker}, None)

    async def send_location(
        self, latitude: float, longitude: float, *, chat: SimChat | None = None
    ) -> dict[str, Any]:
        """Share a point on the map."""
        location = {"latitude": latitude, "longitude": longitude}
        return self._post(chat, "location", {"location": location}, None)

    async def send_contact(
        self,
        phone_number: str,
        *,
        first_name: str | None = None,
        chat: SimChat | None = None,
    ) -> dict[str, Any]:
        """Share a contact; without `first_name` she shares her own (user_id included)."""
        contact: dict[str, Any] = {"phone_number": phone_number}
        if first_name is None:
            contact.update(first_name=self.first_name, user_id=self.id)
        else:
            contact["first_name"] = first_name
        return self._post(chat, "contact", {"contact": contact}, None)

    async def press(self, message: dict[str, Any], label: str) -> str:
        """Press the inline button labelled `label`; returns the callback query id."""
        return self._press(message, label=label)

    async def press_data(self, message: dict[str, Any], data: str) -> str:
        """Press the inline button carrying callback `data`; returns the query id."""
        return self._press(message, data=data)

    async def forge_press(self, message: dict[str, Any], data: str) -> str:
        """Send callback `data` for a message that has no such button, as a modified client can."""
        return self._press(message, forged={"text": "(forged)", "callback_data": data})

    async def block_bot(self) -> None:
        """Block the bot: its sends now fail with 403 and it gets a my_chat_member update."""
        self._change_block(blocked=True)

    async def unblock_bot(self) -> None:
        """Unblock (restart) the bot, which again gets a my_chat_member update."""
        self._change_block(blocked=False)

    async def add_bot_to(self, group: SimChat) -> None:
        """Add the bot to a group she is in, as a client does (membership update + message)."""
        world = self._world
        self._check_can_post(group)
        old = group.bot_status
        group.bot_status = "member"
        world.push_bot_membership(group, self.to_json(), old, "member")
        payload = self._new_message(group, {"new_chat_members": [world.bot.to_json()]})
        world.updates.push("message", payload)
        self._mark(world.record(group, self, "join", text=f"added the bot to {group.label}"))

    async def wait_for_reply(
        self,
        timeout: float = 5.0,  # noqa: ASYNC109 - on expiry the error shows the transcript tail
        *,
        chat: SimChat | None = None,
    ) -> dict[str, Any]:
        """Wait for the next new bot message in `chat` (default: where she last acted)."""
        replies = await self.wait_for_replies(1, timeout, chat=chat)
        return replies[0]

    async def wait_for_replies(
        self,
        count: int,
        timeout: float = 5.0,  # noqa: ASYNC109 - see wait_for_reply
        *,
        chat: SimChat | None = None,
    ) -> list[dict[str, Any]]:
        """Wait until the bot has sent `count` new messages since her last action or reply."""
        target = chat or self._last_chat

        def check() -> list[TranscriptEvent] | None:
            found = [
                event
                for event in self._world.transcript.after(self._seen)
                if event.from_bot and event.is_new_message and event.chat_id == target.id
            ]
            return found[:count] if len(found) >= count else None

        try:
            events = await self._world.changed.wait_until(check, timeout)
        except TimeoutError:
            raise TimeoutError(self._timeout_message(count, target, timeout)) from None
        self._seen = events[-1].seq
        return [copy.deepcopy(event.message or {}) for event in events]

    def _timeout_message(self, count: int, chat: SimChat, timeout: float) -> str:
        recent = "\n".join(self._world.transcript.lines()[-12:]) or "(empty)"
        return (
            f"{self.name} got fewer than {count} bot message(s) in {chat.label} "
            f"within {timeout}s. Transcript tail:\n{recent}"
        )

    def _post(
        self,
        chat: SimChat | None,
        kind: str,
        content: dict[str, Any],
        text: str | None,
        reply_to: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        world = self._world
        target = chat or self.private_chat
        self._check_can_post(target)
        if target.is_private:
            self.started = True
        if reply_to is not None:
            content = {**content, "reply_to_message": _snapshot(reply_to)}
        payload = self._new_message(target, content)
        event = world.record(
            target, self, kind, text=text, message_id=payload["message_id"], message=payload
        )
        if self._bot_sees(target, payload, text):
            world.updates.push("message", payload)
        self._mark(event)
        return copy.deepcopy(payload)

    def _new_message(self, chat: SimChat, content: dict[str, Any]) -> dict[str, Any]:
        payload = {
            "message_id": chat.next_message_id(),
            "from": self.to_json(),
            "chat": chat.to_json(),
            "date": self._world.now(),
            **content,
        }
        self._world.store(chat, payload, from_bot=False)
        return payload

    def _bot_sees(self, chat: SimChat, payload: dict[str, Any], text: str | None) -> bool:
        """Privacy mode: in groups the bot only gets commands, mentions and replies to it."""
        if chat.is_private:
            return True
        bot = self._world.bot
        if not chat.bot_present:
            return False
        if chat.bot_status == "administrator" or not bot.privacy_mode:
            return True
        replied = payload.get("reply_to_message", {}).get("from", {}).get("id")
        body = text or ""
        return body.startswith("/") or f"@{bot.username}" in body or replied == bot.id

    def _check_can_post(self, chat: SimChat) -> None:
        if chat.is_private:
            if chat is not self.private_chat:
                raise ValueError(f"{self.name} cannot write in {chat.label}'s private chat")
            if self.blocked_bot:
                raise RuntimeError(f"{self.name} has blocked the bot; call unblock_bot() first")
            return
        if chat.migrated_to is not None:
            raise ValueError(f"{chat.label} was upgraded; use chat {chat.migrated_to}")
        if chat.member_status(self) == "left":
            raise ValueError(f"{self.name} is not a member of {chat.label}")

    def _press(
        self,
        message: dict[str, Any],
        *,
        label: str | None = None,
        data: str | None = None,
        forged: dict[str, Any] | None = None,
    ) -> str:
        world = self._world
        stored = world.message(int(message["chat"]["id"]), int(message["message_id"]))
        if stored is None:
            raise LookupError(f"message {message.get('message_id')} no longer exists")
        self._check_can_post(stored.chat)
        button = forged or find_inline_button(stored.payload, label=label, data=data)
        if "callback_data" not in button:
            raise ValueError(f"button {button.get('text')!r} is not a callback button")
        query_id = world.push_callback_query(self, stored, button)
        event = world.record(
            stored.chat, self, "press", text=str(button["text"]), message_id=stored.message_id
        )
        self._mark(event)
        return query_id

    def _change_block(self, *, blocked: bool) -> None:
        if self.blocked_bot == blocked:
            return
        self.blocked_bot = blocked
        old, new = ("member", "kicked") if blocked else ("kicked", "member")
        self._world.push_bot_membership(self.private_chat, self.to_json(), old, new)
        event = self._world.record(self.private_chat, self, "block" if blocked else "unblock")
        self._mark(event)

    def _mark(self, event: TranscriptEvent) -> None:
        """Later replies count only if they come after this action."""
        self._seen = event.seq
        self._last_chat = self._world.chats.get(event.chat_id, self.private_chat)


def _with_caption(content: dict[str, Any], caption: str | None) -> dict[str, Any]:
    if caption:
        content["caption"] = caption
        entities = detect_entities(caption)
        if entities:
            content["caption_entities"] = entities
    return content


def _snapshot(message: dict[str, Any]) -> dict[str, Any]:
    """Replied-to messages are embedded one level deep only, as in Telegram."""
    return {
        key: value for key, value in copy.deepcopy(message).items() if key != "reply_to_message"
    }
