"""A real python-telegram-bot Application polling the simulator, driven by simulated users."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from aftercare_bot.sandbox import TelegramSimulator

App = Application[Any, Any, Any, Any, Any, Any]
CHOICES = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("Confirm", callback_data="confirm"),
            InlineKeyboardButton("Need to reschedule", callback_data="reschedule"),
        ]
    ]
)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(
        f"Welcome! Your code is {' '.join(context.args or [])}", reply_markup=CHOICES
    )


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("Thanks!")
    await query.edit_message_text(f"You chose: {query.data}")


async def bind_group(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    assert chat is not None and user is not None and message is not None
    member = await context.bot.get_chat_member(chat.id, user.id)
    await message.reply_text(f"Bound {chat.title} ({chat.type}) for a {member.status}")


async def any_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    kinds = ("photo", "document", "sticker", "location", "contact", "text")
    kind = next(k for k in kinds if getattr(message, k))
    await message.reply_text(f"Got your {kind}")


async def membership(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    change = update.my_chat_member
    assert change is not None
    context.bot_data.setdefault("statuses", []).append(change.new_chat_member.status)
    if change.new_chat_member.status == "member":
        await context.bot.send_message(change.chat.id, "Welcome back")


@pytest.fixture
async def app(sim: TelegramSimulator) -> AsyncIterator[App]:
    application = (
        ApplicationBuilder()
        .token(sim.token)
        .base_url(sim.base_url)
        .base_file_url(sim.base_file_url)
        .build()
    )
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler("bindgroup", bind_group))
    application.add_handler(CallbackQueryHandler(pressed))
    application.add_handler(ChatMemberHandler(membership, ChatMemberHandler.MY_CHAT_MEMBER))
    application.add_handler(MessageHandler(filters.ALL & ~filters.COMMAND, any_message))
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=dt.timedelta(seconds=1))
    yield application
    await application.updater.stop()
    await application.stop()
    await application.shutdown()
    assert [c for c in sim.api_calls if c.status >= 500] == []


async def test_start_is_answered_and_a_button_press_edits_the_message(
    app: App,
    sim: TelegramSimulator,
) -> None:
    alice = sim.add_user("Alice")
    await alice.send("/start tok123")
    reply = await alice.wait_for_reply()
    assert reply["text"] == "Welcome! Your code is tok123"
    await alice.press(reply, "Need to reschedule")
    edit = await sim.wait_for(lambda e: e.kind == "edit")
    assert edit.text == "You chose: reschedule"
    assert [m["text"] for m in sim.messages_in(alice)] == ["You chose: reschedule"]
    assert "reply_markup" not in sim.messages_in(alice)[0]
    await sim.wait_for(lambda e: e.kind == "answer" and e.text == "Thanks!")


async def test_the_transcript_reads_like_the_conversation(
    app: App,
    sim: TelegramSimulator,
) -> None:
    alice = sim.add_user("Alice")
    await alice.send("/start abc")
    reply = await alice.wait_for_reply()
    await alice.press(reply, "Confirm")
    await sim.wait_for(lambda e: e.kind == "edit")
    lines = [line[10:] for line in sim.transcript_lines()]
    assert lines[:3] == [
        "Alice -> bot: /start abc",
        "bot -> Alice: Welcome! Your code is abc\n          [ Confirm ] [ Need to reschedule ]",
        "Alice pressed [ Confirm ]",
    ]
    assert "bot edited message #2 in Alice: You chose: confirm" in lines


async def test_messages_of_any_type_reach_the_bot(
    app: App,
    sim: TelegramSimulator,
    png: bytes,
) -> None:
    alice = sim.add_user("Alice")
    await alice.send_photo(png)
    assert (await alice.wait_for_reply())["text"] == "Got your photo"
    await alice.send_document(b"jpeg", file_name="scalp.jpg", mime_type="image/jpeg")
    assert (await alice.wait_for_reply())["text"] == "Got your document"
    await alice.send_sticker()
    assert (await alice.wait_for_reply())["text"] == "Got your sticker"
    await alice.send_location(48.85, 2.35)
    assert (await alice.wait_for_reply())["text"] == "Got your location"


async def test_a_group_command_is_answered_in_the_group(
    app: App,
    sim: TelegramSimulator,
) -> None:
    alice = sim.add_user("Alice")
    group = sim.add_group("Clinic staff", [alice], admins=[alice])
    await alice.send("/bindgroup@aftercare_demo_bot", chat=group)
    reply = await alice.wait_for_reply()
    assert reply["chat"]["id"] == group.id
    assert reply["text"] == "Bound Clinic staff (supergroup) for a administrator"


async def test_blocking_reaches_the_bot_as_a_membership_change(
    app: App,
    sim: TelegramSimulator,
) -> None:
    alice = sim.add_user("Alice")
    await alice.send("/start")
    await alice.wait_for_reply()
    await alice.block_bot()
    await alice.unblock_bot()
    assert (await alice.wait_for_reply())["text"] == "Welcome back"
    assert app.bot_data["statuses"] == ["kicked", "member"]


async def test_startup_uses_get_me_delete_webhook_then_long_polling(
    app: App,
    sim: TelegramSimulator,
) -> None:
    await sim.wait_for_poll()
    # api_calls logs a call when it is answered, so the open long poll is not listed yet
    assert [call.method for call in sim.api_calls] == ["getMe", "deleteWebhook"]
    assert sim.world.updates.polling


async def test_updates_queued_before_polling_are_delivered(sim: TelegramSimulator) -> None:
    alice = sim.add_user("Alice")
    await alice.send("/start early")
    application = ApplicationBuilder().token(sim.token).base_url(sim.base_url).build()
    application.add_handler(CommandHandler("start", start))
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=dt.timedelta(seconds=1))
        reply = await alice.wait_for_reply()
        await application.updater.stop()
        await application.stop()
    assert reply["text"] == "Welcome! Your code is early"
    assert sim.pending_updates == 0, "the updater confirmed what it processed on stop"
