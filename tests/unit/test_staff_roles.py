"""Who is staff, and as what."""

from aftercare_bot.domain.staff import StaffRole, role_of


def test_a_member_made_admin_is_an_admin_and_a_removed_one_is_nothing() -> None:
    admins, members = frozenset({1}), frozenset({7, 8})
    assert role_of(1, admins, frozenset()) == StaffRole.ADMIN
    assert role_of(7, admins, members, frozenset({7})) == StaffRole.ADMIN
    assert role_of(8, admins, members, frozenset({7})) == StaffRole.STAFF
    assert role_of(9, admins, members, frozenset({9})) is None  # made admin, then removed
