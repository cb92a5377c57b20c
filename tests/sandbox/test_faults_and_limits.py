"""Bad days at Telegram: injected failures, delays, 429 storms, migrations, flood limits."""

from __future__ import annotations

import datetime as dt

import pytest
from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest

from aftercare_bot.sandbox import RateLimits, SimUser, TelegramSimulator
from aftercare_bot.sandbox.rate_limits import TokenBucket


async def test_scheduled_server_errors_surface_as_network_errors(
    bot: Bot, alice: SimUser, sim: TelegramSimulator
) -> None:
    sim.faults.fail_next("sendMessage", times=2, status=500)
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(alice.id, "one")
    assert await bot.get_me(), "a failure scheduled for sendMessage leaves other methods alone"
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(alice.id, "two")
    assert (await bot.send_message(alice.id, "three")).text == "three"
    assert [c.status for c in sim.calls("sendMessage")] == [500, 500, 200]


async def test_an_any_method_failure_hits_the_next_call_whatever_it_is(
    bot: Bot, sim: TelegramSimulator
) -> None:
    sim.faults.fail_next(status=502)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.get_webhook_info()
    assert await bot.get_webhook_info()


async def test_a_delayed_answer_trips_the_clients_read_timeout(
    sim: TelegramSimulator, alice: SimUser
) -> None:
    sim.faults.delay("sendMessage", seconds=0.5, times=1)
    request = HTTPXRequest(read_timeout=0.05)
    async with Bot(sim.token, base_url=sim.base_url, request=request) as bot:
        with pytest.raises(TimedOut):
            await bot.send_message(alice.id, "slow")
        assert (await bot.send_message(alice.id, "fast")).text == "fast"


async def test_a_429_storm_returns_retry_after_until_it_ends(
    bot: Bot, alice: SimUser, sim: TelegramSimulator
) -> None:
    sim.faults.flood(seconds=60, retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(alice.id, "hello")
    assert caught.value.retry_after == dt.timedelta(seconds=7)
    assert sim.calls("sendMessage")[-1].error == "Too Many Requests: retry after 7"
    assert await bot.get_me(), "reads are not flooded"
    sim.faults.clear()
    assert await bot.send_message(alice.id, "hello")


async def test_a_migrated_group_points_the_bot_to_the_supergroup(
    bot: Bot, alice: SimUser, sim: TelegramSimulator
) -> None:
    group = sim.add_group("Clinic staff", [alice], type="group")
    supergroup = sim.faults.migrate_chat(group)
    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(group.id, "hello")
    assert caught.value.new_chat_id == supergroup.id
    assert str(supergroup.id).startswith("-100")
    sent = await bot.send_message(caught.value.new_chat_id, "hello again")
    assert sent.chat.type == "supergroup"
    service = [u.message for u in await bot.get_updates(timeout=0)]
    assert [(m.migrate_to_chat_id, m.migrate_from_chat_id) for m in service if m] == [
        (supergroup.id, None),
        (None, group.id),
    ]


def _limited(**limits: float) -> TelegramSimulator:
    return TelegramSimulator(rate_limits=True, limits=RateLimits(**limits))


async def test_a_private_chat_allows_a_burst_then_answers_429() -> None:
    async with _limited(private_burst=3, private_rate=0.01) as sim:
        alice = sim.add_user("Alice", started=True)
        bob = sim.add_user("Bob", started=True)
        async with Bot(sim.token, base_url=sim.base_url) as bot:
            for n in range(3):
                await bot.send_message(alice.id, f"message {n}")
            with pytest.raises(RetryAfter) as caught:
                await bot.send_message(alice.id, "one too many")
            assert isinstance(caught.value.retry_after, dt.timedelta)
            assert caught.value.retry_after >= dt.timedelta(seconds=1)
            assert await bot.send_message(bob.id, "other chats are unaffected")
            assert await bot.get_me(), "getMe does not count"
    statuses = [call.status for call in sim.calls("sendMessage")]
    assert statuses == [200, 200, 200, 429, 200]


async def test_the_global_limit_spans_all_chats() -> None:
    async with _limited(global_burst=4, global_rate=0.01) as sim:
        users = [sim.add_user(f"User {n}", started=True) for n in range(5)]
        async with Bot(sim.token, base_url=sim.base_url) as bot:
            outcomes = []
            for user in users:
                try:
                    await bot.send_message(user.id, "reminder")
                    outcomes.append("sent")
                except RetryAfter:
                    outcomes.append("429")
    assert outcomes == ["sent", "sent", "sent", "sent", "429"]


async def test_a_group_allows_twenty_messages_then_answers_429() -> None:
    async with _limited() as sim:
        alice = sim.add_user("Alice", started=True)
        group = sim.add_group("Clinic staff", [alice])
        async with Bot(sim.token, base_url=sim.base_url) as bot:
            for n in range(20):
                await bot.send_message(group.id, f"alert {n}")
            with pytest.raises(RetryAfter) as caught:
                await bot.send_message(group.id, "alert 20")
    assert isinstance(caught.value.retry_after, dt.timedelta)
    assert caught.value.retry_after >= dt.timedelta(seconds=1)


async def test_rate_limits_can_be_switched_off(sim: TelegramSimulator, bot: Bot) -> None:
    alice = sim.add_user("Alice", started=True)
    for n in range(8):
        await bot.send_message(alice.id, f"message {n}")
    assert all(call.status == 200 for call in sim.calls("sendMessage"))


def test_a_token_bucket_refills_with_time() -> None:
    bucket = TokenBucket(rate=2.0, capacity=2, now=100.0)
    bucket.take(100.0)
    bucket.take(100.0)
    assert bucket.wait_time(100.0) == pytest.approx(0.5)
    assert bucket.wait_time(100.5) == 0
    bucket.take(100.5)
    assert bucket.wait_time(110.0) == 0
    assert bucket.tokens == 2, "refill is capped at capacity"


class FakeMonotonic:
    """A monotonic clock the test moves by hand, so limits are checked without waiting."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_429_does_not_spend_tokens_and_the_bucket_refills() -> None:
    clock = FakeMonotonic()
    limits = RateLimits(private_burst=1, private_rate=1.0)
    async with TelegramSimulator(limits=limits, monotonic=clock) as sim:
        alice = sim.add_user("Alice", started=True)
        async with Bot(sim.token, base_url=sim.base_url) as bot:
            await bot.send_message(alice.id, "first")
            for _ in range(3):
                with pytest.raises(RetryAfter) as caught:
                    await bot.send_message(alice.id, "too soon")
                assert caught.value.retry_after == dt.timedelta(seconds=1)
            clock.now += 1.0
            assert await bot.send_message(alice.id, "a second later")


async def test_a_send_refused_for_bad_html_still_counts_against_the_limit() -> None:
    async with _limited(private_burst=1, private_rate=0.01) as sim:
        alice = sim.add_user("Alice", started=True)
        async with Bot(sim.token, base_url=sim.base_url) as bot:
            with pytest.raises(BadRequest):
                await bot.send_message(alice.id, "<b>broken", parse_mode="HTML")
            with pytest.raises(RetryAfter):
                await bot.send_message(alice.id, "fixed, but over the limit")
