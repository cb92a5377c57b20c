"""Webhook mode: Telegram posts updates to the bot (through the clinic's proxy), with a secret."""

import asyncio
import copy
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from aftercare_bot.bootstrap import BotRuntime
from aftercare_bot.clock import ManualClock
from aftercare_bot.config import load_config
from aftercare_bot.sandbox import TelegramSimulator
from aftercare_bot.sandbox.webhook import WebhookForwarder
from tests.config_files import VALID_CONFIG, write_config
from tests.e2e.conftest import START, TOKEN, ImmediatePacer
from tests.ports import free_port

SECRET = "s3cret-token-for-the-webhook-0123"


@pytest.fixture
async def webhook_bot(
    tmp_path: Path, database_url: str
) -> AsyncIterator[tuple[TelegramSimulator, WebhookForwarder]]:
    simulator = TelegramSimulator(token=TOKEN, bot_username="aftercare_test_bot", rate_limits=False)
    await simulator.start()
    port = free_port()
    text = VALID_CONFIG.replace(
        "[telegram]\n",
        '[telegram]\nmode = "webhook"\nwebhook_url = "https://bot.clinic.example/telegram"\n'
        f'listen = "127.0.0.1"\nport = {port}\nsecret_token = "{SECRET}"\n',
    )
    config = load_config(
        write_config(tmp_path, text, database_url=database_url, base_url=simulator.base_url)
    )
    forwarder = simulator.forward_webhook_to(f"http://127.0.0.1:{port}/telegram")
    async with BotRuntime(config, clock=ManualClock(START), pacer=ImmediatePacer()):
        yield simulator, forwarder
    await simulator.stop()


async def test_updates_arrive_through_the_webhook_and_are_answered(
    webhook_bot: tuple[TelegramSimulator, WebhookForwarder],
) -> None:
    simulator, forwarder = webhook_bot
    assert simulator.world.webhook["url"] == "https://bot.clinic.example/telegram"
    sam = simulator.add_user(first_name="Sam")
    await sam.send("/start")
    greeting = await sam.wait_for_reply()
    assert "aftercare assistant" in greeting["text"]
    assert [post.status for post in forwarder.posts] == [200]


async def test_a_request_without_the_right_secret_is_refused_and_does_nothing(
    webhook_bot: tuple[TelegramSimulator, WebhookForwarder],
) -> None:
    simulator, forwarder = webhook_bot
    sam = simulator.add_user(first_name="Sam")
    await sam.send("/start")
    await sam.wait_for_reply()
    forged = copy.deepcopy(forwarder.delivered[0])
    forged["update_id"] += 1000
    forged["message"]["text"] = "/help"
    assert await forwarder.post(forged, None) == 403
    assert await forwarder.post(forged, "not-the-secret-0000000000") == 403
    await asyncio.sleep(0.3)  # a reply, if any, would have arrived by now
    assert len(simulator.messages_in(sam)) == 1  # the greeting to /start, nothing more


async def test_a_repeated_update_is_handled_once(
    webhook_bot: tuple[TelegramSimulator, WebhookForwarder],
) -> None:
    simulator, forwarder = webhook_bot
    sam = simulator.add_user(first_name="Sam")
    await sam.send("/start")
    await sam.wait_for_reply()
    assert await forwarder.post(forwarder.delivered[0], SECRET) == 200  # Telegram re-sends it
    await sam.send("/help")
    await sam.wait_for_reply()  # the next update is still handled
    texts = [message.get("text", "") for message in simulator.messages_in(sam)]
    assert sum("aftercare assistant" in text for text in texts) == 1
