"""Sending, formatting, editing and deleting messages, with Telegram's refusals."""

from __future__ import annotations

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest

from aftercare_bot.sandbox import SimUser, TelegramSimulator


def _keyboard(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=label.lower()) for label in labels]]
    )


async def test_html_is_parsed_into_entities_counted_in_utf16(bot: Bot, alice: SimUser) -> None:
    sent = await bot.send_message(alice.id, "😀 <b>Day 3</b> &amp; counting", ParseMode.HTML)
    assert sent.text == "😀 Day 3 & counting"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [("bold", 3, 5)]
    assert sent.parse_entity(sent.entities[0]) == "Day 3"


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("<b>unclosed", 'can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("<blink>x</blink>", 'unsupported start tag "blink" at byte offset 0'),
        ("dose < 5 ml", "unclosed start tag at byte offset 5"),
    ],
)
async def test_broken_html_cannot_be_parsed(
    bot: Bot, alice: SimUser, source: str, reason: str
) -> None:
    with pytest.raises(BadRequest) as caught:
        await bot.send_message(alice.id, source, ParseMode.HTML)
    assert caught.value.message.lower() == f"can't parse entities: {reason}".lower()


async def test_an_empty_or_whitespace_text_is_refused(bot: Bot, alice: SimUser) -> None:
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(alice.id, "   ")
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(alice.id, "<b></b>", ParseMode.HTML)


async def test_a_text_over_4096_characters_is_too_long(bot: Bot, alice: SimUser) -> None:
    await bot.send_message(alice.id, "<b>" + "a" * 4096 + "</b>", ParseMode.HTML)
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(alice.id, "a" * 4097)


async def test_an_unknown_chat_is_not_found(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(123, "hello")


async def test_callback_data_over_64_bytes_is_invalid(bot: Bot, alice: SimUser) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data="x" * 65)]])
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(alice.id, "Pick", reply_markup=markup)


async def test_inline_keyboards_are_attached_and_shown_in_the_transcript(
    bot: Bot, alice: SimUser, sim: TelegramSimulator
) -> None:
    sent = await bot.send_message(
        alice.id, "Did you take the shampoo?", reply_markup=_keyboard("Yes", "Not yet")
    )
    assert sent.reply_markup == _keyboard("Yes", "Not yet")
    assert sim.transcript[-1].buttons == (("Yes", "Not yet"),)
    assert sim.transcript_lines()[-1].endswith(
        "bot -> Alice: Did you take the shampoo?\n          [ Yes ] [ Not yet ]"
    )


async def test_reply_keyboards_stay_with_the_chat_until_removed(bot: Bot, alice: SimUser) -> None:
    keyboard = ReplyKeyboardMarkup([[KeyboardButton("Fine"), KeyboardButton("Itchy")]])
    await bot.send_message(alice.id, "How is your scalp?", reply_markup=keyboard)
    assert alice.reply_keyboard == (("Fine", "Itchy"),)
    await bot.send_message(alice.id, "Thanks", reply_markup=ReplyKeyboardRemove())
    assert alice.reply_keyboard is None


async def test_edits_apply_and_identical_edits_are_refused(
    bot: Bot, alice: SimUser, sim: TelegramSimulator
) -> None:
    sent = await bot.send_message(alice.id, "Reminder", reply_markup=_keyboard("Confirm"))
    edited = await bot.edit_message_text("Reminder (confirmed)", alice.id, sent.message_id)
    assert isinstance(edited, Message)
    assert edited.text == "Reminder (confirmed)"
    assert edited.reply_markup is None, "editing text without reply_markup drops the keyboard"
    assert edited.edit_date is not None
    with pytest.raises(BadRequest, match="Message is not modified: specified new message"):
        await bot.edit_message_text("Reminder (confirmed)", alice.id, sent.message_id)
    assert [m["text"] for m in sim.messages_in(alice)] == ["Reminder (confirmed)"]


async def test_reply_markup_edits_replace_the_keyboard(bot: Bot, alice: SimUser) -> None:
    sent = await bot.send_message(alice.id, "Choose", reply_markup=_keyboard("A"))
    edited = await bot.edit_message_reply_markup(
        alice.id, sent.message_id, reply_markup=_keyboard("B")
    )
    assert isinstance(edited, Message)
    assert edited.reply_markup == _keyboard("B")
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(alice.id, sent.message_id, reply_markup=_keyboard("B"))


async def test_editing_a_missing_message_fails(bot: Bot, alice: SimUser) -> None:
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", alice.id, 999)


async def test_deleting_removes_the_message_once(
    bot: Bot, alice: SimUser, sim: TelegramSimulator
) -> None:
    sent = await bot.send_message(alice.id, "Temporary")
    assert await bot.delete_message(alice.id, sent.message_id)
    assert sim.messages_in(alice) == []
    assert sim.transcript[-1].kind == "delete"
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(alice.id, sent.message_id)


async def test_replies_embed_the_replied_message(bot: Bot, alice: SimUser) -> None:
    question = await alice.send("Is redness normal?")
    answer = await bot.send_message(
        alice.id, "Yes, for 24 hours.", reply_to_message_id=question["message_id"]
    )
    assert answer.reply_to_message is not None
    assert answer.reply_to_message.text == "Is redness normal?"
