"""Telegram tells the bot when a patient blocks or unblocks it; act on it at once."""

from telegram import ChatMember, Update
from telegram.ext import BaseHandler, ChatMemberHandler, MessageHandler, filters

from aftercare_bot.adapters.telegram.context import AftercareContext
from aftercare_bot.adapters.telegram.staff_notices import notify_staff
from aftercare_bot.services.reachability import patient_blocked_bot, patient_is_back

_GONE = {ChatMember.BANNED, ChatMember.LEFT}


async def on_my_chat_member(update: Update, context: AftercareContext) -> None:
    """A private chat's member status changed: blocked means unreachable, unblocked back."""
    change = update.my_chat_member
    if change is None or change.chat.type != "private":
        return
    services = context.services
    now = services.clock.now()
    async with services.database.unit_of_work() as uow:
        if change.new_chat_member.status in _GONE:
            patient = await patient_blocked_bot(uow, change.chat.id, now)
            key = "delivery.staff_unreachable"
        else:
            patient = await patient_is_back(uow, change.chat.id, now)
            key = ""
    if patient is None:
        return
    if key:
        await notify_staff(context, key, code=patient.code, name=patient.display_name)
    else:
        services.heartbeat.wake()


async def on_any_private_message(update: Update, context: AftercareContext) -> None:
    """Any message from an unreachable patient shows they are back; other handlers still run."""
    chat = update.effective_chat
    if chat is None:
        return
    services = context.services
    async with services.database.unit_of_work() as uow:
        patient = await patient_is_back(uow, chat.id, services.clock.now())
    if patient is not None:
        services.heartbeat.wake()


MEMBERSHIP_GROUP = -1  # runs before, and independently of, the handlers that answer


def membership_handlers() -> list[BaseHandler[Update, AftercareContext, None]]:
    """Block/unblock updates, and the "patient is back" check on every private message."""
    return [
        ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER),
        MessageHandler(filters.ChatType.PRIVATE, on_any_private_message),
    ]
