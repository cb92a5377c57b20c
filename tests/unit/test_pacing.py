"""The dispatcher's pacing, on a fake clock: Telegram's limits overall and per chat."""

from aftercare_bot.adapters.telegram.pacing import TelegramPacer


class FakeTime:
    """A monotonic clock that only moves when the pacer sleeps."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


async def test_sends_to_different_chats_are_spaced_to_stay_under_the_overall_limit() -> None:
    time = FakeTime()
    pacer = TelegramPacer(25, 1.0, monotonic=time.monotonic, sleep=time.sleep)
    for chat in range(5):
        await pacer.wait_turn(chat)
    assert time.slept == [0.04, 0.04, 0.04, 0.04]


async def test_one_chat_gets_at_most_one_message_per_interval() -> None:
    time = FakeTime()
    pacer = TelegramPacer(25, 1.0, monotonic=time.monotonic, sleep=time.sleep)
    for _ in range(3):
        await pacer.wait_turn(42)
    assert time.slept == [1.0, 1.0]


async def test_a_429_holds_every_bulk_send_for_its_retry_after() -> None:
    time = FakeTime()
    pacer = TelegramPacer(25, 1.0, monotonic=time.monotonic, sleep=time.sleep)
    pacer.slow_down(30)
    await pacer.wait_turn(7)
    assert time.slept == [30.0]


async def test_a_turn_handed_out_before_a_429_waits_out_the_pause() -> None:
    time = FakeTime()

    async def sleep_then_429(seconds: float) -> None:
        await time.sleep(seconds)
        if len(time.slept) == 1:
            pacer.slow_down(10)  # while this sender slept, another one got a 429

    pacer = TelegramPacer(25, 1.0, monotonic=time.monotonic, sleep=sleep_then_429)
    await pacer.wait_turn(1)  # the first turn is now: no sleep
    start = time.now
    await pacer.wait_turn(2)  # its turn (0.04 s on) falls inside the pause: it waits it out
    assert time.now - start >= 10
