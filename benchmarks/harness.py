"""What every benchmark shares: the simulated Telegram, the bot as a real process, its data.

The bot runs as `python bot.py run --config ...`, exactly as a clinic runs it, in a process
of its own (so its RSS is its own and it has a core to itself); the simulator, with Telegram's
flood limits on, runs in the benchmark's process. Patients and their schedule are written
straight into the database in bulk (benchmarks/databases.py: SQLite or PostgreSQL), as months of
follow-up would leave them.
"""

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from aftercare_bot.sandbox import ApiCall, SimChat, SimUser, TelegramSimulator
from benchmarks.databases import Loader, Target
from benchmarks.memory import Memory, memory_of
from benchmarks.report import REPOSITORY

T = TypeVar("T")

TOKEN = "123456789:AAbenchmark-token-for-the-simulator"
STARTUP_SECONDS = 60.0
STOP_SECONDS = 15.0
SENT_OK = 200
TOO_MANY_REQUESTS = 429
# The first user the simulator creates gets this id (sandbox/world.py), the next ones count up.
FIRST_SIM_USER_ID = 700_000_001

CONFIG = """\
[telegram]
token = "{token}"
base_url = "{base_url}"
base_file_url = "{base_file_url}"

[database]
url = "{database_url}"

[clinic]
name = "Benchmark Clinic"
timezone = "Europe/London"
phone = "+44 20 7946 0000"
emergency_number = "999"
hours = "Mon-Sun 00:00-23:59"

[staff]
admin_ids = [{admin_id}]
{escalation}digest_at = "off"

[schedule]
quiet_hours = "off"
{delivery}"""


def now() -> float:
    """The benchmark's one clock: wall-clock seconds, monotonic (the simulator uses it too)."""
    return time.perf_counter()


class Telegram:
    """The simulator with flood limits on, plus a log of calls and update hand-outs to wait on.

    The simulator is observed, not changed: its call log and its update queue are wrapped on
    this instance only. `ApiCall.at` and every time here are `time.perf_counter()` seconds.
    """

    def __init__(self) -> None:
        self.sim = TelegramSimulator(
            token=TOKEN, bot_username="aftercare_bench_bot", monotonic=now, rate_limits=True
        )
        self.handed_out: dict[tuple[Any, ...], float] = {}
        # When each getUpdates reached the simulator (who polls after a kill is the standby).
        self.polls: list[float] = []
        self._waiters: list[tuple[Callable[[ApiCall], bool], asyncio.Future[ApiCall]]] = []
        world = self.sim.world
        log_call = world.log_call
        poll = world.updates.poll

        def observed_log_call(call: ApiCall) -> None:
            log_call(call)
            self._on_call(call)

        async def observed_poll(*args: Any, **kwargs: Any) -> list[dict[str, Any]]:
            self.polls.append(now())
            batch: list[dict[str, Any]] = await poll(*args, **kwargs)
            moment = now()
            for update in batch:
                key = update_key(update)
                if key is not None and key not in self.handed_out:
                    self.handed_out[key] = moment
            return batch

        setattr(world, "log_call", observed_log_call)  # noqa: B010 - an instance, not the class
        setattr(world.updates, "poll", observed_poll)  # noqa: B010

    async def __aenter__(self) -> "Telegram":
        await self.sim.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        for _, future in self._waiters:
            future.cancel()
        await self.sim.stop()

    @property
    def first_poll(self) -> float | None:
        """When the first getUpdates reached the simulator (the process is ready for updates)."""
        return self.polls[0] if self.polls else None

    @property
    def calls(self) -> list[ApiCall]:
        """Every Bot API call so far (the simulator's own list, not a copy)."""
        return self.sim.world.api_calls

    def add_users(self, count: int, prefix: str) -> list[SimUser]:
        """People who have pressed Start (the bot may write to them)."""
        return [self.sim.add_user(f"{prefix}{i}", started=True) for i in range(count)]

    def add_staff_group(self, admin: SimUser) -> SimChat:
        """The clinic's staff group, with the bot in it."""
        return self.sim.add_group("Clinic staff", [admin])

    def watch(self, predicate: Callable[[ApiCall], bool]) -> asyncio.Future[ApiCall]:
        """A future for the next call matching `predicate` (from now on)."""
        future: asyncio.Future[ApiCall] = asyncio.get_running_loop().create_future()
        self._waiters.append((predicate, future))
        return future

    def _on_call(self, call: ApiCall) -> None:
        if not self._waiters:
            return
        for predicate, future in self._waiters:
            if not future.done() and predicate(call):
                future.set_result(call)
        self._waiters = [(p, f) for p, f in self._waiters if not f.done()]

    def latest_bot_message(self, chat_id: int) -> dict[str, Any] | None:
        """The newest live message the bot sent in a chat, as it looks now."""
        world = self.sim.world
        chat = world.chats[chat_id]
        for message_id in range(chat.last_message_id, 0, -1):
            stored = world.message(chat_id, message_id)
            if stored is not None and stored.from_bot:
                return stored.payload
        return None


def update_key(update: dict[str, Any]) -> tuple[Any, ...] | None:
    """What identifies an update to the load generator: a press by its query id, a message by
    its chat and id."""
    if "callback_query" in update:
        return ("press", str(update["callback_query"]["id"]))
    message = update.get("message")
    if message is not None:
        return ("message", int(message["chat"]["id"]), int(message["message_id"]))
    return None


def is_sent(method: str, chat_id: int | None = None) -> Callable[[ApiCall], bool]:
    """A predicate: a successful call of `method` (to `chat_id` if given)."""
    lowered = method.lower()

    def check(call: ApiCall) -> bool:
        return (
            call.status == SENT_OK
            and call.method.lower() == lowered
            and (chat_id is None or call.params.get("chat_id") == chat_id)
        )

    return check


def too_many_requests(calls: Iterable[ApiCall], since: float = 0.0) -> int:
    """How many calls Telegram answered with 429 since `since`."""
    return sum(1 for call in calls if call.status == TOO_MANY_REQUESTS and call.at >= since)


def write_config(
    directory: Path,
    telegram: Telegram,
    database: Target,
    admin_id: int,
    *,
    escalation_chat_id: int | None = None,
    max_per_second: float | None = None,
) -> Path:
    """The bot's config.toml: the simulator, the database, no quiet hours, no digest."""
    sim = telegram.sim
    delivery = (
        "" if max_per_second is None else f"\n[delivery]\nmax_per_second = {max_per_second}\n"
    )
    escalation = (
        "" if escalation_chat_id is None else f"escalation_chat_id = {escalation_chat_id}\n"
    )
    path = directory / "config.toml"
    path.write_text(
        CONFIG.format(
            token=TOKEN,
            base_url=sim.base_url,
            base_file_url=sim.base_file_url,
            database_url=database.url,
            admin_id=admin_id,
            escalation=escalation,
            delivery=delivery,
        ),
        encoding="utf-8",
    )
    return path


class BotProcess:
    """A real process started against the simulator and stopped with SIGTERM."""

    def __init__(self, argv: Sequence[str], log: Path, *, reads_stdout: bool = False) -> None:
        self.argv = list(argv)
        self.log = log
        self.reads_stdout = reads_stdout
        self.started_at = 0.0
        self._process: asyncio.subprocess.Process | None = None

    @classmethod
    def aftercare(cls, config: Path) -> "BotProcess":
        """`python bot.py run --config PATH`, logging next to the config."""
        argv = [sys.executable, str(REPOSITORY / "bot.py"), "run", "--config", str(config)]
        return cls(argv, config.parent / "bot.log")

    @property
    def pid(self) -> int:
        """The running process's id."""
        assert self._process is not None
        return self._process.pid

    async def start(self) -> None:
        """Spawn it; `started_at` is taken just before the spawn."""
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "PTB_TIMEDELTA": "true"}
        with self.log.open("ab") as log:
            self.started_at = now()
            self._process = await asyncio.create_subprocess_exec(
                *self.argv,
                cwd=REPOSITORY,
                env=env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE if self.reads_stdout else log,
                stderr=log,
            )

    async def read_line(self, within: float) -> str:
        """One line the process printed on stdout."""
        assert self._process is not None and self._process.stdout is not None
        line = await asyncio.wait_for(self._process.stdout.readline(), within)
        if not line:
            raise RuntimeError(f"{self.argv[1]} exited early; log tail:\n{self.log_tail()}")
        return line.decode().strip()

    def memory(self) -> Memory:
        """Its memory now."""
        return memory_of(self.pid)

    def check_alive(self) -> None:
        """Fail loudly when the process died, with the end of its log (which says why)."""
        if self._process is not None and self._process.returncode is not None:
            raise RuntimeError(self._death())

    async def until(self, future: asyncio.Future[T], within: float) -> T:
        """The future's result, unless the process dies or `within` seconds pass first."""
        assert self._process is not None
        exited: asyncio.Future[Any] = asyncio.ensure_future(self._process.wait())
        either: set[asyncio.Future[Any]] = {future, exited}
        try:
            done, _ = await asyncio.wait(
                either, timeout=within, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            exited.cancel()
        if future in done:
            return future.result()
        future.cancel()
        if exited in done:
            raise RuntimeError(self._death())
        raise TimeoutError(f"nothing within {within:g} s; log tail:\n{self.log_tail()}")

    def log_tail(self, lines: int = 15) -> str:
        """The last lines the process logged."""
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def _death(self) -> str:
        assert self._process is not None
        code = self._process.returncode
        return f"{self.argv[1]} exited with {code}; log tail:\n{self.log_tail()}"

    async def kill(self) -> float:
        """SIGKILL, as a crash or an OOM kill would end it; when it was sent."""
        assert self._process is not None
        killed_at = now()
        with contextlib.suppress(ProcessLookupError):
            self._process.kill()
        await self._process.wait()
        return killed_at

    async def stop(self) -> None:
        """SIGTERM, then SIGKILL if it does not stop in time."""
        process = self._process
        if process is None or process.returncode is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), STOP_SECONDS)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()


# --- the database, filled directly ------------------------------------------------------------


@dataclass(frozen=True)
class PatientRow:
    """A linked patient: the bot may write to `chat_id`."""

    id: int
    chat_id: int
    name: str


@dataclass(frozen=True)
class MessageRow:
    """One pending plan message (`kind` "info") in the outbox."""

    patient_id: int
    unique_key: str
    message_key: str
    due_at: datetime
    valid_for: timedelta = timedelta(hours=6)


PATIENT_COLUMNS = (
    "id",
    "code",
    "display_name",
    "language",
    "timezone",
    "practitioner",
    "status",
    "chat_id",
    "enrolled_at",
)


def insert_patients(loader: Loader, rows: Iterable[PatientRow], at: datetime) -> None:
    """Linked patients in London, enrolled at `at`; codes are B + the id (8 characters max)."""
    loader.insert(
        "patients",
        PATIENT_COLUMNS,
        (
            (
                row.id,
                f"B{row.id}",
                row.name,
                "en",
                "Europe/London",
                "Dr Lee",
                "linked",
                row.chat_id,
                at,
            )
            for row in rows
        ),
    )


def insert_messages(loader: Loader, rows: Iterable[MessageRow]) -> None:
    """Pending plan messages, inserted in the order given (ids count up in that order)."""
    loader.insert(
        "scheduled_messages",
        (
            "unique_key",
            "patient_id",
            "kind",
            "message_key",
            "due_at",
            "valid_until",
            "state",
            "priority",
            "attempts",
        ),
        (
            (
                row.unique_key,
                row.patient_id,
                "info",
                row.message_key,
                row.due_at,
                row.due_at + row.valid_for,
                "pending",
                50,
                0,
            )
            for row in rows
        ),
    )
