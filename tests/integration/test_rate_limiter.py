"""The handlers' sends take urgent turns from the one budget; presses' answers do not."""

from datetime import timedelta
from typing import Any

import pytest
from telegram.error import RetryAfter

from aftercare_bot.adapters.telegram.rate_limiter import SharedBudgetLimiter, counts_against_limits


class RecordingPacer:
    def __init__(self) -> None:
        self.urgent_turns: list[int | None] = []
        self.slowed_down: list[float] = []

    async def wait_turn(self, chat_id: int) -> None:
        raise AssertionError("handlers never take a reminder's turn")

    async def wait_urgent_turn(self, chat_id: int | None) -> None:
        self.urgent_turns.append(chat_id)

    def slow_down(self, seconds: float) -> None:
        self.slowed_down.append(seconds)


async def call(
    limiter: SharedBudgetLimiter, endpoint: str, data: dict[str, Any], answers: list[Any]
):
    async def request() -> Any:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return await limiter.process_request(request, (), {}, endpoint, data, None)


async def test_a_reply_waits_for_an_urgent_turn_in_its_chat() -> None:
    pacer = RecordingPacer()
    limiter = SharedBudgetLimiter(pacer)
    assert await call(limiter, "sendMessage", {"chat_id": 42, "text": "hi"}, [{"ok": 1}]) == {
        "ok": 1
    }
    assert await call(limiter, "editMessageText", {"chat_id": "43"}, [True]) is True
    assert pacer.urgent_turns == [42, 43]


async def test_answers_to_presses_and_reads_take_no_turn() -> None:
    pacer = RecordingPacer()
    limiter = SharedBudgetLimiter(pacer)
    await call(limiter, "answerCallbackQuery", {"callback_query_id": "7"}, [True])
    await call(limiter, "getChatMember", {"chat_id": -100, "user_id": 1}, [{}])
    await call(limiter, "sendChatAction", {"chat_id": 42}, [True])
    assert pacer.urgent_turns == []


async def test_a_429_pauses_the_whole_budget_and_the_reply_is_tried_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # as the bot sets it
    pacer = RecordingPacer()
    limiter = SharedBudgetLimiter(pacer)
    answers: list[Any] = [RetryAfter(timedelta(seconds=0)), {"ok": 2}]
    assert await call(limiter, "sendMessage", {"chat_id": 42}, answers) == {"ok": 2}
    assert pacer.slowed_down == [0.0]
    assert pacer.urgent_turns == [42, 42]  # the retry took a fresh turn


def test_what_counts_against_telegrams_limits() -> None:
    assert counts_against_limits("sendMessage")
    assert counts_against_limits("sendPhoto")
    assert counts_against_limits("editMessageReplyMarkup")
    assert not counts_against_limits("sendChatAction")
    assert not counts_against_limits("answerCallbackQuery")
    assert not counts_against_limits("getUpdates")
