"""What the console's routes work with, and the aiohttp application that serves them.

`ConsoleDeps` holds the use cases (the same ones the Telegram handlers call, built with ports
that leave every Telegram message to the outbox) and what the pages need to render; the app
is built once per instance and shares the bot's event loop.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from importlib.resources import files

from aiohttp import web
from jinja2 import Environment, PackageLoader, select_autoescape

from aftercare_bot.adapters.live_config import LiveConfig, LiveReading, paging_rules
from aftercare_bot.adapters.telegram.runtime.identity import bot_id
from aftercare_bot.services.api_keys import ApiKeys
from aftercare_bot.services.bookings import BookingSync
from aftercare_bot.services.bot_username import remembered_username
from aftercare_bot.services.clinic_lists import ClinicLists
from aftercare_bot.services.clinic_settings import ClinicSettingsChanges
from aftercare_bot.services.console_access import ConsoleAccess
from aftercare_bot.services.deferred_notices import DeferredPatientMessenger, DeferredStaffNotifier
from aftercare_bot.services.ports import Clock, ReportingUnitsOfWork, WakeUp
from aftercare_bot.services.staff_access import StaffAccess
from aftercare_bot.services.staff_incidents import StaffIncidents
from aftercare_bot.services.staff_relay import StaffRelay
from aftercare_bot.services.staff_reports import StaffReports
from aftercare_bot.services.staff_requests import StaffRequests


@dataclass(frozen=True)
class ConsoleDeps(LiveReading):
    """The console's use cases and rendering; those that read a clinic setting are built
    from the config as it stands at each request."""

    live: LiveConfig
    clock: Clock
    wake: WakeUp
    access: ConsoleAccess
    staff: StaffAccess
    reports: StaffReports
    relay: StaffRelay
    units: ReportingUnitsOfWork
    bot_token: str

    @property
    def incidents(self) -> StaffIncidents:
        """Acknowledge, resolve, on call: paged with the current escalation timings, every
        Telegram message left to the outbox."""
        units, clock, wake = self.units, self.clock, self.wake
        return StaffIncidents(
            units,
            clock,
            wake,
            paging_rules(self.config),
            DeferredStaffNotifier(units, clock, wake),
            DeferredPatientMessenger(units, clock, wake),
        )

    @property
    def requests(self) -> StaffRequests:
        """Enrollment, invitations and roles, with the current quiet hours."""
        config = self.config
        return StaffRequests(
            self.units,
            self.clock,
            self.wake,
            self.plans,
            config.schedule.quiet_hours,
            config.enrollment.link_lifetime,
            config.staff.escalation_chat_id,
        )

    @property
    def api_keys(self) -> ApiKeys:
        """API keys: made and revoked by admins, checked on every API request."""
        return ApiKeys(self.units, self.clock, self.config.staff.admin_ids)

    @property
    def bookings(self) -> BookingSync:
        """Cal.com's deliveries, and staff linking patients to them."""
        return BookingSync(self.units, self.clock, self.requests, self.config.clinic.timezone)

    @property
    def lists(self) -> ClinicLists:
        """The practitioners and products the clinic lists."""
        return ClinicLists(self.units, self.clock)

    @property
    def settings(self) -> ClinicSettingsChanges:
        """Admins changing the clinic's settings."""
        return ClinicSettingsChanges(self.units, self.clock, self.texts.all_languages)

    async def bot_username(self) -> str:
        """The bot's @username, as the running bot last learnt it (links are made with it).

        Raises:
            LookupError: the bot has never started on this database.
        """
        username = await remembered_username(self.units, bot_id(self.bot_token))
        if username is None:
            raise LookupError("the bot's username is not known yet: start the bot once")
        return username

    @property
    def languages(self) -> Sequence[str]:
        """The languages the clinic offers."""
        return self.texts.languages


DEPS = web.AppKey("deps", ConsoleDeps)
TEMPLATES = web.AppKey("templates", Environment)


def build_console_app(deps: ConsoleDeps) -> web.Application:
    """The console's aiohttp application, its routes and middlewares."""
    from aftercare_bot.adapters.web import (
        api_key_pages,
        audit_pages,
        booking_pages,
        enroll_pages,
        export_pages,
        incident_pages,
        list_pages,
        message_pages,
        patient_pages,
        plan_pages,
        settings_pages,
        sign_in,
        staff_pages,
        statistics_pages,
    )
    from aftercare_bot.adapters.web.guard import guard, security_headers

    app = web.Application(middlewares=[security_headers, guard], client_max_size=64 * 1024)
    app[DEPS] = deps
    app[TEMPLATES] = Environment(
        loader=PackageLoader("aftercare_bot.adapters.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    app.router.add_get("/", sign_in.home)
    app.router.add_get("/console", sign_in.home)
    app.router.add_get("/console/", sign_in.home)
    pages = (
        sign_in,
        api_key_pages,
        booking_pages,
        incident_pages,
        message_pages,
        patient_pages,
        enroll_pages,
        staff_pages,
        list_pages,
        plan_pages,
        settings_pages,
        statistics_pages,
        export_pages,
        audit_pages,
    )
    for routes in (page.ROUTES for page in pages):
        app.router.add_routes(routes)
    from aftercare_bot.adapters.api import calcom, openapi
    from aftercare_bot.adapters.api import routes as api_routes
    from aftercare_bot.adapters.api.guard import BUDGET
    from aftercare_bot.domain.api_rate import RequestBudget

    app[BUDGET] = RequestBudget()
    app.router.add_routes(api_routes.ROUTES)
    app.router.add_routes(openapi.ROUTES)
    app.router.add_routes(calcom.ROUTES)
    app.router.add_static(
        "/console/static/", str(files("aftercare_bot.adapters.web") / "static"), name="static"
    )
    return app
