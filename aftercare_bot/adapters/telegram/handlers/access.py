"""Who may run a command: staff commands check the role, refuse politely, and audit refusals."""

from telegram import Update

from aftercare_bot.adapters.telegram.messenger import reply
from aftercare_bot.adapters.telegram.runtime.context import AftercareContext
from aftercare_bot.adapters.telegram.views.languages import language_of
from aftercare_bot.domain.staff import StaffRole


async def role_of_user(update: Update, context: AftercareContext) -> StaffRole | None:
    """The sender's staff role, or None."""
    user = update.effective_user
    if user is None:
        return None
    return await context.services.staff_access.role(user.id)


async def require_staff(
    update: Update, context: AftercareContext, *, admin: bool = False
) -> StaffRole | None:
    """The sender's role if allowed; otherwise a polite refusal, an audit entry, and None."""
    role = await role_of_user(update, context)
    if role is not None and (not admin or role == StaffRole.ADMIN):
        return role
    user, message = update.effective_user, update.effective_message
    services = context.services
    if user is not None:
        command = (message.text or "").split(maxsplit=1)[0] if message else ""
        await services.staff_access.refused(user.id, command)
    if message is not None:
        key = "staff.admins_only" if role is not None else "staff.refused"
        await reply(update, services.texts.render(language_of(update, context), key))
    return None
