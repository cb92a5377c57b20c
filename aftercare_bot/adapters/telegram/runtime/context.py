"""Typed access from handlers to the bot's services, instead of string keys in bot_data."""

from dataclasses import dataclass, field
from typing import Any, cast

from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot

from aftercare_bot.adapters.live_config import LiveConfig, LiveReading
from aftercare_bot.adapters.persistence.database import Database
from aftercare_bot.adapters.telegram.runtime.answer_wakes import WakeAfterAnswer
from aftercare_bot.adapters.telegram.runtime.blocked_chats import BlockedChats
from aftercare_bot.adapters.telegram.runtime.presses import EarlyAnswers
from aftercare_bot.adapters.telegram.runtime.repeats import RepeatedUpdates
from aftercare_bot.adapters.telegram.views.rendering import Views
from aftercare_bot.domain.floods import OncePerWindow
from aftercare_bot.domain.triage import TriageRules
from aftercare_bot.services.appointment_replies import AppointmentReplies
from aftercare_bot.services.check_ins import CheckInTiming
from aftercare_bot.services.clinic_lists import ClinicLists
from aftercare_bot.services.console_access import ConsoleAccess
from aftercare_bot.services.patient_check_ins import PatientCheckIns
from aftercare_bot.services.patient_links import PatientLinks
from aftercare_bot.services.patient_requests import PatientRequests
from aftercare_bot.services.ports import Clock, WakeUp
from aftercare_bot.services.staff_access import StaffAccess
from aftercare_bot.services.staff_relay import StaffRelay
from aftercare_bot.services.staff_reports import StaffReports
from aftercare_bot.services.staff_requests import StaffRequests

_SERVICES_KEY = "aftercare_services"


@dataclass(frozen=True)
class Services(LiveReading):
    """What every handler may use: the config, texts, plans, database, clock and the
    dispatcher's wake."""

    live: LiveConfig
    database: Database
    clock: Clock
    wake: WakeUp  # runs the dispatcher now (only it: a tap must not cost every beat)
    triage_rules: TriageRules
    check_in_timing: CheckInTiming
    # When each kind of technical error was last reported to the operators (rate limiting).
    ops_notices: dict[str, float] = field(default_factory=dict)
    # Update ids already handled (a repeat is dropped; a retry is let through once more).
    repeats: RepeatedUpdates = field(default_factory=RepeatedUpdates)
    # Presses answered while they waited for their chat's earlier updates.
    early_answers: EarlyAnswers = field(default_factory=EarlyAnswers)
    # How often each update failed because the database could not be reached.
    database_retries: dict[int, int] = field(default_factory=dict)
    # Private chats that just blocked the bot: their queued replies are dropped, not sent.
    blocked_chats: BlockedChats = field(default_factory=BlockedChats)
    # Chats recently told a button is no longer current (see `first_stale_answer`).
    stale_answers: OncePerWindow = field(default_factory=OncePerWindow)

    @property
    def wake_after_answer(self) -> WakeAfterAnswer:
        """Wakes the dispatcher once the update being handled is answered."""
        return WakeAfterAnswer(self.wake)

    @property
    def check_ins(self) -> PatientCheckIns:
        """The patient's check-in use cases."""
        return PatientCheckIns(self.database, self.triage_rules, self.check_in_timing, self.clock)

    @property
    def patient_requests(self) -> PatientRequests:
        """The patient's requests about their own follow-up."""
        return PatientRequests(
            self.database,
            self.clock,
            self.wake_after_answer,
            self.plans,
            self.config.schedule.quiet_hours,
            self.config.privacy.on_delete,
        )

    @property
    def staff_requests(self) -> StaffRequests:
        """Staff commands: membership, the staff group, a named patient's course."""
        return StaffRequests(
            self.database,
            self.clock,
            self.wake_after_answer,
            self.plans,
            self.config.schedule.quiet_hours,
            self.config.enrollment.link_lifetime,
            self.config.staff.escalation_chat_id,
        )

    @property
    def appointment_replies(self) -> AppointmentReplies:
        """Reminder answers, their notes and the staff's tasks."""
        return AppointmentReplies(self.database, self.clock, self.wake_after_answer)

    @property
    def patient_links(self) -> PatientLinks:
        """Opening a one-time link, and the patient's consent."""
        return PatientLinks(
            self.database,
            self.clock,
            self.wake_after_answer,
            self.plans,
            self.config.schedule.quiet_hours,
        )

    @property
    def staff_access(self) -> StaffAccess:
        """Staff roles and refusals."""
        return StaffAccess(
            self.database,
            self.clock,
            self.config.staff.admin_ids,
            self.config.staff.escalation_chat_id,
        )

    @property
    def console_access(self) -> ConsoleAccess:
        """Sign-in links to the staff console."""
        return ConsoleAccess(
            self.database, self.clock, self.config.staff.admin_ids, self.config.web.session_idle
        )

    @property
    def clinic_lists(self) -> ClinicLists:
        """The practitioners and products enrollment offers."""
        return ClinicLists(self.database, self.clock)

    @property
    def staff_relay(self) -> StaffRelay:
        """Staff answering a patient: draft, write, send or drop."""
        return StaffRelay(self.database, self.clock, self.wake_after_answer)

    @property
    def staff_reports(self) -> StaffReports:
        """The clinic-wide reports staff read: digest, statistics, export."""
        return StaffReports(self.database, self.clock, self.config.clinic.timezone)

    def first_stale_answer(self, update: Update) -> bool:
        """Whether to say "no longer current" for this press: once per window and chat, so
        a patient hammering an old keyboard is told once and does not queue a reply a
        second for minutes (the press itself is always answered)."""
        chat = update.effective_chat
        return chat is None or self.stale_answers.first(chat.id, self.clock.now())

    def attach(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Make these services reachable from every handler's context."""
        application.bot_data[_SERVICES_KEY] = self


class AftercareContext(
    CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]
):
    """The callback context our handlers receive."""

    @property
    def services(self) -> Services:
        """The services attached when the application was built."""
        return cast(Services, self.application.bot_data[_SERVICES_KEY])

    @property
    def views(self) -> Views:
        """Texts rendered with the clinic's details."""
        return self.services.views
