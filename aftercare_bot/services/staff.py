"""Staff administration: who is staff, invitations, removal, and the bound staff group."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from aftercare_bot.domain.audit import AuditEvent
from aftercare_bot.domain.enrollment_links import LinkPurpose
from aftercare_bot.domain.staff import StaffMember, StaffRole, role_of
from aftercare_bot.services.enrollment import issue_link
from aftercare_bot.services.ports import UnitOfWork

ESCALATION_CHAT_SETTING = "escalation_chat_id"


async def staff_role(uow: UnitOfWork, user_id: int, admin_ids: Sequence[int]) -> StaffRole | None:
    """The user's role: admins from the config, invited members from the database."""
    member = await uow.staff.get(user_id)
    members = (
        frozenset({user_id}) if member is not None and member.removed_at is None else frozenset()
    )
    admins = frozenset({user_id}) if member is not None and member.is_admin else frozenset()
    return role_of(user_id, frozenset(admin_ids), members, admins)


async def record_refusal(uow: UnitOfWork, user_id: int, command: str, now: datetime) -> None:
    """Audit a non-staff attempt at a staff command."""
    await uow.audit.record(AuditEvent(now, "staff.refused", user_id, detail=command[:64]))
    await uow.commit()


async def invite_staff(uow: UnitOfWork, admin_id: int, now: datetime, lifetime: timedelta) -> str:
    """A one-time staff invitation token."""
    token = issue_link(uow, LinkPurpose.STAFF, now, lifetime, admin_id)
    await uow.audit.record(AuditEvent(now, "staff.invited", admin_id))
    await uow.commit()
    return token


async def active_members(uow: UnitOfWork) -> Sequence[StaffMember]:
    """Invited members still on staff."""
    return await uow.staff.active()


async def remove_staff(
    uow: UnitOfWork, admin_id: int, user_id: int, now: datetime
) -> StaffMember | None:
    """Remove an invited member; None if they are not one."""
    member = await uow.staff.get(user_id)
    if member is None or member.removed_at is not None:
        return None
    member.removed_at = now
    await uow.console.end_all_of(user_id, now)  # their console sessions end at once
    await uow.api_keys.revoke_of(user_id, now)  # and their API keys with them
    await uow.audit.record(AuditEvent(now, "staff.removed", admin_id, subject=str(user_id)))
    await uow.commit()
    return member


async def set_role(
    uow: UnitOfWork, admin_id: int, user_id: int, admin: bool, now: datetime
) -> StaffMember | None:
    """Make an invited member an admin, or staff again; their console sessions end at once
    (the next page asks them to sign in, with their new role). None if not a member."""
    member = await uow.staff.get(user_id)
    if member is None or member.removed_at is not None:
        return None
    member.is_admin = admin
    await uow.console.end_all_of(user_id, now)
    role = StaffRole.ADMIN if admin else StaffRole.STAFF
    await uow.audit.record(
        AuditEvent(now, "staff.role_changed", admin_id, subject=str(user_id), detail=role.value)
    )
    await uow.commit()
    return member


async def bind_staff_group(
    uow: UnitOfWork, admin_id: int, chat_id: int, now: datetime, configured: int | None = None
) -> bool:
    """Make `chat_id` the group that receives escalations; True when it was not already (the
    bound one, else the configured one)."""
    previous = await staff_group(uow, configured)
    await uow.settings.put(ESCALATION_CHAT_SETTING, str(chat_id), now)
    await uow.audit.record(AuditEvent(now, "staff.group_bound", admin_id, subject=str(chat_id)))
    await uow.commit()
    return previous != chat_id


async def staff_group(uow: UnitOfWork, configured: int | None) -> int | None:
    """The bound staff group, else the configured one."""
    bound = await uow.settings.get(ESCALATION_CHAT_SETTING)
    return int(bound) if bound is not None else configured
