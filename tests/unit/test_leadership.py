"""Who may be the active instance: the holder of an unexpired lease, or nobody's successor."""

from datetime import UTC, datetime, timedelta

from aftercare_bot.domain.leadership import Holder, Lease, may_hold, renew_every

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
ME = Holder("clinic-1", 100, "aaaa")
OTHER_HOST = Holder("clinic-2", 200, "bbbb")
SAME_HOST = Holder("clinic-1", 300, "cccc")


def alive(_pid: int) -> bool:
    return True


def dead(_pid: int) -> bool:
    return False


def test_a_lease_nobody_holds_is_taken() -> None:
    assert may_hold(None, ME, NOW, alive)


def test_the_holder_renews_its_own_lease_even_late() -> None:
    assert may_hold(Lease(str(ME), NOW - timedelta(seconds=1)), ME, NOW, alive)


def test_another_instances_live_lease_is_respected() -> None:
    assert not may_hold(Lease(str(OTHER_HOST), NOW + timedelta(seconds=5)), ME, NOW, alive)


def test_an_expired_lease_is_taken_over() -> None:
    assert may_hold(Lease(str(OTHER_HOST), NOW), ME, NOW, alive)


def test_a_dead_process_on_this_machine_is_taken_over_at_once() -> None:
    lease = Lease(str(SAME_HOST), NOW + timedelta(seconds=30))
    assert may_hold(lease, ME, NOW, dead)
    assert not may_hold(lease, ME, NOW, alive)


def test_a_dead_pid_on_another_machine_says_nothing_about_that_machine() -> None:
    assert not may_hold(Lease(str(OTHER_HOST), NOW + timedelta(seconds=30)), ME, NOW, dead)


def test_a_holder_reads_back_what_it_wrote_and_nonsense_is_nobody() -> None:
    assert Holder.parse(str(ME)) == ME
    assert Holder.parse("db.example.org:42:ff00") == Holder("db.example.org", 42, "ff00")
    assert Holder.parse("garbage") is None
    assert not may_hold(Lease("garbage", NOW + timedelta(seconds=30)), ME, NOW, dead)


def test_renewal_leaves_two_more_tries_before_the_lease_lapses() -> None:
    assert renew_every(timedelta(seconds=30)) == timedelta(seconds=10)
