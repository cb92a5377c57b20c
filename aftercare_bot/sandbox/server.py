"""HTTP routes of the Bot API and file downloads, in Telegram's URL layout."""

from __future__ import annotations

import mimetypes

from aiohttp import web

from .dispatch import Dispatcher
from .errors import NOT_FOUND, UNAUTHORIZED, ApiError
from .files import FileStore
from .wire import MAX_REQUEST_BYTES, api_response, error_response, read_fields


class BotApiRoutes:
    """Serves /bot<token>/<method> and /file/bot<token>/<path> for one bot token."""

    def __init__(self, token: str, dispatcher: Dispatcher, files: FileStore) -> None:
        self._token = token
        self._dispatcher = dispatcher
        self._files = files

    def install(self, app: web.Application) -> None:
        """Add the Bot API routes to `app`."""
        app.router.add_route("*", "/bot{token}/{method}", self.method)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self.download)

    async def method(self, request: web.Request) -> web.StreamResponse:
        """Answer one Bot API method call."""
        if request.match_info["token"] != self._token:
            return error_response(UNAUTHORIZED)
        try:
            fields, files = await read_fields(request)
        except ApiError as error:
            return error_response(error)
        status, body = await self._dispatcher.call(request.match_info["method"], fields, files)
        return api_response(status, body)

    async def download(self, request: web.Request) -> web.StreamResponse:
        """Serve a file's bytes, as api.telegram.org/file/ does."""
        if request.match_info["token"] != self._token:
            return error_response(UNAUTHORIZED)
        stored = self._files.by_path(request.match_info["path"])
        if stored is None:
            return error_response(NOT_FOUND)
        content_type = stored.mime_type or mimetypes.guess_type(stored.file_path)[0]
        return web.Response(
            body=stored.data, content_type=content_type or "application/octet-stream"
        )


async def not_found(request: web.Request) -> web.StreamResponse:
    """Anything else gets Telegram's JSON 404 rather than aiohttp's HTML page."""
    return error_response(NOT_FOUND)


def create_app() -> web.Application:
    """An aiohttp application sized for Telegram's 50 MB upload limit."""
    return web.Application(client_max_size=MAX_REQUEST_BYTES)


def install_fallback(app: web.Application) -> None:
    """Add the catch-all 404; must be the last route installed."""
    app.router.add_route("*", "/{tail:.*}", not_found)
