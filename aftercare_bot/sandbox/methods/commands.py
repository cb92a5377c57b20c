"""The bot's command menu: commands per scope and language, and the menu button."""

from __future__ import annotations

import json
import re
from typing import Any

from ..errors import bad_request
from ..params import optional_int
from ..world import World
from .registry import Params, handler

MAX_COMMANDS = 100
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_CHAT_SCOPES = frozenset({"chat", "chat_administrators", "chat_member"})
_SCOPES = frozenset(
    {"default", "all_private_chats", "all_group_chats", "all_chat_administrators"} | _CHAT_SCOPES
)
_MENU_TYPES = frozenset({"commands", "web_app", "default"})


def _scope_key(world: World, params: Params) -> tuple[str, str]:
    """Commands are stored per exact (scope, language_code), as getMyCommands reads them."""
    scope = params.get("scope") or {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in _SCOPES:
        raise bad_request("wrong scope type specified")
    scope = dict(scope)
    if scope["type"] in _CHAT_SCOPES:
        scope["chat_id"] = world.find_chat(scope.get("chat_id", "")).id
    language = params.get("language_code") or ""
    return json.dumps(scope, sort_keys=True), str(language)


def _validated_commands(commands: Any) -> list[dict[str, Any]]:
    if not isinstance(commands, list) or len(commands) > MAX_COMMANDS:
        raise bad_request("commands must be an array of at most 100 BotCommand objects")
    cleaned = []
    for command in commands:
        if not isinstance(command, dict) or not _COMMAND.match(str(command.get("command", ""))):
            raise bad_request("BOT_COMMAND_INVALID")
        description = str(command.get("description", "")).strip()
        if not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        cleaned.append({"command": command["command"], "description": description})
    return cleaned


@handler("setMyCommands")
async def set_my_commands(world: World, params: Params) -> Any:
    """Store the command list for one scope and language."""
    world.commands[_scope_key(world, params)] = _validated_commands(params["commands"])
    return True


@handler("getMyCommands")
async def get_my_commands(world: World, params: Params) -> Any:
    """Return exactly what was stored for that scope and language (no fallback)."""
    return list(world.commands.get(_scope_key(world, params), []))


@handler("deleteMyCommands")
async def delete_my_commands(world: World, params: Params) -> Any:
    """Forget the command list of one scope and language."""
    world.commands.pop(_scope_key(world, params), None)
    return True


@handler("setChatMenuButton")
async def set_chat_menu_button(world: World, params: Params) -> Any:
    """Set the menu button of one private chat, or the default one."""
    button = params.get("menu_button") or {"type": "default"}
    if not isinstance(button, dict) or button.get("type") not in _MENU_TYPES:
        raise bad_request("unsupported menu button type")
    chat_id = optional_int(params, "chat_id")
    if chat_id is not None:
        world.find_chat(chat_id)
    world.menu_buttons[chat_id] = button
    return True


@handler("getChatMenuButton")
async def get_chat_menu_button(world: World, params: Params) -> Any:
    """The menu button of a chat, or the bot-wide default."""
    chat_id = optional_int(params, "chat_id")
    if chat_id is not None:
        world.find_chat(chat_id)
        return world.menu_buttons.get(chat_id, {"type": "default"})
    return world.menu_buttons.get(None, {"type": "commands"})
