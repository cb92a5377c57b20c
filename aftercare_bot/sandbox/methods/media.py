"""Photos and documents: uploads, re-sending by file_id, captions, and getFile."""

from __future__ import annotations

from typing import Any

from ..bot_messages import apply_edit, post_bot_message
from ..errors import (
    CAPTION_TOO_LONG,
    FILE_TOO_BIG,
    FILE_TYPE_MISMATCH,
    NO_CAPTION_TO_EDIT,
    URL_UNREACHABLE,
    WRONG_FILE_ID,
    ApiError,
    bad_request,
)
from ..files import MAX_DOWNLOAD_BYTES, StoredFile, UploadedFile
from ..formatting import MAX_CAPTION, check_length, render_text
from ..keyboards import validate_markup
from ..params import chat_id_param
from ..world import World
from .messages import edit_target, inline_markup
from .registry import Params, handler


def _caption(params: Params) -> dict[str, Any]:
    source = params.get("caption")
    if not isinstance(source, str) or not source:
        return {}
    text, entities = render_text(source, params.get("parse_mode"), params.get("caption_entities"))
    check_length(text, MAX_CAPTION, CAPTION_TOO_LONG)
    content: dict[str, Any] = {"caption": text} if text else {}
    if text and entities:
        content["caption_entities"] = entities
    return content


def _existing(world: World, source: Any, kind: str) -> StoredFile:
    """Resolve a non-upload file reference: a file_id of the right kind."""
    reference = str(source)
    if reference.startswith(("http://", "https://")):
        raise ApiError(400, URL_UNREACHABLE)
    stored = world.files.get(reference)
    if stored is None:
        raise ApiError(400, WRONG_FILE_ID)
    if stored.kind != kind:
        raise ApiError(400, FILE_TYPE_MISMATCH)
    return stored


def _photo_sizes(world: World, source: Any) -> list[StoredFile]:
    if isinstance(source, UploadedFile):
        return world.files.add_photo(source.data)
    stored = _existing(world, source, "photo")
    return world.files.photo_set(stored.file_id) or [stored]


def _document(world: World, source: Any) -> StoredFile:
    if isinstance(source, UploadedFile):
        return world.files.add_document(source.data, source.filename, source.content_type)
    return _existing(world, source, "document")


@handler("sendPhoto")
async def send_photo(world: World, params: Params) -> Any:
    """Send a compressed photo, uploaded or by file_id."""
    chat = world.writable_chat(chat_id_param(params))
    caption = _caption(params)
    validate_markup(params.get("reply_markup"))
    sizes = _photo_sizes(world, params["photo"])
    content = {"photo": [size.photo_size_json() for size in sizes], **caption}
    return post_bot_message(world, chat, "photo", content, params)


@handler("sendDocument")
async def send_document(world: World, params: Params) -> Any:
    """Send a general file, uploaded or by file_id."""
    chat = world.writable_chat(chat_id_param(params))
    caption = _caption(params)
    validate_markup(params.get("reply_markup"))
    stored = _document(world, params["document"])
    content = {"document": stored.document_json(), **caption}
    return post_bot_message(world, chat, "document", content, params)


@handler("editMessageCaption")
async def edit_message_caption(world: World, params: Params) -> Any:
    """Replace the caption of a bot's media message."""
    stored = edit_target(world, params)
    if "text" in stored.payload:
        raise ApiError(400, NO_CAPTION_TO_EDIT)
    caption = _caption(params)
    changes = {
        "caption": caption.get("caption"),
        "caption_entities": caption.get("caption_entities"),
        "reply_markup": inline_markup(params),
    }
    return apply_edit(world, stored, changes)


@handler("getFile")
async def get_file(world: World, params: Params) -> Any:
    """Describe a file and give the path to download it from."""
    stored = world.files.get(str(params["file_id"]))
    if stored is None:
        raise bad_request("wrong file_id or the file is temporarily unavailable")
    if len(stored.data) > MAX_DOWNLOAD_BYTES:
        raise ApiError(400, FILE_TOO_BIG)
    return stored.file_json()
