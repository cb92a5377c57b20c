"""The one place that builds the engine, the Application and the services, and runs them.

`run`, the demo and the end-to-end tests all go through `BotRuntime`, so what the demo shows
is exactly what a clinic runs.
"""

import asyncio
import logging
import os
import signal
from datetime import datetime, timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sqlalchemy.exc import SQLAlchemyError
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults

from aftercare_bot import __version__, logs
from aftercare_bot.adapters.leadership import Leadership
from aftercare_bot.adapters.live_config import REFRESH_EVERY, LiveConfig, setting_values
from aftercare_bot.adapters.persistence import schema
from aftercare_bot.adapters.persistence.database import Database
from aftercare_bot.adapters.persistence.instance_lock import instance_lock
from aftercare_bot.adapters.scheduling import DISPATCH, SETTINGS, Heartbeat
from aftercare_bot.adapters.telegram.handlers.appointments import appointment_handlers
from aftercare_bot.adapters.telegram.handlers.check_ins import check_in_handlers, concern_labels
from aftercare_bot.adapters.telegram.handlers.chosen_language import (
    LANGUAGE_GROUP,
    chosen_language_handler,
)
from aftercare_bot.adapters.telegram.handlers.console_link import console_link_handlers
from aftercare_bot.adapters.telegram.handlers.digest import digest_handlers, post_scheduled_digest
from aftercare_bot.adapters.telegram.handlers.enroll import enroll_handlers
from aftercare_bot.adapters.telegram.handlers.export import export_handlers
from aftercare_bot.adapters.telegram.handlers.flood_control import FLOOD_GROUP, flood_handlers
from aftercare_bot.adapters.telegram.handlers.incidents import (
    NOTE_GROUP,
    incident_handlers,
    note_reply_handlers,
)
from aftercare_bot.adapters.telegram.handlers.linking import linking_handlers
from aftercare_bot.adapters.telegram.handlers.membership import (
    MEMBERSHIP_GROUP,
    membership_handlers,
)
from aftercare_bot.adapters.telegram.handlers.patient import patient_handlers
from aftercare_bot.adapters.telegram.handlers.patient_lists import patient_list_handlers
from aftercare_bot.adapters.telegram.handlers.patient_settings import lifecycle_handlers
from aftercare_bot.adapters.telegram.handlers.relay import (
    RELAY_GROUP,
    relay_confirm_handlers,
    relay_reply_handlers,
)
from aftercare_bot.adapters.telegram.handlers.staff import staff_handlers
from aftercare_bot.adapters.telegram.handlers.stats import stats_handlers
from aftercare_bot.adapters.telegram.handlers.stop_words import stop_start_words
from aftercare_bot.adapters.telegram.messenger import Messenger
from aftercare_bot.adapters.telegram.notices.setting_notices import post_setting_changes
from aftercare_bot.adapters.telegram.notices.staff_notices import StaffNotifier
from aftercare_bot.adapters.telegram.notices.timer_actions import TimerActions
from aftercare_bot.adapters.telegram.runtime.connections import telegram_bot, telegram_request
from aftercare_bot.adapters.telegram.runtime.context import AftercareContext, Services
from aftercare_bot.adapters.telegram.runtime.errors import on_error
from aftercare_bot.adapters.telegram.runtime.flood_gate import FloodAwareUpdates, FloodGate
from aftercare_bot.adapters.telegram.runtime.identity import bot_id
from aftercare_bot.adapters.telegram.runtime.pacing import TelegramPacer
from aftercare_bot.adapters.telegram.runtime.presses import answer_while_waiting
from aftercare_bot.adapters.telegram.runtime.rate_limiter import SharedBudgetLimiter
from aftercare_bot.adapters.telegram.runtime.repeats import FIRST_GROUP, repeat_guard
from aftercare_bot.adapters.telegram.runtime.staff_check import log_staff_reach
from aftercare_bot.adapters.telegram.runtime.stopping import handle_kept_updates, keep_unhandled
from aftercare_bot.adapters.telegram.runtime.update_order import ChatOrderedUpdates
from aftercare_bot.adapters.telegram.views.commands import publish_command_menu
from aftercare_bot.clock import SystemClock
from aftercare_bot.config import Config, load_texts_and_plans, load_triage_rules, plan_tables
from aftercare_bot.domain.audit import AuditEvent
from aftercare_bot.domain.floods import FloodLimit, FloodWatch, OncePerWindow
from aftercare_bot.domain.leadership import renew_every
from aftercare_bot.services.bookings import BookingSync
from aftercare_bot.services.bot_username import remember_username
from aftercare_bot.services.check_ins import CheckInTiming
from aftercare_bot.services.clinic_settings import import_settings
from aftercare_bot.services.courses import follow_up_unbooked_courses
from aftercare_bot.services.delivery import DeliveryReport, Dispatcher, Pacer
from aftercare_bot.services.plan_versions import import_plans
from aftercare_bot.services.ports import Clock
from aftercare_bot.services.retention import forget_expired

if TYPE_CHECKING:  # the console's modules load only when it is switched on
    from aftercare_bot.adapters.web.server import ConsoleServer

logger = logging.getLogger(__name__)

AftercareApplication = Application[Any, AftercareContext, Any, Any, Any, Any]

# Long polling: Telegram answers as soon as an update arrives, so this only bounds idle waits.
POLL_TIMEOUT_SECONDS = 10
# How long a stop lets updates in hand and a dispatch round finish before setting them aside:
# with the rest of the stop, well inside systemd's TimeoutStopSec (15 s in the README's unit).
STOP_GRACE_SECONDS = 5.0
# Whether the daily digest is due is checked this often (and at start, on takeover, and when
# a test moves its clock).
DIGEST_CHECK_INTERVAL = timedelta(minutes=1)
# Patients past the retention period are looked for this often.
RETENTION_CHECK_INTERVAL = timedelta(hours=1)
# Courses waiting for a booking are checked this often (and at start, on takeover, and when a
# test moves its clock).
COURSE_CHECK_INTERVAL = timedelta(minutes=15)


def build_application(services: Services, token: str, pacer: Pacer) -> AftercareApplication:
    """The python-telegram-bot Application with every handler registered; its sends take
    turns from `pacer`, the dispatcher's, ahead of reminders; a chat that floods is held at
    the gate."""
    limits = services.config.floods
    floods = FloodGate(
        FloodWatch(FloodLimit(limits.max_messages, limits.window)),
        services.clock,
        concern_labels(services.texts),
        stop_start_words(services.texts),
    )
    # Without it PTB 22 turns a 429's retry_after into a deprecation warning instead of a
    # timedelta; the rest of the bot reads RetryAfter.retry_after as a timedelta.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    telegram = services.config.telegram
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(telegram.base_url)
        .base_file_url(telegram.base_file_url)
        .request(telegram_request())
        .get_updates_request(telegram_request(for_updates=True))
        .context_types(ContextTypes(context=AftercareContext))
        # A reply quotes what it answers (in groups); if that message was deleted meanwhile,
        # Telegram refuses the reply unless told to send it anyway, and the answer is lost.
        .defaults(Defaults(allow_sending_without_reply=True))
        .rate_limiter(SharedBudgetLimiter(pacer, services.blocked_chats))
        .concurrent_updates(
            FloodAwareUpdates(
                floods,
                before_waiting=lambda update: answer_while_waiting(update, services.early_answers),
                blocked=services.blocked_chats,
            )
        )
        .build()
    )
    services.attach(application)
    # Order matters: a deep-link /start before the plain one, flows before the fallbacks.
    application.add_handlers(membership_handlers(), group=MEMBERSHIP_GROUP)
    application.add_handlers(linking_handlers())
    application.add_handlers(enroll_handlers())
    application.add_handlers(staff_handlers())
    application.add_handlers(console_link_handlers())
    application.add_handlers(appointment_handlers())
    application.add_handlers(lifecycle_handlers(stop_start_words(services.texts)))
    application.add_handlers(check_in_handlers())
    application.add_handlers(incident_handlers())
    application.add_handlers(digest_handlers())
    application.add_handlers(patient_list_handlers())
    application.add_handlers(stats_handlers())
    application.add_handlers(export_handlers())
    application.add_handlers(relay_confirm_handlers())
    # Its own group: a reply is also whatever else it is (a patient's reply stays theirs).
    application.add_handlers(relay_reply_handlers(), group=RELAY_GROUP)
    application.add_handlers(note_reply_handlers(), group=NOTE_GROUP)
    application.add_handlers(patient_handlers())
    application.add_handler(repeat_guard(services.repeats), group=FIRST_GROUP)
    application.add_handlers(flood_handlers(floods), group=FLOOD_GROUP)
    application.add_handler(chosen_language_handler(), group=LANGUAGE_GROUP)
    application.add_error_handler(on_error)
    return application


class BotRuntime:
    """The running bot: database, Application and polling, started and stopped in order."""

    def __init__(
        self,
        config: Config,
        clock: Clock | None = None,
        pacer: Pacer | None = None,
        stop_grace: float = STOP_GRACE_SECONDS,
    ) -> None:
        texts, plans = load_texts_and_plans(config)
        self.stop_grace = stop_grace
        self.heartbeat = Heartbeat()
        self.services = Services(
            live=LiveConfig(config, texts, plans),
            database=Database(config.database_url),
            clock=clock or SystemClock(),
            wake=self.heartbeat.waker(DISPATCH),
            triage_rules=load_triage_rules(config),
            check_in_timing=CheckInTiming(
                config.schedule.checkin_nudge_after,
                config.schedule.checkin_expire_after,
                config.checkins.abandon_after,
            ),
            stale_answers=OncePerWindow(config.floods.window),
        )
        self.pacer = pacer or TelegramPacer(
            config.delivery.max_per_second,
            config.delivery.per_chat_interval.total_seconds(),
        )
        self.application = build_application(self.services, config.require_token(), self.pacer)
        telegram = config.telegram
        self.dispatch_bot = telegram_bot(config.require_token(), telegram)
        self.dispatcher = Dispatcher(
            database=self.services.database,
            sender=Messenger(self.dispatch_bot),
            compose=self.services.views.compose,
            pacer=self.pacer,
            clock=self.services.clock,
            quiet=config.schedule.quiet_hours,
            check_in_timing=self.services.check_in_timing,
            act_on_incident=TimerActions(self.application.bot, self.services),
            quiet_now=lambda: self.services.config.schedule.quiet_hours,
        )
        # Only the active instance polls Telegram and acts on the schedule; a standby renews
        # nothing and waits for the lease (see domain.leadership).
        self.leadership = Leadership(
            self.services.database, self.services.clock, config.ha.takeover_after
        )
        self.active = False
        self._leading = asyncio.Lock()
        self._introducing: asyncio.Task[None] | None = None
        self.heartbeat.every(renew_every(config.ha.takeover_after), "leadership", self._lead)
        self.heartbeat.every(config.schedule.tick, DISPATCH, self._dispatch)
        self.heartbeat.every(COURSE_CHECK_INTERVAL, "courses", self._follow_up_courses)
        self.heartbeat.every(DIGEST_CHECK_INTERVAL, "digest", self._post_digest)
        self.heartbeat.every(RETENTION_CHECK_INTERVAL, "retention", self._forget_expired)
        self.heartbeat.every(REFRESH_EVERY, SETTINGS, self._settings)
        self._refreshed_at: datetime | None = None  # when the stored settings were last read
        self.console = self._console() if config.web.enabled else None

    def _console(self) -> "ConsoleServer":
        """The staff console; its modules are imported only when it is switched on."""
        from aftercare_bot.adapters.web.server import ConsoleServer, console_deps

        services = self.services
        return ConsoleServer(
            console_deps(
                services.live,
                services.database,
                services.clock,
                self.heartbeat.waker(DISPATCH, SETTINGS),
            )
        )

    async def __aenter__(self) -> "BotRuntime":
        await self._import_settings()
        await self.application.initialize()
        await self.dispatch_bot.initialize()
        await self.application.start()
        self.heartbeat.start()
        if self.console is not None:
            await self.console.start()  # on every instance: a standby's console works too
        await self._lead()
        if not self.active:
            logger.info("standing by: another instance is active")
        return self

    async def _import_settings(self) -> None:
        """The config file's clinic settings stored where none is yet; those it holds
        differently from the database are named, and the database's are used."""
        services = self.services
        live = services.live
        differing = await import_settings(
            services.database, services.clock, setting_values(live.file)
        )
        for setting in differing:
            logger.warning(
                "%s in %s differs from the clinic's setting in the database, which is used "
                "(an admin changes it on the console's Settings page)",
                setting.value,
                live.file.source.name,
            )
        differing_plans = await import_plans(
            services.database, services.clock, plan_tables(live.file)
        )
        for name in differing_plans:
            logger.warning(
                "plan %s in the file differs from its newest version in the database, which is "
                "used (staff edit plans on the console's Plans page)",
                name,
            )
        await live.refresh(services.database)
        self._refreshed_at = services.clock.now()  # the first beat need not read them again

    async def _settings(self) -> None:
        """Every instance takes the settings and plans as stored, once a tick (the beat is
        also woken when the console saves, and by every wake at start or of a test's clock:
        those wakes do not read them again); the active one posts what staff changed to the
        staff group."""
        services = self.services
        now = services.clock.now()
        if self._refreshed_at is None or now - self._refreshed_at >= REFRESH_EVERY:
            await services.live.refresh(services.database)
            self._refreshed_at = now
        if self.active:
            await post_setting_changes(self.application.bot, services)

    async def _lead(self) -> None:
        """Take or renew the lease; become active, or stand by, when that changes."""
        async with self._leading:  # the start and the beat may both ask at once
            holds = await self.leadership.hold()
            if holds and not self.active:
                await self._activate()
            elif not holds and self.active:
                await self._stand_by()

    async def _activate(self) -> None:
        application = self.application
        # Another instance may have marked patients unreachable while this one stood by.
        self.services.database.reachable_chats.clear()
        await self.dispatcher.recover()
        await self._on_startup()
        await handle_kept_updates(application, self.services.database)
        await self._take_updates()
        self.active = True
        logger.info(
            "bot @%s is running (active, as %s)", application.bot.username, self.leadership.me
        )
        self._introducing = asyncio.create_task(self._introduce())
        self.heartbeat.wake()

    async def _take_updates(self) -> None:
        """Long polling, or a webhook that Telegram posts to (behind the clinic's proxy)."""
        updater = self.application.updater
        assert updater is not None
        telegram = self.services.config.telegram
        if telegram.mode == "polling":
            await updater.start_polling(
                poll_interval=0.0, timeout=POLL_TIMEOUT_SECONDS, allowed_updates=Update.ALL_TYPES
            )
            return
        await updater.start_webhook(
            listen=telegram.listen,
            port=telegram.port,
            url_path=urlsplit(telegram.webhook_url).path.lstrip("/"),
            webhook_url=telegram.webhook_url,
            secret_token=telegram.secret_token.get_secret_value(),
            allowed_updates=Update.ALL_TYPES,
        )

    async def _stand_by(self) -> None:
        self.active = False
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()
        logger.warning("lost the leader lease: standing by")

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        application = self.application
        updates = application.update_processor
        assert isinstance(updates, ChatOrderedUpdates)
        if self.console is not None:
            await self.console.stop()
        if self._introducing is not None:
            self._introducing.cancel()
            await asyncio.gather(self._introducing, return_exceptions=True)
        await asyncio.gather(
            self.heartbeat.shutdown(self.stop_grace),
            updates.stop_handling(self.stop_grace),
            self._stop_taking_updates(),
        )
        if application.running:
            await application.stop()
        await keep_unhandled(self.services.database, updates.set_aside(), self.services.clock.now())
        await self.leadership.release()  # after the last send: the standby may start now
        await application.shutdown()
        await self.dispatch_bot.shutdown()
        await self.services.database.dispose()
        logger.info("bot stopped")

    async def _stop_taking_updates(self) -> None:
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()

    async def _dispatch(self) -> None:
        """One dispatcher round, then a wake armed for the next due row (the tick is the
        safety net): steps a few seconds apart go out each on time, not together at a tick."""
        if not self.active:
            return
        clock = self.services.clock
        started = clock.now()
        report = await self.dispatcher.deliver_due()
        if report != DeliveryReport():
            logger.info("dispatch round: %s", report)
        next_due = await self.dispatcher.next_due(after=started)
        self.heartbeat.wake_at(DISPATCH, next_due, clock.now())

    async def _forget_expired(self) -> None:
        if not self.active:
            return
        services = self.services
        privacy = services.config.privacy
        async with services.database.unit_of_work() as uow:
            forgotten = await forget_expired(
                uow, services.clock.now(), privacy.retain_after_course, privacy.on_delete
            )
        if forgotten:
            logger.info("%s patients forgotten after the retention period", forgotten)
        dropped = await BookingSync(
            services.database,
            services.clock,
            services.staff_requests,
            services.config.clinic.timezone,
        ).drop_old()
        if dropped:
            logger.info("%s bookings no patient matched dropped after two weeks", dropped)

    async def _post_digest(self) -> None:
        if self.active:
            await post_scheduled_digest(self.application.bot, self.services)

    async def _follow_up_courses(self) -> None:
        if not self.active:
            return
        services = self.services
        async with services.database.unit_of_work() as uow:
            added = await follow_up_unbooked_courses(
                uow, services.clock.now(), services.config.schedule.course_overdue_after
            )
        if added:
            self.heartbeat.wake(DISPATCH)

    async def _introduce(self) -> None:
        """The command menu in every language and the check of the staff chats, once the bot
        takes updates: on Telegram they are a dozen round trips no patient should wait for."""
        services = self.services
        bot = self.application.bot
        try:
            await publish_command_menu(bot, services.texts, services.config.clinic.language)
            unreachable = await log_staff_reach(bot, services.config, services.database)
            if unreachable:
                await StaffNotifier(bot, services)(
                    "staff_check.unreachable", who=", ".join(reach.who for reach in unreachable)
                )
        except TelegramError as error:
            logger.warning("the command menu or the staff check did not reach Telegram: %s", error)
        except (SQLAlchemyError, OSError) as error:  # a task's failure would otherwise go unseen
            logger.error("the staff chats could not be checked: %s", type(error).__name__)

    async def introduced(self) -> None:
        """Once the command menu is published and the staff chats checked (when active)."""
        if self._introducing is not None:
            await asyncio.shield(self._introducing)

    async def _on_startup(self) -> None:
        services = self.services
        await remember_username(
            services.database,
            bot_id(self.application.bot.token),
            self.application.bot.username,
            services.clock.now(),
        )
        async with services.database.unit_of_work() as uow:
            await uow.audit.record(
                AuditEvent(
                    occurred_at=services.clock.now(),
                    action="bot.started",
                    subject=f"@{self.application.bot.username}",
                    detail=f"version {__version__}",
                )
            )
            await uow.commit()


async def serve_until_signalled(config: Config, pause: "Pause | None" = None) -> None:
    """Wait for Telegram, run the bot until SIGINT or SIGTERM, then stop taking updates and
    shut down cleanly; a signal while Telegram is still away just ends the wait.

    Raises:
        telegram.error.InvalidToken: Telegram refused the token.
    """
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    if not await wait_for_telegram(config, stop, pause or Pause()):
        return
    async with BotRuntime(config):
        await stop.wait()


def run(config: Config) -> None:
    """Migrate the database, wait for Telegram, then run the bot in the foreground.

    Raises:
        InstanceLocked: another `run` uses the same SQLite database.
        telegram.error.InvalidToken: Telegram refused the token.
    """
    config.require_token()
    telegram = config.telegram
    logs.configure(
        config.logging.level,
        config.logging.json_lines,
        secrets=(telegram.token.get_secret_value(), telegram.secret_token.get_secret_value()),
    )
    with instance_lock(config.database_url):
        schema.bring_up_to_date(config.database_url)
        asyncio.run(serve_until_signalled(config))


# Pauses between attempts to reach Telegram at start: doubling from the first, capped.
FIRST_RETRY_SECONDS = 1.0
MAX_RETRY_SECONDS = 60.0


def retry_delay(attempt: int) -> float:
    """The pause after failed attempt number `attempt`: 1, 2, 4, ... seconds, at most 60."""
    doublings = min(attempt - 1, 32)  # enough to reach the cap, few enough for a float
    return min(FIRST_RETRY_SECONDS * 2.0**doublings, MAX_RETRY_SECONDS)


class Pause:
    """The wait between two attempts; a signal cuts it short (tests replace it)."""

    async def __call__(self, seconds: float, stop: asyncio.Event) -> None:
        """Wait `seconds`, or until `stop` is set."""
        try:
            await asyncio.wait_for(stop.wait(), seconds)
        except TimeoutError:
            return


async def wait_for_telegram(config: Config, stop: asyncio.Event, pause: Pause) -> bool:
    """Ask getMe until Telegram answers (True) or `stop` is set (False), pausing ever longer
    between attempts and logging one warning line for each one that fails.

    Raises:
        telegram.error.InvalidToken: Telegram refused the token (asking again would not help).
    """
    from telegram.error import NetworkError

    telegram = config.telegram
    attempt = 0
    while not stop.is_set():
        attempt += 1
        bot = telegram_bot(config.require_token(), telegram)
        try:
            async with bot:
                return True
        except NetworkError as error:  # refused, timed out, or a 5xx: Telegram may come back
            delay = retry_delay(attempt)
            logger.warning(
                "Telegram did not answer at %s (attempt %s: %s); trying again in %gs",
                telegram.base_url,
                attempt,
                error,
                delay,
            )
            await pause(delay, stop)
    return False
