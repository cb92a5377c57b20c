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
        assert watch.judge(42, moment, moment) is None  # one a second: ten in any ten seconds


def test_more_than_the_limit_within_the_window_is_a_flood_answered_once_per_window() -> None:
    watch = FloodWatch(LIMIT)
    for n in range(11):
        watch.arrived(42, NOW + timedelta(milliseconds=n))
    first = watch.judge(42, NOW, NOW + timedelta(seconds=1))
    assert first is not None and first.answer and first.since == NOW
    second = watch.judge(42, NOW + timedelta(milliseconds=1), NOW + timedelta(seconds=2))
    assert second is not None and not second.answer
    for n in range(11):
        watch.arrived(42, NOW + timedelta(seconds=11, milliseconds=n))
    moment = NOW + timedelta(seconds=11)
    later = watch.judge(42, moment, moment + timedelta(milliseconds=20))
    assert later is not None and later.answer  # a new window: one more short answer


def test_a_flood_in_one_chat_says_nothing_about_another() -> None:
    watch = FloodWatch(LIMIT)
    for _ in range(50):
        watch.arrived(42, NOW)
    watch.arrived(7, NOW)
    assert watch.judge(7, NOW, NOW) is None
    assert watch.judge(42, NOW, NOW) is not None


def test_a_flood_that_stopped_a_window_ago_is_over() -> None:
    watch = FloodWatch(LIMIT)
    for _ in range(20):
        watch.arrived(42, NOW)
    then = NOW + timedelta(seconds=10)
    watch.arrived(42, then)
    assert watch.judge(42, then, then) is None


def test_a_flood_worked_through_for_longer_than_a_window_is_a_flood_to_its_last_message() -> None:
    watch = FloodWatch(LIMIT)
    arrivals = [NOW + timedelta(milliseconds=5 * n) for n in range(600)]  # 3 s of a stuck key
    for moment in arrivals:
        watch.arrived(42, moment)
    # each message's turn comes 100 ms after the one before: the last a minute after it came
    judged = [
        watch.judge(42, moment, NOW + timedelta(milliseconds=100 * n))
        for n, moment in enumerate(arrivals)
    ]
    assert all(flooding is not None for flooding in judged)
    answered = [n for n, flooding in enumerate(judged) if flooding is not None and flooding.answer]
    assert answered == [0, 100, 200, 300, 400, 500]  # one short answer per window of handling


def test_a_message_just_before_a_flood_is_bundled_with_it_and_one_well_before_is_not() -> None:
    watch = FloodWatch(LIMIT)
    watch.arrived(42, NOW)  # a message of its own, more than a window before the flood
    before = NOW + timedelta(seconds=15)
    watch.arrived(42, before)
    flood = NOW + timedelta(seconds=20)
    for n in range(11):
        watch.arrived(42, flood + timedelta(milliseconds=n))
    handled = flood + timedelta(seconds=1)
    assert watch.judge(42, NOW, handled) is None
    assert watch.judge(42, before, handled) is not None


def test_a_flood_handled_long_after_it_began_is_bundled_from_a_window_before_its_handling() -> None:
    watch = FloodWatch(LIMIT)
    for n in range(30):
        watch.arrived(42, NOW + timedelta(milliseconds=n))
    late = NOW + timedelta(minutes=2)  # a long wait for Telegram or the database
    flooding = [watch.judge(42, NOW + timedelta(milliseconds=n), late) for n in range(30)]
    # its post is due after the flood's own post_within from here, not already overdue, so
    # the messages still to be handled go into the same bundle
    assert {f.since for f in flooding if f is not None} == {late - LIMIT.window}
    assert all(f is not None for f in flooding)


def test_a_person_typing_behind_a_slow_backlog_is_judged_by_their_own_pace() -> None:
    watch = FloodWatch(LIMIT)
    arrivals = [NOW + timedelta(seconds=2 * n) for n in range(20)]  # one every two seconds
    for moment in arrivals:
        watch.arrived(42, moment)
    late = NOW + timedelta(minutes=1)  # all handled together, after a slow database
    assert [watch.judge(42, moment, late) for moment in arrivals] == [None] * 20


def test_a_repeated_answer_is_given_once_per_window_and_per_chat() -> None:
    once = OncePerWindow(timedelta(seconds=10))
    assert once.first(1, NOW)
    assert not once.first(1, NOW + timedelta(seconds=9))
    assert once.first(2, NOW + timedelta(seconds=9))  # another chat is not affected
    assert once.first(1, NOW + timedelta(seconds=10))
