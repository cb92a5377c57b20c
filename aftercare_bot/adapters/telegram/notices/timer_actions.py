"""The dispatcher's timers that may reach staff: escalation rounds, staff tasks brought into an
incident, check-ins closed by their expiry or abandon timer (their answers triaged), and a
flood's held messages posted as one."""

from telegram import Bot

from aftercare_bot.adapters.telegram.handlers.check_ins import tell_staff
from aftercare_bot.adapters.telegram.handlers.flood_control import bundle_text
from aftercare_bot.adapters.telegram.handlers.incidents import escalate, roster, staff_incidents
from aftercare_bot.adapters.telegram.notices.incident_notices import (
    TelegramPatientMessenger,
    TelegramStaffNotifier,
)
from aftercare_bot.adapters.telegram.runtime.context import Services
from aftercare_bot.domain.incidents import IncidentUrgency
from aftercare_bot.domain.outbox import (
    CHECK_IN_ABANDON,
    CHECK_IN_EXPIRY,
    DEFERRED_NOTICES,
    FLOOD_POST,
    INCIDENT_REFRESH,
    INCIDENT_TASK,
    ScheduledMessage,
)
from aftercare_bot.services import escalation
from aftercare_bot.texts import Html


class TimerActions:
    """Acts on one due timer for the dispatcher (outside its claim's transaction)."""

    def __init__(self, bot: Bot, services: Services) -> None:
        self._bot = bot
        self._services = services

    async def __call__(self, timer: ScheduledMessage) -> None:
        """Act on one due timer."""
        subject = timer.step_key or ""
        if timer.kind in (CHECK_IN_ABANDON, CHECK_IN_EXPIRY):
            if subject.isdigit():
                await self._close_check_in(int(subject))
            return
        if timer.kind == INCIDENT_TASK:
            if subject.isdigit():
                await self._bring_task(int(subject), timer.patient_id)
            return
        if timer.kind == FLOOD_POST:
            await self._post_held_messages(timer.patient_id)
            return
        if timer.kind in DEFERRED_NOTICES:
            if subject.isdigit():
                await self._deferred(timer.kind, int(subject))
            return
        services = self._services
        await escalation.act_on_timer(
            services.database,
            TelegramStaffNotifier(self._bot, services),
            TelegramPatientMessenger(self._bot, services),
            timer,
            roster(services),
            services.clock.now(),
        )

    async def _deferred(self, kind: str, incident_id: int) -> None:
        """What the console left to the active instance: an incident's Telegram copies
        brought up to date, or its patient told who took her report."""
        services = self._services
        found = await staff_incidents(self._bot, services).with_patient(incident_id)
        if found is None:
            return
        incident, patient = found
        if kind == INCIDENT_REFRESH:
            await TelegramStaffNotifier(self._bot, services).refresh(incident)
            return
        if patient is not None and incident.acknowledged_by_name and incident.patient_reported:
            messenger = TelegramPatientMessenger(self._bot, services)
            await messenger.seen_by(patient, incident.acknowledged_by_name)

    async def _close_check_in(self, check_in_id: int) -> None:
        """Never started: missed. Started and left: closed, and its answers triaged."""
        progress = await self._services.check_ins.close_by_timer(check_in_id)
        if progress is not None:
            await tell_staff(self._bot, self._services, progress)

    async def _bring_task(self, task_id: int, patient_id: int) -> None:
        """A new staff task opens (or joins) the patient's routine incident."""
        services = self._services
        found = await services.appointment_replies.task_to_report(task_id, patient_id)
        if found is None:
            return
        task, patient = found
        language = services.config.clinic.language
        detail = (
            services.texts.render(language, "tasks.detail", note=task.detail) if task.detail else ""
        )
        text = services.views.texts.render(
            language,
            f"incident.task_{task.kind.value}",
            code=patient.code,
            name=patient.display_name,
            task=task.id,
            detail=Html(detail),  # already rendered, with the note escaped
        )
        await escalate(
            self._bot,
            services,
            patient,
            IncidentUrgency.ROUTINE,
            text,
            from_patient=task.reported_by_patient,
            task_id=task.id,
        )

    async def _post_held_messages(self, patient_id: int) -> None:
        """A flood's messages reach staff as one post in the patient's routine incident; they
        stay held until it is made (a failure tries again, repeating rather than losing)."""
        services = self._services
        held = await services.patient_requests.held_for_post(patient_id)
        if held is None:
            return
        text = bundle_text(
            services,
            held.patient.code,
            held.patient.display_name,
            [text for _, text in held.messages],
        )
        await escalate(self._bot, services, held.patient, IncidentUrgency.ROUTINE, text)
        await services.patient_requests.held_posted(held)
