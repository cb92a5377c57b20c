"""The control API over HTTP (/_sim/...), so a person can drive a running simulator with curl.

Deliberately thin: each route parses its input, calls the Python control API, and returns
JSON. A mistake in the input (unknown user, missing field, bad base64...) comes back as
{"ok": false, "error": "..."} with a 4xx status, so whoever typed the curl command can see
what to change; only a bug in the simulator itself answers 500, and still in JSON.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .chats import SimChat
from .users import SimUser

if TYPE_CHECKING:
    from .simulator import TelegramSimulator

Route = Callable[[web.Request], Awaitable[Any]]

_log = logging.getLogger(__name__)


class ControlError(Exception):
    """A control request that cannot be carried out, answered with `status` and the message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Upload:
    """A file a user sends, read from a JSON body (base64 `data`) or a multipart form."""

    fields: dict[str, Any]
    data: bytes
    filename: str | None = None
    content_type: str | None = None


class ControlRoutes:
    """Routes under /_sim/ bound to one simulator."""

    def __init__(self, sim: TelegramSimulator) -> None:
        self._sim = sim

    def install(self, app: web.Application) -> None:
        """Add the control routes to `app`."""
        routes: list[tuple[str, str, Route]] = [
            ("GET", "/_sim/state", self.state),
            ("GET", "/_sim/transcript", self.transcript),
            ("POST", "/_sim/users", self.add_user),
            ("POST", "/_sim/groups", self.add_group),
            ("POST", "/_sim/users/{user_id}/send", self.send),
            ("POST", "/_sim/users/{user_id}/photo", self.photo),
            ("POST", "/_sim/users/{user_id}/document", self.document),
            ("POST", "/_sim/users/{user_id}/press", self.press),
            ("POST", "/_sim/users/{user_id}/block", self.block),
            ("POST", "/_sim/users/{user_id}/unblock", self.unblock),
            ("POST", "/_sim/users/{user_id}/wait_for_reply", self.wait_for_reply),
            ("GET", "/_sim/chats/{chat_id}/messages", self.messages),
        ]
        for method, path, route in routes:
            app.router.add_route(method, path, _json_route(route))

    async def state(self, request: web.Request) -> Any:
        """Bot identity, URLs, users and groups."""
        world = self._sim.world
        return {
            "base_url": self._sim.base_url,
            "base_file_url": self._sim.base_file_url,
            "bot": world.bot.get_me_json(),
            "users": [_user_json(user) for user in world.users.values()],
            "groups": [c.to_json() for c in world.chats.values() if not c.is_private],
            "pending_updates": self._sim.pending_updates,
        }

    async def transcript(self, request: web.Request) -> Any:
        """The conversation as readable lines."""
        return self._sim.transcript_lines()

    async def add_user(self, request: web.Request) -> Any:
        """Create a user: {"first_name", "last_name"?, "username"?, "language_code"?}."""
        body = await _body(request)
        user = self._sim.add_user(
            _required_str(body, "first_name"),
            last_name=_optional_str(body, "last_name"),
            username=_optional_str(body, "username"),
            language_code=_optional_str(body, "language_code") or "en",
        )
        return _user_json(user)

    async def add_group(self, request: web.Request) -> Any:
        """Create a group: {"title", "member_ids"?, "type"?, "username"?}."""
        body = await _body(request)
        member_ids = body.get("member_ids", [])
        if not isinstance(member_ids, list):
            raise ControlError(400, '"member_ids" must be a list of user ids')
        members = [self._user_by_id(uid, "member_ids") for uid in member_ids]
        group = self._sim.add_group(
            _required_str(body, "title"),
            members,
            username=_optional_str(body, "username"),
            type=_optional_str(body, "type") or "supergroup",
        )
        return group.to_json()

    async def send(self, request: web.Request) -> Any:
        """A user types text: {"text", "chat_id"?, "reply_to_message_id"?}."""
        user, body = self._user(request), await _body(request)
        chat = self._chat(body)
        return await user.send(
            _required_str(body, "text"), chat=chat, reply_to=self._reply_to(body, user, chat)
        )

    async def photo(self, request: web.Request) -> Any:
        """A user sends a picture: {"data" (base64), "caption"?, "chat_id"?,
        "reply_to_message_id"?}, or the same as a multipart form with the file in any part."""
        user, upload = self._user(request), await _upload(request)
        chat = self._chat(upload.fields)
        return await user.send_photo(
            upload.data,
            caption=_optional_str(upload.fields, "caption"),
            chat=chat,
            reply_to=self._reply_to(upload.fields, user, chat),
        )

    async def document(self, request: web.Request) -> Any:
        """A user sends a file "as a file": like /photo, plus "file_name"? and "mime_type"?
        (a multipart part's own file name and type are used when these are absent)."""
        user, upload = self._user(request), await _upload(request)
        chat = self._chat(upload.fields)
        return await user.send_document(
            upload.data,
            file_name=_optional_str(upload.fields, "file_name")
            or upload.filename
            or "document.bin",
            mime_type=_optional_str(upload.fields, "mime_type") or upload.content_type,
            caption=_optional_str(upload.fields, "caption"),
            chat=chat,
            reply_to=self._reply_to(upload.fields, user, chat),
        )

    async def press(self, request: web.Request) -> Any:
        """A user presses a button: {"message_id", "chat_id"?, "label" | "data"}."""
        user, body = self._user(request), await _body(request)
        chat = self._chat(body) or user.private_chat
        message = {"chat": {"id": chat.id}, "message_id": _required_int(body, "message_id")}
        if "data" in body:
            query_id = await user.press_data(message, _required_str(body, "data"))
        elif "label" in body:
            query_id = await user.press(message, _required_str(body, "label"))
        else:
            raise ControlError(400, 'missing "label" (the button\'s text) or "data"')
        return {"callback_query_id": query_id}

    async def block(self, request: web.Request) -> Any:
        """A user blocks the bot."""
        await self._user(request).block_bot()
        return True

    async def unblock(self, request: web.Request) -> Any:
        """A user unblocks the bot."""
        await self._user(request).unblock_bot()
        return True

    async def wait_for_reply(self, request: web.Request) -> Any:
        """Wait for the bot's next message to the user: {"timeout"?, "chat_id"?}."""
        user, body = self._user(request), await _body(request)
        timeout = body.get("timeout", 5.0)
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout < 0:
            raise ControlError(400, '"timeout" must be a number of seconds, e.g. 10')
        return await user.wait_for_reply(float(timeout), chat=self._chat(body))

    async def messages(self, request: web.Request) -> Any:
        """Bot messages currently visible in a chat."""
        return self._sim.messages_in(_id(request.match_info["chat_id"], "chat id"))

    def _user(self, request: web.Request) -> SimUser:
        return self._user_by_id(request.match_info["user_id"], "user id")

    def _user_by_id(self, raw: Any, what: str) -> SimUser:
        user_id = _id(raw, what)
        user = self._sim.world.users.get(user_id)
        if user is None:
            raise ControlError(404, f"no user {user_id} (GET /_sim/state lists them)")
        return user

    def _chat(self, body: dict[str, Any]) -> SimChat | None:
        if body.get("chat_id") is None:
            return None
        chat_id = _required_int(body, "chat_id")
        chat = self._sim.world.chats.get(chat_id)
        if chat is None:
            raise ControlError(404, f"no chat {chat_id} (GET /_sim/state lists the groups)")
        return chat

    def _reply_to(
        self, body: dict[str, Any], user: SimUser, chat: SimChat | None
    ) -> dict[str, Any] | None:
        """The message that `reply_to_message_id` names, in the chat the user writes in."""
        if body.get("reply_to_message_id") is None:
            return None
        message_id = _required_int(body, "reply_to_message_id")
        target = chat or user.private_chat
        stored = self._sim.world.message(target.id, message_id)
        if stored is None:
            raise ControlError(404, f"no message {message_id} in chat {target.id} to reply to")
        return stored.payload


def _user_json(user: SimUser) -> dict[str, Any]:
    return {**user.to_json(), "blocked_bot": user.blocked_bot, "started": user.started}


async def _body(request: web.Request) -> dict[str, Any]:
    """The JSON object sent, whatever Content-Type claims: `curl -d` says urlencoded."""
    if not request.body_exists:
        return {}
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise ControlError(400, "request body must be a JSON object") from None
    if not isinstance(body, dict):
        raise ControlError(400, "request body must be a JSON object")
    return body


async def _upload(request: web.Request) -> Upload:
    """Read a file from a multipart form (`curl -F photo=@x.jpg`) or JSON with base64 `data`."""
    if request.content_type != "multipart/form-data":
        body = await _body(request)
        encoded = _required_str(body, "data")
        try:
            data = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise ControlError(400, '"data" is not valid base64') from None
        return Upload(fields=body, data=_not_empty(data))
    form = await request.post()
    fields: dict[str, Any] = {}
    files: list[web.FileField] = []
    for name, value in form.items():
        if isinstance(value, web.FileField):
            files.append(value)
        else:
            fields[name] = value if isinstance(value, str) else value.decode("utf-8", "replace")
    if len(files) != 1:
        raise ControlError(400, "expected exactly one file part, e.g. curl -F photo=@scalp.jpg")
    part = files[0]
    return Upload(
        fields=fields,
        data=_not_empty(part.file.read()),
        filename=part.filename or None,
        content_type=part.content_type if part.content_type != "application/octet-stream" else None,
    )


def _not_empty(data: bytes) -> bytes:
    if not data:
        raise ControlError(400, "the file is empty")
    return data


def _id(raw: Any, what: str) -> int:
    """A Telegram id from a path segment or a JSON value: an integer, possibly negative."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str):
        try:
            return int(raw)
        except ValueError:
            pass
    raise ControlError(400, f"{what} {raw!r} is not a number")


def _required_int(body: dict[str, Any], key: str) -> int:
    if body.get(key) is None:
        raise ControlError(400, f'missing "{key}"')
    return _id(body[key], f'"{key}"')


def _required_str(body: dict[str, Any], key: str) -> str:
    value = _optional_str(body, key)
    if value is None:
        raise ControlError(400, f'missing "{key}"')
    return value


def _optional_str(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise ControlError(400, f'"{key}" must be a string')
    return value


def _json_route(route: Route) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Wrap a route so results and mistakes come back as {"ok", "result" | "error"} JSON."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            result = await route(request)
        except ControlError as error:
            return _error(error.status, str(error))
        except TimeoutError as error:
            return _error(408, str(error))
        except LookupError as error:  # e.g. pressing a message that was deleted
            return _error(404, str(error).strip("'\""))
        except (ValueError, RuntimeError) as error:  # e.g. writing after blocking the bot
            return _error(400, str(error))
        except web.HTTPException as error:  # e.g. an upload over the size limit
            return _error(error.status, error.reason)
        except Exception as error:
            _log.exception("control route %s failed", request.path)
            return _error(500, f"simulator bug: {type(error).__name__}: {error}")
        return web.json_response({"ok": True, "result": result})

    return wrapped


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"ok": False, "error": message}, status=status)
