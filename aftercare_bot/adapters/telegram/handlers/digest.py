"""The daily digest in the staff group: at `staff.digest_at`, and on demand with /digest."""

import html
import logging
import re
from datetime import datetime

from telegram import Bot, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CommandHandler

from aftercare_bot.adapters.telegram.handlers.access import require_staff
from aftercare_bot.adapters.telegram.messenger import reply, send
from aftercare_bot.adapters.telegram.notices.staff_notices import staff_member_language
from aftercare_bot.adapters.telegram.runtime.context import AftercareContext, Services
from aftercare_bot.adapters.telegram.views.languages import language_of
from aftercare_bot.adapters.telegram.views.rendering import Views
from aftercare_bot.domain.digest import (
    Appointment,
    DigestFacts,
    PatientRef,
    incidents_in_order,
)
from aftercare_bot.domain.pages import paginate

logger = logging.getLogger(__name__)


async def digest_pages(services: Services, language: str) -> list[str]:
    """Today's digest as messages that each fit Telegram's limit."""
    facts = await services.staff_reports.digest()
    lines = digest_lines(services.views, language, facts, services.clock.now())
    return ["\n".join(page) for page in paginate(lines)]


def digest_lines(views: Views, language: str, facts: DigestFacts, now: datetime) -> list[str]:
    """The digest, one line per fact, most pressing first; empty sections left out."""
    texts = views.texts
    day = texts.format_day(language, facts.day, "EEE d MMM y")
    if facts.quiet:
        return [views.texts.render(language, "digest.quiet", day=day)]

    def render(key: str, **params: object) -> str:
        return views.texts.render(language, f"digest.{key}", **params)

    def people(key: str, refs: list[PatientRef]) -> list[str]:
        if not refs:
            return []
        return [render(key, count=len(refs))] + [
            render("patient_item", code=ref.code, name=ref.name) for ref in refs
        ]

    lines = [render("title", day=day)]
    ordered = incidents_in_order(facts.incidents)
    unowned = [i for i in ordered if i.unowned_urgent]
    if unowned:
        lines.append(render("unowned", count=len(unowned)))
    for signal in facts.signals:
        lines.append(
            render(
                "signal",
                batch=signal.batch,
                urgent=signal.urgent,
                results=signal.results,
                batch_rate=f"{signal.batch_rate:.0%}",
                clinic_rate=f"{signal.clinic_rate:.0%}",
                p=f"{signal.adjusted_p:.2g}",
            )
        )
    if ordered:
        lines.append(render("incidents", count=len(ordered)))
        for incident in ordered:
            owner = (
                render("owner", name=incident.acknowledged_by) if incident.acknowledged_by else ""
            )
            lines.append(
                render(
                    "incident_item",
                    urgency=texts.render(
                        language,
                        f"incident.urgency_{'urgent' if incident.urgent else 'routine'}",
                    ),
                    code=incident.patient.code,
                    name=incident.patient.name,
                    age=views.age(language, now - incident.opened_at),
                    owner=owner,
                )
            )
    if not facts.yesterday.empty:
        y = facts.yesterday
        lines.append(render("yesterday", due=y.due, answered=y.answered, missed=y.missed))
    if facts.tasks:
        lines.append(render("tasks", count=len(facts.tasks)))
        for task in facts.tasks:
            lines.append(
                render(
                    "task_item",
                    id=task.task_id,
                    kind=texts.render(language, f"tasks.kind_{task.kind}"),
                    code=task.patient.code if task.patient else "",
                    name=task.patient.name if task.patient else "",
                )
            )
    lines += _appointments(views, language, "today", facts.today)
    lines += _appointments(views, language, "tomorrow", facts.tomorrow)
    lines += people("unreachable", facts.unreachable)
    lines += people("stopped", facts.stopped)
    lines += people("overdue", facts.overdue)
    lines += people("not_linked", facts.not_linked)
    return lines


def _appointments(
    views: Views, language: str, key: str, appointments: list[Appointment]
) -> list[str]:
    if not appointments:
        return []
    zone = views.config.clinic.timezone
    lines = [views.texts.render(language, f"digest.{key}", count=len(appointments))]
    for appointment in appointments:
        lines.append(
            views.texts.render(
                language,
                "digest.appointment_item",
                time=views.texts.format_time(language, appointment.at.astimezone(zone), "HH:mm"),
                code=appointment.patient.code,
                name=appointment.patient.name,
                state=views.texts.render(
                    language,
                    "digest.confirmed" if appointment.confirmed else "digest.not_confirmed",
                ),
            )
        )
    return lines


async def digest_command(update: Update, context: AftercareContext) -> None:
    """Staff: today's digest, here and now."""
    if not await require_staff(update, context):
        return
    assert update.effective_message is not None
    for page in await digest_pages(context.services, language_of(update, context)):
        await reply(update, page)


async def post_scheduled_digest(bot: Bot, services: Services) -> bool:
    """Post today's digest to the staff group (else each admin) once its time has come;
    True if it was posted now. Recorded only after it went out, so a failure tries again."""
    config = services.config
    digest_at = config.staff.digest_at
    if digest_at is None:
        return False
    if not await services.staff_reports.digest_due(digest_at):
        return False
    group = await services.staff_access.group()
    admins = list(config.staff.admin_ids)
    recipients = [group] if group is not None else admins
    delivered = False
    for chat_id in recipients:
        # the group reads the clinic's language; an admin, privately, their own
        pages = await digest_pages(services, await staff_member_language(services, chat_id))
        try:
            for page in pages:
                await send(bot, chat_id, page)
            delivered = True
        except TelegramError as error:
            logger.error("digest to chat %s failed: %s", chat_id, error)
            if chat_id == group:
                recipients.extend(admins)  # the staff group is gone: the admins get it
    if delivered:
        await services.staff_reports.digest_posted()
    return delivered


def digest_handlers() -> list[BaseHandler[Update, AftercareContext, None]]:
    """/digest."""
    return [CommandHandler("digest", digest_command)]


def plain_text(html_text: str) -> str:
    """Telegram's HTML as a terminal shows it: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", html_text))
