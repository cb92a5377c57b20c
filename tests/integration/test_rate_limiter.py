"""The handlers' sends take turns in their chat from the one budget; presses' answers do not."""

from datetime import timedelta
from typing import Any

import pytest
from telegram.error import Forbidden, RetryAfter

from aftercare_bot.adapters.telegram.runtime.pacing import sent_as
from aftercare_bot.adapters.telegram.runtime.rate_limiter import (
    MAX_RETRIES,
    SharedBudgetLimiter,
    counts_against_limits,
)
from aftercare_bot.domain.outgoing import SendPriority


class RecordingPacer:
    def __init__(self) -> None:
        self.urgent_turns: list[int | None] = []
        self.priorities: list[SendPriority] = []
        self.refusals: list[tuple[int | None, float]] = []

    async def wait_turn(self, chat_id: int) -> None:
        raise AssertionError("handlers never take a reminder's turn")

    async def wait_urgent_turn(
        self, chat_id: int | None, priority: SendPriority = SendPriority.REPLY
    ) -> None:
        self.urgent_turns.append(chat_id)
        self.priorities.append(priority)

    def refused(self, chat_id: int | None, seconds: float) -> None:
        self.refusals.append((chat_id, seconds))


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


async def test_a_429_holds_its_chat_and_the_reply_is_tried_again_on_its_next_turn(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # as the bot sets it
    pacer = RecordingPacer()
    limiter = SharedBudgetLimiter(pacer)
    answers: list[Any] = [RetryAfter(timedelta(seconds=3)), {"ok": 2}]
    assert await call(limiter, "sendMessage", {"chat_id": 42}, answers) == {"ok": 2}
    assert pacer.refusals == [(42, 3.0)]
    assert pacer.urgent_turns == [42, 42]  # the retry took a fresh turn


async def test_a_429_that_persists_reaches_the_caller_after_a_few_tries(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    pacer = RecordingPacer()
    limiter = SharedBudgetLimiter(pacer)
    answers: list[Any] = [RetryAfter(timedelta(seconds=1)) for _ in range(MAX_RETRIES + 1)]
    with pytest.raises(RetryAfter):
        await call(limiter, "sendMessage", {"chat_id": 42}, answers)
    assert len(pacer.refusals) == MAX_RETRIES + 1


async def test_an_urgent_post_takes_its_turn_as_urgent() -> None:
    pacer = RecordingPacer()
    limiter = SharedBudgetLimiter(pacer)
    with sent_as(SendPriority.URGENT):
        await call(limiter, "sendMessage", {"chat_id": -100}, [{"ok": 1}])
    await call(limiter, "sendMessage", {"chat_id": -100}, [{"ok": 2}])
    assert pacer.priorities == [SendPriority.URGENT, SendPriority.REPLY]


async def test_a_reply_to_a_chat_that_blocked_the_bot_is_dropped_without_asking_telegram() -> None:
    pacer = RecordingPacer()
    limiter = SharedBudgetLimiter(pacer, blocked={42})
    with pytest.raises(Forbidden):
        await call(limiter, "sendMessage", {"chat_id": 42}, [])
    assert pacer.urgent_turns == []  # took no turn, and made no request (no answer was queued)


def test_what_counts_against_telegrams_limits() -> None:
    assert counts_against_limits("sendMessage")
    assert counts_against_limits("sendPhoto")
    assert counts_against_limits("editMessageReplyMarkup")
    assert not counts_against_limits("sendChatAction")
    assert not counts_against_limits("answerCallbackQuery")
    assert not counts_against_limits("getUpdates")
