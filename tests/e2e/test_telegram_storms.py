"""Telegram having a bad day: storms of 429s and 5xx. The bot keeps running, waits as told,
and every message still arrives exactly once, in order."""

import logging
from datetime import timedelta

import pytest

from aftercare_bot.domain.outbox import MessageState
from tests.e2e.conftest import RunningBot
from tests.e2e.test_delivery import EVENING, linked, message_states, texts_to
from tests.e2e.test_incidents import staff_group


async def test_a_storm_of_429s_is_waited_out_and_the_message_sent_once(bot: RunningBot) -> None:
    anna, code = await linked(bot)
    bot.simulator.faults.fail_next("sendMessage", times=6, status=429, retry_after=20)
    bot.clock.set(EVENING)
    await bot.settle()
    for _ in range(6):
        assert (await message_states(bot, code))["evening"] == MessageState.PENDING.value
        bot.clock.advance(timedelta(seconds=20))
        await bot.settle()
    assert bot.pacer.slowed_down == [20.0] * 6
    assert (await message_states(bot, code))["evening"] == MessageState.SENT.value
    assert sum(t.startswith("Good evening") for t in texts_to(bot, anna)) == 1


async def test_a_storm_of_server_errors_backs_off_and_then_delivers(bot: RunningBot) -> None:
    anna, code = await linked(bot)
    bot.simulator.faults.fail_next("sendMessage", times=4, status=502)
    bot.clock.set(EVENING)
    await bot.settle()
    waited = timedelta(0)
    while (await message_states(bot, code))["evening"] != MessageState.SENT.value:
        assert waited < timedelta(minutes=5), "the bot gave up on a message"
        bot.clock.advance(timedelta(seconds=5))
        waited += timedelta(seconds=5)
        await bot.settle()
    assert timedelta(seconds=4 + 8 + 16) <= waited  # it backed off, doubling each time
    assert sum(t.startswith("Good evening") for t in texts_to(bot, anna)) == 1
    # While Telegram misbehaved, the bot kept answering its patients.
    await anna.send("/next")
    assert "Your next session" in (await anna.wait_for_reply())["text"]


@pytest.mark.slow
async def test_a_request_that_times_out_is_sent_again_and_arrives_once(bot: RunningBot) -> None:
    anna, code = await linked(bot)
    # Telegram sits on the request past the bot's 5-second read timeout, then drops it.
    bot.simulator.faults.delay("sendMessage", seconds=7, times=1)
    bot.clock.set(EVENING)
    await bot.settle()
    assert (await message_states(bot, code))["evening"] == MessageState.PENDING.value
    bot.clock.advance(timedelta(seconds=5))
    await bot.settle()
    assert (await message_states(bot, code))["evening"] == MessageState.SENT.value
    assert sum(t.startswith("Good evening") for t in texts_to(bot, anna)) == 1


async def test_a_reply_to_a_message_deleted_meanwhile_is_still_sent(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    """In a group the bot quotes what it answers; a command deleted before the answer went
    (Telegram still delivered it) is answered all the same, without an error."""
    group = await staff_group(bot)
    mark = bot.simulator.mark()
    bot.simulator.world.updates.push(
        "message",
        {
            "message_id": 999_999,  # never stored: deleted before the bot answered
            "date": 1795600000,
            "chat": {"id": group.id, "type": "supergroup", "title": "Clinic staff"},
            "from": {"id": bot.admin.id, "is_bot": False, "first_name": bot.admin.first_name},
            "text": "/tasks",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    )
    with caplog.at_level(logging.INFO):
        await bot.simulator.wait_for(
            lambda e: e.chat_id == group.id and e.actor == "bot" and e.is_new_message,
            since=mark,
        )
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
