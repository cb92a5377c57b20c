"""Chat information and membership: what a bot checks before trusting a group."""

from __future__ import annotations

from typing import Any

from ..chats import GROUP, SimChat
from ..errors import PRIVATE_CHAT_LEAVE, bad_request, forbidden, migrated
from ..params import chat_id_param, optional_int
from ..world import World
from .registry import Params, handler

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_ADMIN_RIGHTS = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_pin_messages": True,
}


def member_json(status: str, user: dict[str, Any]) -> dict[str, Any]:
    """Render a ChatMember object of the given status."""
    body: dict[str, Any] = {"status": status, "user": user}
    if status == "creator":
        body["is_anonymous"] = False
    elif status == "administrator":
        body.update(_ADMIN_RIGHTS)
    elif status == "kicked":
        body["until_date"] = 0
    return body


def _readable_chat(world: World, params: Params) -> SimChat:
    chat = world.find_chat(chat_id_param(params))
    if chat.migrated_to is not None:
        raise migrated(chat.migrated_to)
    return chat


def _bot_status(chat: SimChat) -> str:
    if chat.user is not None:
        return "kicked" if chat.user.blocked_bot else "member"
    return chat.bot_status


@handler("getChat")
async def get_chat(world: World, params: Params) -> Any:
    """Full information about a chat (type, title, username...).

    Like Telegram, a person who never pressed Start has no chat with the bot yet, and a group
    the bot is not in cannot be read.
    """
    chat = _readable_chat(world, params)
    if chat.user is not None and not chat.user.started:
        raise bad_request("chat not found")
    if chat.user is None and not chat.bot_present:
        raise bad_request("chat not found")
    return chat.full_info_json()


@handler("getChatMember")
async def get_chat_member(world: World, params: Params) -> Any:
    """A user's (or the bot's own) status in a chat."""
    chat = _readable_chat(world, params)
    user_id = optional_int(params, "user_id")
    if user_id == world.bot.id:
        return member_json(_bot_status(chat), world.bot.to_json())
    user = world.find_user(user_id or 0)
    return member_json(chat.member_status(user), user.to_json())


@handler("getChatAdministrators")
async def get_chat_administrators(world: World, params: Params) -> Any:
    """The owner and administrators of a group."""
    chat = _readable_chat(world, params)
    if chat.is_private:
        raise bad_request("there are no administrators in the private chat")
    admins = [member_json("creator", chat.owner.to_json())] if chat.owner else []
    admins += [member_json("administrator", user.to_json()) for user in chat.admins]
    if chat.bot_status == "administrator":
        admins.append(member_json("administrator", world.bot.to_json()))
    return admins


@handler("getChatMemberCount")
async def get_chat_member_count(world: World, params: Params) -> Any:
    """How many members a chat has, the bot included."""
    chat = _readable_chat(world, params)
    if chat.is_private:
        return 2
    people = {id(user) for user in [*chat.members, *chat.admins]}
    if chat.owner is not None:
        people.add(id(chat.owner))
    return len(people) + (1 if chat.bot_present else 0)


@handler("leaveChat")
async def leave_chat(world: World, params: Params) -> Any:
    """Make the bot leave a group; it gets the my_chat_member update like on Telegram."""
    chat = _readable_chat(world, params)
    if chat.is_private:
        raise bad_request(PRIVATE_CHAT_LEAVE)
    if not chat.bot_present:
        kind = "group" if chat.type == GROUP else chat.type
        raise forbidden(f"Forbidden: bot is not a member of the {kind} chat")
    old = chat.bot_status
    chat.bot_status = "left"
    world.push_bot_membership(chat, world.bot.to_json(), old, "left")
    world.record(chat, None, "leave", text=f"left {chat.label}")
    return True


@handler("sendChatAction")
async def send_chat_action(world: World, params: Params) -> Any:
    """Show "typing..." and similar; only validated, nothing visible is recorded."""
    world.writable_chat(chat_id_param(params))
    if params.get("action") not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True
