"""Who counts as staff: the config's admins, plus members an admin invited."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class StaffRole(StrEnum):
    """Admins manage staff and bind the group; staff enroll and follow patients."""

    ADMIN = "admin"
    STAFF = "staff"


@dataclass
class StaffMember:
    """A staff member added through an invitation link."""

    telegram_user_id: int
    display_name: str
    added_at: datetime
    added_by: int | None = None
    removed_at: datetime | None = None
    # Made an admin by an admin (in the console); the config's admins are admins regardless.
    is_admin: bool = False


def role_of(
    user_id: int,
    admin_ids: frozenset[int],
    members: frozenset[int],
    member_admins: frozenset[int] = frozenset(),
) -> StaffRole | None:
    """The user's role, or None for a patient or a stranger: the config's admins, members
    made admins, then members."""
    if user_id in admin_ids or user_id in member_admins & members:
        return StaffRole.ADMIN
    if user_id in members:
        return StaffRole.STAFF
    return None
