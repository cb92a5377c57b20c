"""An API key's requests per minute: the one past the budget is told when to try again, and a
minute later the key may go on; other keys are not held."""

from datetime import UTC, datetime, timedelta

from aftercare_bot.domain.api_rate import RequestBudget

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


def test_the_request_past_the_budget_waits_for_the_oldest_to_leave_the_minute() -> None:
    budget = RequestBudget(per_minute=3)
    for second in range(3):
        assert budget.take(1, NOW + timedelta(seconds=second)) is None
    assert budget.take(1, NOW + timedelta(seconds=10)) == timedelta(seconds=50)
    assert budget.take(2, NOW + timedelta(seconds=10)) is None  # another key goes
    assert budget.take(1, NOW + timedelta(seconds=60)) is None
