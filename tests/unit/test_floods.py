"""A person typing is never taken for a flood; a flood gets one answer per window."""

from datetime import UTC, datetime, timedelta

from aftercare_bot.domain.floods import FloodLimit, FloodWatch, OncePerWindow

NOW = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
LIMIT = FloodLimit(max_messages=10, window=timedelta(seconds=10))


def test_a_person_typing_fast_is_not_a_flood() -> None:
    watch = FloodWatch(LIMIT)
    for second in range(30):
        moment = NOW + timedelta(seconds=second)
        watch.arrived(42, moment)
        assert watch.judge(42, moment) is None  # one a second: ten in any ten seconds


def test_more_than_the_limit_within_the_window_is_a_flood_answered_once_per_window() -> None:
    watch = FloodWatch(LIMIT)
    for n in range(11):
        watch.arrived(42, NOW + timedelta(milliseconds=n))
    first = watch.judge(42, NOW + timedelta(seconds=1))
    assert first is not None and first.answer and first.since == NOW
    second = watch.judge(42, NOW + timedelta(seconds=2))
    assert second is not None and not second.answer
    for n in range(11):
        watch.arrived(42, NOW + timedelta(seconds=11, milliseconds=n))
    later = watch.judge(42, NOW + timedelta(seconds=11, milliseconds=20))
    assert later is not None and later.answer  # a new window: one more short answer


def test_a_flood_in_one_chat_says_nothing_about_another() -> None:
    watch = FloodWatch(LIMIT)
    for _ in range(50):
        watch.arrived(42, NOW)
    watch.arrived(7, NOW)
    assert watch.judge(7, NOW) is None
    assert watch.judge(42, NOW) is not None


def test_a_flood_that_stopped_a_window_ago_is_over() -> None:
    watch = FloodWatch(LIMIT)
    for _ in range(20):
        watch.arrived(42, NOW)
    assert watch.judge(42, NOW + timedelta(seconds=10)) is None


def test_a_repeated_answer_is_given_once_per_window_and_per_chat() -> None:
    once = OncePerWindow(timedelta(seconds=10))
    assert once.first(1, NOW)
    assert not once.first(1, NOW + timedelta(seconds=9))
    assert once.first(2, NOW + timedelta(seconds=9))  # another chat is not affected
    assert once.first(1, NOW + timedelta(seconds=10))
