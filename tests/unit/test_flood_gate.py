"""The flood gate counts each message once, by its first arrival, even if Telegram sends it
again while it waits for its turn."""

import re
from datetime import UTC, datetime, timedelta

from telegram import Chat, Message, Update, User

from aftercare_bot.adapters.telegram.handlers.stop_words import StopStartWords
from aftercare_bot.adapters.telegram.runtime.flood_gate import FloodGate
from aftercare_bot.clock import ManualClock
from aftercare_bot.domain.floods import FloodLimit, FloodWatch

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
WORDS = StopStartWords(re.compile(r"^stop$", re.I), re.compile(r"^start$", re.I))


def message(update_id: int, text: str) -> Update:
    chat = Chat(42, Chat.PRIVATE)
    user = User(42, "Fiona", is_bot=False)
    return Update(update_id, message=Message(update_id, NOW, chat, from_user=user, text=text))


def test_an_update_sent_again_while_it_waits_counts_once_and_keeps_its_first_arrival() -> None:
    clock = ManualClock(NOW)
    gate = FloodGate(FloodWatch(FloodLimit(max_messages=2)), clock, set(), WORDS)
    first, second = message(1, "hello"), message(2, "are you there")
    gate.arrived(first)
    gate.arrived(second)
    clock.advance(timedelta(seconds=1))
    gate.arrived(message(1, "hello"))  # the same update again
    # two messages in the window: a person's pace, the repeat not counted as a third
    assert gate.judge(first) is None
    assert gate.judge(second) is None


def test_a_third_message_in_the_window_is_a_flood_and_stop_is_never_held() -> None:
    clock = ManualClock(NOW)
    gate = FloodGate(FloodWatch(FloodLimit(max_messages=2)), clock, set(), WORDS)
    updates = [message(n, f"message {n}") for n in range(1, 4)] + [message(4, "STOP")]
    for update in updates:
        gate.arrived(update)
    judged = [gate.judge(update) for update in updates]
    assert [flooding is not None for flooding in judged] == [True, True, True, False]
