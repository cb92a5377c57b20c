"""Text messages: sending, editing, deleting, and answering button presses."""

from __future__ import annotations

from typing import Any

from ..bot_messages import apply_edit, delete_message, editable_message, post_bot_message
from ..errors import (
    INLINE_NOT_SUPPORTED,
    NO_TEXT_TO_EDIT,
    QUERY_TOO_OLD,
    TEXT_EMPTY,
    TEXT_TOO_LONG,
    ApiError,
    bad_request,
)
from ..formatting import MAX_TEXT, check_length, render_text
from ..keyboards import is_inline, validate_markup
from ..params import chat_id_param, optional_int
from ..world import StoredMessage, World
from .registry import Params, handler


def _text_content(params: Params) -> dict[str, Any]:
    source = params.get("text")
    if not isinstance(source, str) or not source:
        raise ApiError(400, TEXT_EMPTY)
    text, entities = render_text(source, params.get("parse_mode"), params.get("entities"))
    if not text:
        raise ApiError(400, TEXT_EMPTY)
    check_length(text, MAX_TEXT, TEXT_TOO_LONG)
    return {"text": text, "entities": entities or None}


def inline_markup(params: Params) -> dict[str, Any] | None:
    """Validate a reply_markup that must be an inline keyboard (edits only allow those)."""
    markup = validate_markup(params.get("reply_markup"))
    if markup is not None and not is_inline(markup):
        raise bad_request("inline keyboard expected")
    return markup


def edit_target(world: World, params: Params) -> StoredMessage:
    """Find the bot message an edit call points at."""
    if params.get("inline_message_id"):
        raise ApiError(400, INLINE_NOT_SUPPORTED)
    chat = world.writable_chat(chat_id_param(params))
    return editable_message(world, chat, optional_int(params, "message_id"))


@handler("sendMessage")
async def send_message(world: World, params: Params) -> Any:
    """Send a text message, with optional HTML formatting and keyboard."""
    chat = world.writable_chat(chat_id_param(params))
    content = {key: value for key, value in _text_content(params).items() if value}
    validate_markup(params.get("reply_markup"))
    return post_bot_message(world, chat, "text", content, params)


@handler("editMessageText")
async def edit_message_text(world: World, params: Params) -> Any:
    """Replace a bot message's text; omitting reply_markup removes its inline keyboard."""
    stored = edit_target(world, params)
    if "text" not in stored.payload:
        raise ApiError(400, NO_TEXT_TO_EDIT)
    changes = {**_text_content(params), "reply_markup": inline_markup(params)}
    return apply_edit(world, stored, changes)


@handler("editMessageReplyMarkup")
async def edit_message_reply_markup(world: World, params: Params) -> Any:
    """Replace or remove a bot message's inline keyboard."""
    stored = edit_target(world, params)
    return apply_edit(world, stored, {"reply_markup": inline_markup(params)})


@handler("deleteMessage")
async def delete(world: World, params: Params) -> Any:
    """Delete a message from a chat."""
    chat = world.find_chat(chat_id_param(params))
    message_id = optional_int(params, "message_id")
    if message_id is None:
        raise bad_request("message identifier is not specified")
    delete_message(world, chat, message_id)
    return True


@handler("answerCallbackQuery")
async def answer_callback_query(world: World, params: Params) -> Any:
    """Acknowledge a button press; late or repeated answers fail as on Telegram."""
    pending = world.callbacks.pop(str(params["callback_query_id"]), None)
    if pending is None or world.monotonic() - pending.created > world.query_max_age:
        raise ApiError(400, QUERY_TOO_OLD)
    world.record(
        pending.chat,
        None,
        "answer",
        text=params.get("text") or None,
        message_id=pending.message_id,
    )
    return True
