"""Messages the bot creates or changes, shared by the text and media Bot API methods."""

from __future__ import annotations

import copy
from typing import Any

from .chats import SimChat
from .errors import (
    CANT_EDIT,
    DELETE_NOT_FOUND,
    EDIT_NOT_FOUND,
    NOT_MODIFIED,
    ApiError,
    bad_request,
)
from .keyboards import button_labels, is_inline
from .world import StoredMessage, World

REPLY_NOT_FOUND = "message to be replied not found"


def post_bot_message(
    world: World,
    chat: SimChat,
    kind: str,
    content: dict[str, Any],
    params: dict[str, Any],
) -> dict[str, Any]:
    """Store and record a new bot message; `params` supplies reply_markup and reply target."""
    markup = params.get("reply_markup")
    extra: dict[str, Any] = {}
    reply = _reply_target(world, chat, params)
    if reply is not None:
        extra["reply_to_message"] = reply
    if is_inline(markup):
        extra["reply_markup"] = markup
    elif markup:
        _apply_chat_keyboard(chat, markup)
    payload = {
        "message_id": chat.next_message_id(),
        "from": world.bot.to_json(),
        "chat": chat.to_json(),
        "date": world.now(),
        **content,
        **extra,
    }
    world.store(chat, payload, from_bot=True)
    _record(world, chat, kind, payload, markup)
    return copy.deepcopy(payload)


def _record(world: World, chat: SimChat, kind: str, payload: dict[str, Any], markup: Any) -> None:
    world.record(
        chat,
        None,
        kind,
        text=payload.get("text", payload.get("caption")),
        buttons=button_labels(markup),
        message_id=payload["message_id"],
        message=payload,
    )


def _reply_target(world: World, chat: SimChat, params: dict[str, Any]) -> dict[str, Any] | None:
    reply = params.get("reply_parameters") or {}
    message_id = reply.get("message_id") if isinstance(reply, dict) else None
    message_id = message_id or params.get("reply_to_message_id")
    if not message_id:
        return None
    stored = world.message(chat.id, int(message_id))
    if stored is None:
        if isinstance(reply, dict) and reply.get("allow_sending_without_reply"):
            return None
        raise bad_request(REPLY_NOT_FOUND)
    return {k: v for k, v in copy.deepcopy(stored.payload).items() if k != "reply_to_message"}


def _apply_chat_keyboard(chat: SimChat, markup: dict[str, Any]) -> None:
    """Reply keyboards belong to the chat, not the message: they stay until removed."""
    if "keyboard" in markup:
        chat.reply_keyboard = markup
    elif markup.get("remove_keyboard"):
        chat.reply_keyboard = None


def editable_message(world: World, chat: SimChat, message_id: int | None) -> StoredMessage:
    """Find a bot message that may be edited, with Telegram's refusals."""
    if message_id is None:
        raise bad_request("message identifier is not specified")
    stored = world.message(chat.id, message_id)
    if stored is None:
        raise ApiError(400, EDIT_NOT_FOUND)
    if not stored.from_bot:
        raise ApiError(400, CANT_EDIT)
    return stored


def apply_edit(world: World, stored: StoredMessage, changes: dict[str, Any]) -> dict[str, Any]:
    """Apply field changes (None removes a field), refusing edits that change nothing."""
    payload = stored.payload
    if all(payload.get(key) == (value or None) for key, value in changes.items()):
        raise ApiError(400, NOT_MODIFIED)
    for key, value in changes.items():
        if value:
            payload[key] = value
        else:
            payload.pop(key, None)
    payload["edit_date"] = world.now()
    _record(world, stored.chat, "edit", payload, payload.get("reply_markup"))
    return copy.deepcopy(payload)


def delete_message(world: World, chat: SimChat, message_id: int) -> None:
    """Delete any live message in a chat the bot is in (bots may delete both sides)."""
    stored = world.message(chat.id, message_id)
    if stored is None:
        raise ApiError(400, DELETE_NOT_FOUND)
    stored.deleted = True
    world.record(chat, None, "delete", message_id=message_id, message=stored.payload)
