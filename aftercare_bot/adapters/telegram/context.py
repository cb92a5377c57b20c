"""Typed access from handlers to the bot's services, instead of string keys in bot_data."""

from dataclasses import dataclass, field
from typing import Any, cast

from telegram.ext import Application, CallbackContext, ExtBot

from aftercare_bot.adapters.persistence.database import Database
from aftercare_bot.adapters.scheduling import Heartbeat
from aftercare_bot.adapters.telegram.blocked_chats import BlockedChats
from aftercare_bot.adapters.telegram.presses import EarlyAnswers
from aftercare_bot.adapters.telegram.repeats import RepeatedUpdates
from aftercare_bot.adapters.telegram.views import Views
from aftercare_bot.clock import Clock
from aftercare_bot.config import Config
from aftercare_bot.domain.plans import Plan
from aftercare_bot.domain.triage import TriageRules
from aftercare_bot.services.check_ins import CheckInTiming
from aftercare_bot.texts import Texts

_SERVICES_KEY = "aftercare_services"


@dataclass(frozen=True)
class Services:
    """What every handler may use: the config, texts, plans, database, clock and heartbeat."""

    config: Config
    texts: Texts
    plans: dict[str, Plan]
    database: Database
    clock: Clock
    heartbeat: Heartbeat
    views: Views
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
