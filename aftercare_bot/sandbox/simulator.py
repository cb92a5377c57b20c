"""TelegramSimulator: a local Telegram for running the real bot against, with no internet.

It serves the Bot API over HTTP on 127.0.0.1 so python-telegram-bot talks to it exactly as to
api.telegram.org, and offers an in-process control API (SimUser actions, transcript, waits)
so tests and demos read like what people do.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any

from aiohttp import web

from .chats import SUPERGROUP, SimChat
from .control_http import ControlRoutes
from .dispatch import Dispatcher
from .faults import Faults
from .rate_limits import RateLimiter, RateLimits
from .server import BotApiRoutes, create_app, install_fallback
from .transcript import TranscriptEvent, format_event
from .users import SimUser
from .webhook import WebhookForwarder
from .world import ApiCall, BotIdentity, World

DEFAULT_BOT_ID = 123456
# Shaped like a real token (digits, a colon, 20+ of A-Z a-z 0-9 _ -) so that a bot which
# validates its token, as aftercare_bot's config does, accepts it.
DEFAULT_TOKEN = "123456:TEST-sandbox-token-not-a-secret"
SHUTDOWN_TIMEOUT = 2.0


class TelegramSimulator:
    """One simulated Telegram with one bot in it."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "aftercare_demo_bot",
        bot_first_name: str = "Aftercare",
        rate_limits: bool = True,
        limits: RateLimits | None = None,
        query_max_age: float = 15.0,
        privacy_mode: bool = True,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        prefix = token.split(":", 1)[0]
        bot = BotIdentity(
            id=int(prefix) if prefix.isdigit() else DEFAULT_BOT_ID,
            first_name=bot_first_name,
            username=bot_username,
            privacy_mode=privacy_mode,
        )
        self.token = token
        self.host = host
        self.port = port
        self.world = World(bot, clock=clock, monotonic=monotonic, query_max_age=query_max_age)
        self.faults = Faults(self.world.migrate_group, monotonic=monotonic)
        self.limiter = RateLimiter(limits or RateLimits(), enabled=rate_limits, monotonic=monotonic)
        self._dispatcher = Dispatcher(self.world, self.faults, self.limiter)
        self._runner: web.AppRunner | None = None
        self._forwarders: list[WebhookForwarder] = []

    async def __aenter__(self) -> TelegramSimulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def bot(self) -> BotIdentity:
        """The simulated bot's identity (id, username, first name)."""
        return self.world.bot

    @property
    def url(self) -> str:
        """Root URL of the running server."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """Pass to ApplicationBuilder.base_url (python-telegram-bot appends the token)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """Pass to ApplicationBuilder.base_file_url."""
        return f"{self.url}/file/bot"

    async def start(self, host: str | None = None, port: int | None = None) -> None:
        """Bind and serve; port 0 (the default) picks a free port, readable from `port`."""
        if self._runner is not None:
            raise RuntimeError("simulator already started")
        self.host = host or self.host
        app = create_app()
        BotApiRoutes(self.token, self._dispatcher, self.world.files).install(app)
        ControlRoutes(self).install(app)
        install_fallback(app)
        runner = web.AppRunner(
            app, handler_cancellation=True, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT
        )
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port if port is None else port)
        try:
            await site.start()
        except OSError:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = int(runner.addresses[0][1])

    def forward_webhook_to(self, target: str) -> WebhookForwarder:
        """Play the clinic's reverse proxy: once the bot sets a webhook, post updates to
        `target` (its local listener) with the secret token, as Telegram would."""
        forwarder = WebhookForwarder(self.world, target)
        forwarder.start()
        self._forwarders.append(forwarder)
        return forwarder

    async def stop(self) -> None:
        """Release pending long polls and shut the server down."""
        for forwarder in self._forwarders:
            await forwarder.stop()
        self.world.updates.close()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    def add_user(
        self,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        started: bool = False,
    ) -> SimUser:
        """Create a person; until she writes to the bot, it cannot message her (403)."""
        user = SimUser(
            self.world,
            self.world.next_user_id(),
            first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            started=started,
        )
        self.world.register_user(user)
        return user

    def add_group(
        self,
        title: str,
        members: Iterable[SimUser] = (),
        *,
        username: str | None = None,
        type: str = SUPERGROUP,
        owner: SimUser | None = None,
        admins: Iterable[SimUser] = (),
        bot_status: str = "member",
    ) -> SimChat:
        """Create a group ("supergroup" or "group"); the bot is in it unless bot_status="left"."""
        if type not in ("group", SUPERGROUP):
            raise ValueError(f"unsupported group type {type!r}")
        chat = SimChat(
            id=self.world.next_chat_id(type),
            type=type,
            title=title,
            username=username,
            members=list(members),
            owner=owner,
            admins=list(admins),
            bot_status=bot_status,
        )
        self.world.register_chat(chat)
        return chat

    def user(self, user_id: int) -> SimUser:
        """Look a simulated user up by id."""
        return self.world.users[user_id]

    def chat(self, chat_id: int) -> SimChat:
        """Look a chat (private or group) up by id."""
        return self.world.chats[chat_id]

    def messages_in(self, chat: int | SimChat | SimUser) -> list[dict[str, Any]]:
        """Bot messages currently visible in a chat, edits applied, deletions removed."""
        return self.world.messages_in(_chat_id(chat))

    def file_bytes(self, file_id: str) -> bytes:
        """The content of a file the bot (or a user) sent, by its file_id."""
        stored = self.world.files.get(file_id)
        if stored is None:
            raise LookupError(f"no file with id {file_id!r}")
        return stored.data

    @property
    def api_calls(self) -> list[ApiCall]:
        """Every Bot API request so far: (monotonic time, method, params, status, error)."""
        return list(self.world.api_calls)

    def calls(self, method: str) -> list[ApiCall]:
        """The logged requests of one method (any letter case)."""
        return [call for call in self.world.api_calls if call.method.lower() == method.lower()]

    @property
    def transcript(self) -> list[TranscriptEvent]:
        """Everything visible that happened, in order."""
        return list(self.world.transcript.events)

    @property
    def pending_updates(self) -> int:
        """Updates queued for the bot and not yet confirmed."""
        return self.world.updates.pending_count

    def mark(self) -> int:
        """The current transcript position, for `wait_for(..., since=sim.mark())`."""
        return len(self.world.transcript.events)

    def format_transcript(self, event: TranscriptEvent) -> str:
        """Render one event as a readable log line."""
        return format_event(event)

    def transcript_lines(self) -> list[str]:
        """Render the whole transcript."""
        return self.world.transcript.lines()

    def commands(self, scope: dict[str, Any] | None = None, language_code: str = "") -> list[str]:
        """Command names the bot registered for a scope (default scope by default)."""
        key = (json.dumps(scope or {"type": "default"}, sort_keys=True), language_code)
        return [command["command"] for command in self.world.commands.get(key, [])]

    async def wait_for(
        self,
        predicate: Callable[[TranscriptEvent], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 - on expiry the error shows the transcript tail
        *,
        since: int = 0,
    ) -> TranscriptEvent:
        """First transcript event after position `since` matching `predicate`, waiting if needed."""

        def check() -> TranscriptEvent | None:
            return next((e for e in self.world.transcript.after(since) if predicate(e)), None)

        try:
            return await self.world.changed.wait_until(check, timeout)
        except TimeoutError:
            tail = "\n".join(self.transcript_lines()[-12:]) or "(empty)"
            raise TimeoutError(f"no matching event within {timeout}s; tail:\n{tail}") from None

    async def wait_for_poll(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109 - see wait_for
        """Wait until the bot holds a getUpdates long poll open, i.e. it is ready for updates."""
        try:
            await self.world.changed.wait_until(
                lambda: True if self.world.updates.polling else None, timeout
            )
        except TimeoutError:
            raise TimeoutError(f"the bot did not start long polling within {timeout}s") from None

    async def wait_for_call(
        self,
        method: str,
        timeout: float = 5.0,  # noqa: ASYNC109 - see wait_for
        *,
        predicate: Callable[[ApiCall], bool] | None = None,
        since: int = 0,
    ) -> ApiCall:
        """First logged call of `method` (index >= `since`) matching `predicate`."""

        def check() -> ApiCall | None:
            calls = self.world.api_calls[since:]
            return next(
                (
                    c
                    for c in calls
                    if c.method.lower() == method.lower() and (predicate is None or predicate(c))
                ),
                None,
            )

        try:
            return await self.world.changed.wait_until(check, timeout)
        except TimeoutError:
            raise TimeoutError(f"no {method} call within {timeout}s") from None


def _chat_id(chat: int | SimChat | SimUser) -> int:
    if isinstance(chat, SimUser):
        return chat.private_chat.id
    if isinstance(chat, SimChat):
        return chat.id
    return chat
