"""Command menus per scope and language, menu buttons, chat actions, captions, custom faults."""

from __future__ import annotations

import datetime as dt

import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeChat,
    MenuButtonCommands,
    MenuButtonDefault,
    Message,
)
from telegram.constants import ChatAction
from telegram.error import BadRequest, Forbidden, RetryAfter

from aftercare_bot.sandbox import SimUser, TelegramSimulator


async def test_commands_are_kept_per_scope_and_language(
    bot: Bot, sim: TelegramSimulator, alice: SimUser
) -> None:
    await bot.set_my_commands([BotCommand("start", "Begin"), BotCommand("help", "Help")])
    await bot.set_my_commands([BotCommand("start", "Beginnen")], language_code="de")
    await bot.set_my_commands(
        [BotCommand("bindgroup", "Bind this group")], scope=BotCommandScopeAllGroupChats()
    )
    await bot.set_my_commands([BotCommand("stop", "Stop")], scope=BotCommandScopeChat(alice.id))
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    assert [c.description for c in await bot.get_my_commands(language_code="de")] == ["Beginnen"]
    groups = await bot.get_my_commands(scope=BotCommandScopeAllGroupChats())
    assert [c.command for c in groups] == ["bindgroup"]
    assert sim.commands({"type": "chat", "chat_id": alice.id}) == ["stop"]
    assert await bot.delete_my_commands(language_code="de")
    assert await bot.get_my_commands(language_code="de") == ()


async def test_invalid_command_names_are_refused(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Start-Now", "x")])


async def test_menu_buttons_are_stored_per_chat_with_defaults(bot: Bot, alice: SimUser) -> None:
    assert await bot.get_chat_menu_button() == MenuButtonCommands()
    assert await bot.get_chat_menu_button(alice.id) == MenuButtonDefault()
    await bot.set_chat_menu_button(alice.id, MenuButtonCommands())
    assert await bot.get_chat_menu_button(alice.id) == MenuButtonCommands()


async def test_chat_actions_obey_the_same_refusals_as_sends(
    bot: Bot, sim: TelegramSimulator, alice: SimUser
) -> None:
    assert await bot.send_chat_action(alice.id, ChatAction.TYPING)
    stranger = sim.add_user("Stranger")
    with pytest.raises(Forbidden):
        await bot.send_chat_action(stranger.id, ChatAction.TYPING)


async def test_captions_can_be_edited_but_not_on_text_messages(
    bot: Bot, alice: SimUser, png: bytes
) -> None:
    photo = await bot.send_photo(alice.id, png, caption="Before")
    edited = await bot.edit_message_caption(alice.id, photo.message_id, caption="After")
    assert isinstance(edited, Message)
    assert edited.caption == "After"
    text = await bot.send_message(alice.id, "plain")
    with pytest.raises(BadRequest, match="There is no caption in the message to edit"):
        await bot.edit_message_caption(alice.id, text.message_id, caption="x")


async def test_custom_faults_can_speak_telegrams_words(
    bot: Bot, alice: SimUser, sim: TelegramSimulator
) -> None:
    sim.faults.fail_next("sendMessage", status=429, retry_after=3)
    sim.faults.fail_next("sendMessage", status=403, description="Forbidden: user is deactivated")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(alice.id, "one")
    assert caught.value.retry_after == dt.timedelta(seconds=3)
    with pytest.raises(Forbidden, match="user is deactivated"):
        await bot.send_message(alice.id, "two")
    assert await bot.send_message(alice.id, "three")
