"""The one send budget, on a fake clock: Telegram's limits overall and per chat, replies
ahead of reminders."""

import asyncio
import itertools

from aftercare_bot.adapters.telegram.runtime.pacing import GLOBAL_BURST, TelegramPacer
from aftercare_bot.domain.outgoing import SendPriority


class FakeTime:
    """A monotonic clock that only moves when the pacer sleeps."""

    def __init__(self) -> None:
        self.now = 100.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        for _ in range(3):  # whoever was given a turn goes, and others may come, before time moves
            await asyncio.sleep(0)
        self.now += seconds


def pacer_on(time: FakeTime) -> TelegramPacer:
    """A pacer that has been running quietly for a second: its burst is back."""
    time.now -= 1.0
    pacer = TelegramPacer(25, 1.0, monotonic=time.monotonic, sleep=time.sleep)
    time.now += 1.0
    return pacer


async def turn(pacer: TelegramPacer, time: FakeTime, chat: int, log: list[tuple[str, float]]):
    await pacer.wait_turn(chat)
    log.append((f"bulk {chat}", round(time.now, 3)))


async def urgent(pacer: TelegramPacer, time: FakeTime, chat: int, log: list[tuple[str, float]]):
    await pacer.wait_urgent_turn(chat)
    log.append((f"urgent {chat}", round(time.now, 3)))


async def test_sends_to_different_chats_are_spaced_to_stay_under_the_overall_limit() -> None:
    time, log = FakeTime(), []
    pacer = pacer_on(time)
    await asyncio.gather(*(turn(pacer, time, chat, log) for chat in range(5)))
    assert [at for _, at in log] == [100.0, 100.04, 100.08, 100.12, 100.16]


async def test_replies_to_different_chats_may_burst_a_little_then_keep_the_pace() -> None:
    """Replies arriving together go at once (no queue behind an even spacing); beyond the
    small overall burst they are spaced like everything else."""
    time, log = FakeTime(), []
    pacer = pacer_on(time)
    await asyncio.gather(*(urgent(pacer, time, chat, log) for chat in range(GLOBAL_BURST + 3)))
    assert [at for _, at in log] == [100.0] * GLOBAL_BURST + [100.04, 100.08, 100.12]


async def test_a_new_pacer_starts_with_its_burst_spent() -> None:
    """After a restart in a flood Telegram's budget still holds what the old process sent in
    its last second, which the new one cannot know: it keeps the even pace until its burst
    has had time to come back."""
    time, log = FakeTime(), []
    pacer = TelegramPacer(25, 1.0, monotonic=time.monotonic, sleep=time.sleep)
    await asyncio.gather(*(urgent(pacer, time, chat, log) for chat in range(3)))
    assert [at for _, at in log] == [100.0, 100.04, 100.08]
    log.clear()
    await turn(pacer, time, 99, log)
    assert log == [("bulk 99", round(100.0 + (GLOBAL_BURST + 2) * 0.04, 3))]


async def test_one_chat_gets_at_most_one_reminder_per_interval() -> None:
    time, log = FakeTime(), []
    pacer = pacer_on(time)
    for _ in range(3):
        await turn(pacer, time, 42, log)
    assert [at for _, at in log] == [100.0, 101.0, 102.0]


async def test_while_one_chat_waits_for_its_interval_other_chats_go() -> None:
    time, log = FakeTime(), []
    pacer = pacer_on(time)
    await turn(pacer, time, 42, log)
    await asyncio.gather(turn(pacer, time, 42, log), turn(pacer, time, 7, log))
    assert log == [("bulk 42", 100.0), ("bulk 7", 100.04), ("bulk 42", 101.0)]


async def test_a_429_holds_only_the_chat_it_came_from() -> None:
    time, log = FakeTime(), []
    pacer = pacer_on(time)
    pacer.refused(7, 30)
    await asyncio.gather(turn(pacer, time, 7, log), urgent(pacer, time, 8, log))
    assert log == [("urgent 8", 100.0), ("bulk 7", 130.0)]


async def test_429s_from_several_chats_at_once_hold_every_send() -> None:
    time, log = FakeTime(), []
    pacer = pacer_on(time)
    for chat in (1, 2, 3):
        pacer.refused(chat, 30)
    await asyncio.gather(turn(pacer, time, 7, log), urgent(pacer, time, 8, log))
    assert [at for _, at in log] == [130.0, 130.04]


async def test_429s_far_apart_in_different_chats_hold_only_their_chats() -> None:
    time, log = FakeTime(), []
    pacer = pacer_on(time)
    for chat in (1, 2, 3):
        pacer.refused(chat, 1)
        time.now += 5
    await urgent(pacer, time, 8, log)
    assert log == [("urgent 8", 115.0)]


async def test_a_turn_not_yet_handed_out_when_the_bot_wide_limit_shows_waits_it_out() -> None:
    time = FakeTime()
    pauses = [10.0]

    async def sleep_then_429s(seconds: float) -> None:
        await time.sleep(seconds)
        if pauses:
            pause = pauses.pop()  # while the pacer slept, senders in three chats got a 429
            for chat in (11, 12, 13):
                pacer.refused(chat, pause)

    time.now -= 1.0  # a pacer that has run quietly for a second: its burst is back
    pacer = TelegramPacer(25, 1.0, monotonic=time.monotonic, sleep=sleep_then_429s)
    time.now += 1.0
    await pacer.wait_turn(1)  # the first turn is now: no sleep
    start = time.now
    await pacer.wait_turn(2)  # its turn (0.04 s on) falls inside the pause: it waits it out
    assert time.now - start >= 10


async def test_a_reply_takes_the_next_turn_ahead_of_waiting_reminders() -> None:
    time, log = FakeTime(), []
    pacer = pacer_on(time)
    three_sent = asyncio.Event()

    async def reminder(chat: int) -> None:
        await turn(pacer, time, chat, log)
        if len(log) == 3:
            three_sent.set()

    reminders = [asyncio.create_task(reminder(chat)) for chat in range(10)]
    await three_sent.wait()
    await urgent(pacer, time, 99, log)
    await asyncio.gather(*reminders)
    assert [who for who, _ in log][:5] == ["bulk 0", "bulk 1", "bulk 2", "urgent 99", "bulk 3"]
    times = [at for _, at in log]
    assert all(round(b - a, 3) == 0.04 for a, b in itertools.pairwise(times))


async def test_replies_in_one_chat_may_burst_a_little_then_go_a_second_apart() -> None:
    time, log = FakeTime(), []
    pacer = pacer_on(time)
    for _ in range(5):
        await urgent(pacer, time, 42, log)
    await turn(pacer, time, 42, log)
    assert log == [
        ("urgent 42", 100.0),
        ("urgent 42", 100.0),
        ("urgent 42", 100.0),
        ("urgent 42", 101.0),
        ("urgent 42", 102.0),
        ("bulk 42", 105.0),  # a reminder waits until the chat has caught up with its pace
    ]


async def test_a_chat_that_floods_does_not_hold_up_a_reply_to_another() -> None:
    time, log = FakeTime(), []
    pacer = pacer_on(time)
    flood = [asyncio.create_task(urgent(pacer, time, 42, log)) for _ in range(20)]
    for _ in range(5):
        await asyncio.sleep(0)
    await urgent(pacer, time, 7, log)
    (at_7,) = [at for who, at in log if who == "urgent 7"]
    assert at_7 <= 100.04  # within a turn of asking, beside the flooder's burst
    await asyncio.gather(*flood)
    flooder = [at for who, at in log if who == "urgent 42"]
    assert flooder[-1] == 117.0  # 3 at once, then one a second


async def test_an_urgent_post_takes_the_groups_next_slot_ahead_of_routine_posts() -> None:
    time, log = FakeTime(), []
    pacer = pacer_on(time)
    group = -100123

    four_posted = asyncio.Event()

    async def post(kind: str, priority: SendPriority) -> None:
        await pacer.wait_urgent_turn(group, priority)
        log.append((kind, round(time.now, 3)))
        if len(log) == 4:
            four_posted.set()

    routine = [asyncio.create_task(post(f"routine {n}", SendPriority.REPLY)) for n in range(6)]
    await four_posted.wait()
    await post("urgent", SendPriority.URGENT)
    await asyncio.gather(*routine)
    assert [who for who, _ in log][:5] == [
        "routine 0",
        "routine 1",
        "routine 2",
        "routine 3",
        "urgent",
    ]


async def test_a_group_gets_at_most_twenty_posts_in_any_minute() -> None:
    time, log = FakeTime(), []
    pacer = pacer_on(time)
    await asyncio.gather(*(urgent(pacer, time, -100, log) for _ in range(45)))
    times = [at for _, at in log]
    assert max(sum(1 for t in times if start <= t < start + 60) for start in times) <= 20


async def test_a_sender_that_gives_up_waiting_takes_no_turn() -> None:
    time, log = FakeTime(), []
    pacer = pacer_on(time)
    await turn(pacer, time, 1, log)
    gone = asyncio.create_task(pacer.wait_turn(2))
    await asyncio.sleep(0)
    gone.cancel()
    await turn(pacer, time, 3, log)
    assert log == [("bulk 1", 100.0), ("bulk 3", 100.04)]
