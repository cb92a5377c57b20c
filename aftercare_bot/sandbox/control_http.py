"""The control API over HTTP (/_sim/...), so a person can drive a running simulator with curl.

Deliberately thin: each route parses JSON, calls the Python control API, and returns JSON.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .chats import SimChat
from .users import SimUser

if TYPE_CHECKING:
    from .simulator import TelegramSimulator

Route = Callable[[web.Request], Awaitable[Any]]


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
            str(body["first_name"]),
            last_name=body.get("last_name"),
            username=body.get("username"),
            language_code=body.get("language_code", "en"),
        )
        return _user_json(user)

    async def add_group(self, request: web.Request) -> Any:
        """Create a group: {"title", "member_ids"?, "type"?, "username"?}."""
        body = await _body(request)
        members = [self._sim.user(int(uid)) for uid in body.get("member_ids", [])]
        group = self._sim.add_group(
            str(body["title"]),
            members,
            username=body.get("username"),
            type=body.get("type", "supergroup"),
        )
        return group.to_json()

    async def send(self, request: web.Request) -> Any:
        """A user types text: {"text", "chat_id"?}."""
        user, body = self._user(request), await _body(request)
        return await user.send(str(body["text"]), chat=self._chat(body))

    async def press(self, request: web.Request) -> Any:
        """A user presses a button: {"message_id", "chat_id"?, "label" | "data"}."""
        user, body = self._user(request), await _body(request)
        chat = self._chat(body) or user.private_chat
        message = {"chat": {"id": chat.id}, "message_id": int(body["message_id"])}
        if "data" in body:
            query_id = await user.press_data(message, str(body["data"]))
        else:
            query_id = await user.press(message, str(body["label"]))
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
        """Wait for the bot's next message to the user: {"timeout"?}."""
        body = await _body(request)
        return await self._user(request).wait_for_reply(float(body.get("timeout", 5.0)))

    async def messages(self, request: web.Request) -> Any:
        """Bot messages currently visible in a chat."""
        return self._sim.messages_in(int(request.match_info["chat_id"]))

    def _user(self, request: web.Request) -> SimUser:
        return self._sim.user(int(request.match_info["user_id"]))

    def _chat(self, body: dict[str, Any]) -> SimChat | None:
        chat_id = body.get("chat_id")
        return None if chat_id is None else self._sim.chat(int(chat_id))


def _user_json(user: SimUser) -> dict[str, Any]:
    return {**user.to_json(), "blocked_bot": user.blocked_bot, "started": user.started}


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.body_exists:
        return {}
    try:
        body = await request.json()
    except json.JSONDecodeError:
        raise ValueError("request body must be a JSON object") from None
    if not isinstance(body, dict):
        raise ValueError("request body must be a JSON object")
    return body


def _json_route(route: Route) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Wrap a route so results and mistakes come back as {"ok", "result" | "error"} JSON."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            result = await route(request)
        except TimeoutError as error:
            return web.json_response({"ok": False, "error": str(error)}, status=408)
        except (LookupError, ValueError, RuntimeError) as error:
            return web.json_response({"ok": False, "error": str(error)}, status=400)
        return web.json_response({"ok": True, "result": result})

    return wrapped
