"""Serving the console in the bot's own process and event loop, on every instance.

The console's use cases leave every Telegram message to the outbox (services/
deferred_notices.py), so a standby's console works and sends nothing: the active instance
delivers what it leaves. aiohttp's own access log is off (it would write paths, and a path
can hold a patient's code); the guard logs the route name instead.
"""

import logging

from aiohttp import web

from aftercare_bot.adapters.live_config import LiveConfig
from aftercare_bot.adapters.web.console import ConsoleDeps, build_console_app
from aftercare_bot.services.console_access import ConsoleAccess
from aftercare_bot.services.ports import Clock, ReportingUnitsOfWork, WakeUp
from aftercare_bot.services.staff_access import StaffAccess
from aftercare_bot.services.staff_relay import StaffRelay
from aftercare_bot.services.staff_reports import StaffReports

logger = logging.getLogger(__name__)
# How the app is served: aiohttp's access log would write paths, and a path can hold a code.
ACCESS_LOG: logging.Logger | None = None


def console_deps(
    live: LiveConfig,
    units: ReportingUnitsOfWork,
    clock: Clock,
    wake: WakeUp,
) -> ConsoleDeps:
    """The console's use cases over this instance's database and config."""
    config = live.config
    staff = config.staff
    return ConsoleDeps(
        live=live,
        clock=clock,
        wake=wake,
        access=ConsoleAccess(units, clock, staff.admin_ids, config.web.session_idle),
        staff=StaffAccess(units, clock, staff.admin_ids, staff.escalation_chat_id),
        reports=StaffReports(units, clock, config.clinic.timezone),
        relay=StaffRelay(units, clock, wake),
        units=units,
        bot_token=config.require_token(),
    )


class ConsoleServer:
    """The console's HTTP server: started with the bot, stopped with it."""

    def __init__(self, deps: ConsoleDeps) -> None:
        self._deps = deps
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Listen on `web.listen`:`web.port`.

        Raises:
            OSError: the address is taken or cannot be bound.
        """
        web_config = self._deps.config.web
        self._runner = web.AppRunner(build_console_app(self._deps), access_log=ACCESS_LOG)
        await self._runner.setup()
        await web.TCPSite(self._runner, web_config.listen, web_config.port).start()
        logger.info("staff console at %s/console", web_config.base_url)

    async def stop(self) -> None:
        """Stop listening; requests under way are finished first."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
