"""Button presses, answering them, and getUpdates semantics (offsets, long polls, 409)."""

from __future__ import annotations

import asyncio

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Conflict

from aftercare_bot.sandbox import SimUser, TelegramSimulator

CONFIRM = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton("Confirm", callback_data="confirm:7")],
        [InlineKeyboardButton("Need to reschedule", callback_data="reschedule:7")],
    ]
)


async def test_pressing_a_button_delivers_a_callback_query(
    bot: Bot, alice: SimUser, sim: TelegramSimulator
) -> None:
    sent = await bot.send_message(alice.id, "Visit on Friday?", reply_markup=CONFIRM)
    query_id = await alice.press(sent.to_dict(), "Need to reschedule")
    query = (await bot.get_updates(timeout=0))[-1].callback_query
    assert query is not None
    assert query.id == query_id
    assert query.data == "reschedule:7"
    assert query.from_user.id == alice.id
    assert query.message is not None
    assert query.message.message_id == sent.message_id
    assert query.chat_instance
    assert await bot.answer_callback_query(query_id, text="Noted")
    assert sim.transcript_lines()[-1].endswith("bot answered Alice's button press: Noted")


async def test_buttons_can_be_pressed_by_callback_data(bot: Bot, alice: SimUser) -> None:
    sent = await bot.send_message(alice.id, "Visit on Friday?", reply_markup=CONFIRM)
    await alice.press_data(sent.to_dict(), "confirm:7")
    query = (await bot.get_updates(timeout=0))[-1].callback_query
    assert query is not None
    assert query.data == "confirm:7"


async def test_pressing_a_missing_label_explains_what_is_shown(bot: Bot, alice: SimUser) -> None:
    sent = await bot.send_message(alice.id, "Visit on Friday?", reply_markup=CONFIRM)
    with pytest.raises(LookupError, match="Need to reschedule"):
        await alice.press(sent.to_dict(), "Cancel")


async def test_a_callback_query_can_be_answered_only_once(bot: Bot, alice: SimUser) -> None:
    sent = await bot.send_message(alice.id, "Visit on Friday?", reply_markup=CONFIRM)
    query_id = await alice.press(sent.to_dict(), "Confirm")
    await bot.answer_callback_query(query_id)
    with pytest.raises(BadRequest, match="Query is too old and response timeout expired"):
        await bot.answer_callback_query(query_id)
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query("no-such-query")


async def test_an_answer_after_the_max_age_is_too_old() -> None:
    async with TelegramSimulator(rate_limits=False, query_max_age=0.0) as sim:
        alice = sim.add_user("Alice", started=True)
        async with Bot(sim.token, base_url=sim.base_url) as bot:
            sent = await bot.send_message(alice.id, "Confirm?", reply_markup=CONFIRM)
            query_id = await alice.press(sent.to_dict(), "Confirm")
            with pytest.raises(BadRequest, match="Query is too old"):
                await bot.answer_callback_query(query_id)


async def test_updates_stay_until_confirmed_by_offset(bot: Bot, alice: SimUser) -> None:
    for text in ("one", "two", "three"):
        await alice.send(text)
    first = await bot.get_updates(limit=2, timeout=0)
    assert [u.message.text for u in first if u.message] == ["one", "two"]
    again = await bot.get_updates(timeout=0)
    assert len(again) == 3, "nothing is confirmed until a higher offset is sent"
    rest = await bot.get_updates(offset=first[-1].update_id + 1, timeout=0)
    assert [u.message.text for u in rest if u.message] == ["three"]
    assert await bot.get_updates(offset=rest[-1].update_id + 1, timeout=0) == ()


async def test_allowed_updates_filters_what_is_delivered(bot: Bot, alice: SimUser) -> None:
    sent = await bot.send_message(alice.id, "Confirm?", reply_markup=CONFIRM)
    await alice.send("hello")
    await alice.press(sent.to_dict(), "Confirm")
    updates = await bot.get_updates(timeout=0, allowed_updates=["callback_query"])
    assert [u.callback_query is not None for u in updates] == [True]


async def test_a_long_poll_wakes_as_soon_as_a_user_writes(
    bot: Bot, alice: SimUser, sim: TelegramSimulator
) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await sim.wait_for_poll()
    await alice.send("are you there?")
    updates = await asyncio.wait_for(poll, timeout=5)
    assert updates[0].message is not None
    assert updates[0].message.text == "are you there?"


async def test_a_second_poller_terminates_the_first_with_conflict(
    bot: Bot, sim: TelegramSimulator
) -> None:
    async with Bot(sim.token, base_url=sim.base_url) as second:
        first_poll = asyncio.create_task(bot.get_updates(timeout=10))
        await sim.wait_for_poll()
        assert await second.get_updates(timeout=0) == ()
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await first_poll


async def test_get_updates_is_refused_while_a_webhook_is_set(bot: Bot) -> None:
    assert await bot.set_webhook("https://clinic.example/hook")
    assert (await bot.get_webhook_info()).url == "https://clinic.example/hook"
    with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
        await bot.get_updates(timeout=0)
    with pytest.raises(BadRequest, match=r"(?i)an https url must be provided"):
        await bot.set_webhook("http://clinic.example/hook")
    assert await bot.delete_webhook()
    assert await bot.get_updates(timeout=0) == ()


async def test_drop_pending_updates_forgets_the_queue(
    bot: Bot, alice: SimUser, sim: TelegramSimulator
) -> None:
    await alice.send("old news")
    assert (await bot.get_webhook_info()).pending_update_count == 1
    await bot.delete_webhook(drop_pending_updates=True)
    assert sim.pending_updates == 0
