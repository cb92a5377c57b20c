"""Telegram tells the bot when a patient blocks or unblocks it; act on it at once."""

from telegram import ChatMember, Update
from telegram.ext import BaseHandler, ChatMemberHandler, MessageHandler, filters

from aftercare_bot.adapters.telegram.notices.staff_notices import notify_staff
from aftercare_bot.adapters.telegram.runtime.context import AftercareContext
from aftercare_bot.services.reachability import chat_blocked, chat_wrote

_GONE = {ChatMember.BANNED, ChatMember.LEFT}


async def on_my_chat_member(update: Update, context: AftercareContext) -> None:
    """A patient who blocks the bot is stopped at once, without waiting for a failed send."""
    change = update.my_chat_member
    if change is None or change.chat.type != "private":
        return
    if change.new_chat_member.status not in _GONE:
        return  # unblocking shows a Start button in Telegram; /start resumes a stopped patient
    services = context.services
    patient = await chat_blocked(services.database, change.chat.id, services.clock.now())
    if patient is not None:
        await notify_staff(
            context, "lifecycle.staff_blocked", code=patient.code, name=patient.display_name
        )


async def on_any_private_message(update: Update, context: AftercareContext) -> None:
    """Any message from an unreachable patient shows they are back; other handlers still run."""
    chat = update.effective_chat
    if chat is None:
        return
    services = context.services
    await chat_wrote(services.database, services.wake, chat.id, services.clock.now())


MEMBERSHIP_GROUP = -1  # runs before, and independently of, the handlers that answer


def membership_handlers() -> list[BaseHandler[Update, AftercareContext, None]]:
    """Block/unblock updates, and the "patient is back" check on every private message."""
    return [
        ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER),
        MessageHandler(filters.ChatType.PRIVATE, on_any_private_message),
    ]
