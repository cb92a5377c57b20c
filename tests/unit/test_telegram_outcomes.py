"""Telegram's expected refusals are told apart from real failures, by the words Telegram uses."""

import pytest
from sqlalchemy.exc import OperationalError
from telegram.error import BadRequest, Forbidden, NetworkError, TimedOut

from aftercare_bot.adapters.telegram.runtime.telegram_outcomes import Outcome, classify


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (Forbidden("Forbidden: bot was blocked by the user"), Outcome.BLOCKED),
        (Forbidden("Forbidden: user is deactivated"), Outcome.CHAT_GONE),
        (Forbidden("Forbidden: bot can't initiate conversation with a user"), Outcome.CHAT_GONE),
        (BadRequest("Bad Request: chat not found"), Outcome.CHAT_GONE),
        (BadRequest("Bad Request: user is deactivated"), Outcome.CHAT_GONE),
    ],
)
def test_a_person_or_chat_gone_is_a_patient_outcome(error: Exception, outcome: Outcome) -> None:
    assert classify(error) is outcome
    assert outcome.patient_gone


@pytest.mark.parametrize(
    "description",
    [
        "Bad Request: message is not modified: specified new message content and reply markup "
        "are exactly the same as a current content and reply markup of the message",
        "Bad Request: query is too old and response timeout expired or query ID is invalid",
        "Bad Request: query ID is invalid",
        "Bad Request: message to edit not found",
    ],
)
def test_a_change_that_changed_nothing_is_quiet(description: str) -> None:
    assert classify(BadRequest(description)) is Outcome.QUIET


@pytest.mark.parametrize(
    "error",
    [
        Forbidden("Forbidden: bot was kicked from the supergroup chat"),
        Forbidden("Forbidden: bot is not a member of the group chat"),
        Forbidden("Forbidden: bot is not a member of the channel chat"),
        BadRequest("Bad Request: can't parse entities: unsupported start tag"),
        TimedOut(),
        NetworkError("Bad Gateway"),
        OperationalError("select 1", {}, Exception("database is locked")),
        ValueError("a bug"),
        None,
    ],
)
def test_anything_else_is_unexpected(error: BaseException | None) -> None:
    outcome = classify(error)
    assert outcome is Outcome.UNEXPECTED
    assert not outcome.patient_gone
