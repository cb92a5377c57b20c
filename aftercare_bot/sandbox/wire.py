"""Reading Bot API requests off the wire: query string, JSON, urlencoded and multipart bodies.

Telegram accepts all four, and python-telegram-bot uses two of them (urlencoded normally,
multipart when uploading), so the simulator must too.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from .errors import ApiError, bad_request
from .files import UploadedFile

MAX_REQUEST_BYTES = 60 * 1024 * 1024


async def read_fields(request: web.Request) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    """Merge query-string and body fields; file parts are returned separately."""
    fields: dict[str, Any] = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if not request.body_exists:
        return fields, files
    if request.content_type == "application/json":
        fields.update(await _json_body(request))
        return fields, files
    form = await request.post()
    for name, value in form.items():
        if isinstance(value, web.FileField):
            files[name] = UploadedFile(
                field=name,
                filename=value.filename,
                content_type=value.content_type,
                data=value.file.read(),
            )
        else:
            fields[name] = value if isinstance(value, str) else value.decode("utf-8", "replace")
    return fields, files


async def _json_body(request: web.Request) -> dict[str, Any]:
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise bad_request("can't parse JSON object") from None
    if not isinstance(body, dict):
        raise bad_request("JSON object expected")
    return body


def api_response(status: int, body: dict[str, Any]) -> web.Response:
    """Render a Bot API answer with Telegram's content type."""
    return web.json_response(body, status=status)


def error_response(error: ApiError) -> web.Response:
    """Render a failed Bot API answer."""
    return api_response(error.status, error.to_json())
