"""3 and 5. Scale of the schedule: 1,000 / 100,000 / 1,000,000 pending messages in SQLite.

For each size a template database is built once (bulk INSERTs): one patient per 10 pending
messages spread over the next 90 days, and DUE_NOW patients whose first message is due now.
Each run copies the template, starts `python bot.py run` as a process of its own and times,
from the spawn, when it is ready (its command menu published) and when the first due message
reaches the simulator; once every due message is out and the bot has idled a few seconds, its
peak RSS (VmHWM) is read from /proc. The idle reference is the same bot with only the due
messages pending.

The alternative (benchmarks/jobqueue_baseline.py) re-adds the same number of reminders as
in-memory JobQueue jobs and is timed and weighed the same way, against the same simulator.
"""

import asyncio
import json
import math
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.harness import (
    FIRST_SIM_USER_ID,
    STARTUP_SECONDS,
    TOKEN,
    BotProcess,
    MessageRow,
    PatientRow,
    Telegram,
    bulk_connection,
    create_database,
    insert_messages,
    insert_patients,
    is_sent,
    now,
    write_config,
)
from benchmarks.options import Options, progress
from benchmarks.report import Section, fmt, median, verdict

DUE_NOW = 10
MESSAGES_PER_PATIENT = 10
HORIZON = timedelta(days=90)
FAR_CHAT_IDS = 900_000_000  # chats of patients with nothing due: never written to
BASELINE_SECONDS = 600.0
GOAL_FIRST_SEND = 2.0
GOAL_MEMORY_SPREAD = 0.20
GOAL_GROWTH_RATIO = 10.0
GROWTH_FLOOR_MIB = 0.5  # RSS differences below this are noise: ratios are "at least"
IDLE = 0


@dataclass(frozen=True)
class ScaleRun:
    """One start of the bot over `pending` messages."""

    pending: int
    ready: float
    first_send: float
    peak_mib: float
    rss_mib: float


@dataclass(frozen=True)
class BaselineRun:
    """One start of the JobQueue alternative with `jobs` reminders."""

    jobs: int
    first_send: float
    add_seconds: float
    idle_mib: float
    rss_mib: float

    @property
    def growth(self) -> float:
        """RSS the jobs hold, above the idle Application."""
        return self.rss_mib - self.idle_mib


def build_template(path: Path, pending: int, built_at: datetime) -> None:
    """The database for `pending` messages (IDLE: only the due ones)."""
    create_database(path)
    total = max(pending, DUE_NOW)
    patients = max(DUE_NOW, math.ceil(total / MESSAGES_PER_PATIENT))
    with bulk_connection(path) as connection:
        insert_patients(
            connection,
            (
                PatientRow(
                    number,
                    _due_chat(number) if number <= DUE_NOW else FAR_CHAT_IDS + number,
                    f"Patient{number}",
                )
                for number in range(1, patients + 1)
            ),
            built_at,
        )
        insert_messages(connection, _messages(pending, patients, built_at))


def _due_chat(patient: int) -> int:
    """The simulator users made after the admin, in order, get these ids."""
    return FIRST_SIM_USER_ID + patient


def _messages(pending: int, patients: int, built_at: datetime) -> Iterator[MessageRow]:
    due = built_at - timedelta(seconds=30)
    for number in range(1, DUE_NOW + 1):
        yield MessageRow(number, f"bench:{number}:due", "plan.evening", due, timedelta(days=1))
    future = max(pending - DUE_NOW, 0)
    if not future:
        return
    start = built_at + timedelta(days=1)
    spacing = (HORIZON - timedelta(days=1)) / future
    for index in range(future):
        patient = index % patients + 1
        yield MessageRow(
            patient, f"bench:{patient}:{index}", "plan.evening", start + index * spacing
        )


async def run_bot_once(template: Path, pending: int, settle: float) -> ScaleRun:
    """Start the bot over a copy of the template; time it and weigh it."""
    with tempfile.TemporaryDirectory(prefix="aftercare-scale-") as tmp:
        directory = Path(tmp)
        database = directory / "bench.sqlite3"
        shutil.copyfile(template, database)
        async with Telegram() as telegram:
            admin = telegram.add_users(1, "Admin")[0]
            due_users = telegram.add_users(DUE_NOW, "Patient")
            assert [user.id for user in due_users] == [_due_chat(n + 1) for n in range(DUE_NOW)]
            due_chats = {user.id for user in due_users}
            config = write_config(directory, telegram, database, admin.id)
            bot = BotProcess.aftercare(config)
            ready = telegram.watch(is_sent("setMyCommands"))
            first = telegram.watch(
                lambda call: is_sent("sendMessage")(call) and call.params["chat_id"] in due_chats
            )
            await bot.start()
            try:
                ready_call = await bot.until(ready, STARTUP_SECONDS)
                first_call = await bot.until(first, STARTUP_SECONDS)
                await _all_sent(telegram, due_chats, bot)
                await asyncio.sleep(settle)
                bot.check_alive()
                memory = bot.memory()
            finally:
                await bot.stop()
            return ScaleRun(
                pending=pending,
                ready=ready_call.at - bot.started_at,
                first_send=first_call.at - bot.started_at,
                peak_mib=memory.peak,
                rss_mib=memory.rss,
            )


async def _all_sent(telegram: Telegram, chats: set[int], bot: BotProcess) -> None:
    deadline = now() + STARTUP_SECONDS
    while now() < deadline:
        sent = {
            call.params["chat_id"]
            for call in telegram.calls
            if is_sent("sendMessage")(call) and call.params.get("chat_id") in chats
        }
        if sent == chats:
            return
        bot.check_alive()
        await asyncio.sleep(0.2)
    raise TimeoutError("the due messages were not all sent")


async def run_baseline_once(jobs: int, directory: Path) -> BaselineRun:
    """Start the JobQueue alternative with `jobs` reminders, one due now."""
    async with Telegram() as telegram:
        user = telegram.add_users(1, "Patient")[0]
        argv = [
            sys.executable,
            "-m",
            "benchmarks.jobqueue_baseline",
            f"--jobs={jobs}",
            f"--token={TOKEN}",
            f"--base-url={telegram.sim.base_url}",
            f"--chat-id={user.id}",
        ]
        process = BotProcess(argv, directory / f"jobqueue-{jobs}.log", reads_stdout=True)
        first = telegram.watch(is_sent("sendMessage", user.id))
        await process.start()
        try:
            first_call = await process.until(first, BASELINE_SECONDS)
            report = json.loads(await process.read_line(BASELINE_SECONDS))
        finally:
            await process.stop()
        return BaselineRun(
            jobs=jobs,
            first_send=first_call.at - process.started_at,
            add_seconds=float(report["add_and_start_seconds"]),
            idle_mib=float(report["idle_rss_mib"]),
            rss_mib=float(report["rss_mib"]),
        )


async def run(options: Options) -> list[Section]:
    """Tables 3 (ours) and 5a (ours against the JobQueue alternative)."""
    sizes = options.pick(full=(1_000, 100_000, 1_000_000), quick=(1_000, 100_000))
    settle = 2.0 if options.quick else 5.0
    ours: dict[int, list[ScaleRun]] = {}
    theirs: dict[int, list[BaselineRun]] = {}
    with tempfile.TemporaryDirectory(prefix="aftercare-templates-") as tmp:
        directory = Path(tmp)
        built_at = datetime.now(UTC)
        for pending in (IDLE, *sizes):
            template = directory / f"template-{pending}.sqlite3"
            began = now()
            await asyncio.to_thread(build_template, template, pending, built_at)
            progress(f"scale: template with {pending:,} pending built in {now() - began:.1f} s")
            for number in range(1, options.runs + 1):
                result = await run_bot_once(template, pending, settle)
                ours.setdefault(pending, []).append(result)
                progress(
                    f"scale {pending:,} pending, run {number}/{options.runs}: ready "
                    f"{result.ready:.2f} s, first send {result.first_send:.2f} s, "
                    f"peak RSS {result.peak_mib:.1f} MiB"
                )
            template.unlink()
        for jobs in (IDLE, *sizes):
            for number in range(1, options.runs + 1):
                baseline = await run_baseline_once(max(jobs, 1), directory)
                theirs.setdefault(jobs, []).append(baseline)
                progress(
                    f"JobQueue {jobs:,} jobs, run {number}/{options.runs}: first send "
                    f"{baseline.first_send:.2f} s, +{baseline.growth:.1f} MiB"
                )
    return [_scale_section(options, sizes, ours), _baseline_section(options, sizes, ours, theirs)]


def _scale_section(
    options: Options, sizes: tuple[int, ...], ours: dict[int, list[ScaleRun]]
) -> Section:
    section = Section(
        key="scale",
        title="3. Scale of the schedule (SQLite)",
        goal=f"first due message sent under {GOAL_FIRST_SEND:g} s after start; peak RSS within "
        f"{GOAL_MEMORY_SPREAD:.0%} from the smallest to the largest schedule",
        headers=[
            "pending",
            "ready s",
            "first send s",
            "peak RSS MiB",
            "above idle MiB",
            "goal (time)",
            "reproduce",
        ],
    )
    idle_peak = median(run.peak_mib for run in ours[IDLE])
    for pending, runs in ours.items():
        first_send = median(run.first_send for run in runs)
        peak = median(run.peak_mib for run in runs)
        section.rows.append(
            [
                "idle (due only)" if pending == IDLE else f"{pending:,}",
                fmt(median(run.ready for run in runs)),
                fmt(first_send),
                fmt(peak, 1),
                "" if pending == IDLE else fmt(peak - idle_peak, 1),
                verdict(first_send < GOAL_FIRST_SEND),
                options.command("scale") if pending == IDLE else options.command("scale", pending),
            ]
        )
    smallest = median(run.peak_mib for run in ours[min(sizes)])
    largest = median(run.peak_mib for run in ours[max(sizes)])
    spread = largest / smallest - 1
    section.notes += [
        f"Median of {options.runs} run(s). Times from spawning `python bot.py run` to the "
        "simulator logging setMyCommands (ready: imports, migration check, start-up calls) and "
        f"the first of the {DUE_NOW} due messages (first send).",
        f"Memory: peak RSS {largest:.1f} MiB at {max(sizes):,} pending against {smallest:.1f} MiB "
        f"at {min(sizes):,}: {spread:+.1%} — goal {verdict(abs(spread) <= GOAL_MEMORY_SPREAD)}.",
        f"One patient per {MESSAGES_PER_PATIENT} pending messages, spread over 90 days; "
        "peak RSS is VmHWM, read once the due messages are out and the bot has idled.",
    ]
    return section


def _baseline_section(
    options: Options,
    sizes: tuple[int, ...],
    ours: dict[int, list[ScaleRun]],
    theirs: dict[int, list[BaselineRun]],
) -> Section:
    section = Section(
        key="jobqueue",
        title="5a. Against a JobQueue job per reminder: start and memory",
        goal=f"at 100,000 pending, memory growth above the idle process at least "
        f"{GOAL_GROWTH_RATIO:g}x smaller than the JobQueue's",
        headers=[
            "pending",
            "JobQueue add+start s",
            "JobQueue first send s",
            "ours first send s",
            "first send ours/JobQueue",
            "JobQueue growth MiB",
            "ours growth MiB",
            "growth JobQueue/ours",
            "JobQueue KiB/job",
            "reproduce",
        ],
    )
    idle_peak = median(run.peak_mib for run in ours[IDLE])
    for pending in sizes:
        their_first = median(run.first_send for run in theirs[pending])
        our_first = median(run.first_send for run in ours[pending])
        their_growth = median(run.growth for run in theirs[pending])
        our_growth = median(run.peak_mib for run in ours[pending]) - idle_peak
        floor = our_growth < GROWTH_FLOOR_MIB
        ratio = their_growth / max(our_growth, GROWTH_FLOOR_MIB)
        section.rows.append(
            [
                f"{pending:,}",
                fmt(median(run.add_seconds for run in theirs[pending])),
                fmt(their_first),
                fmt(our_first),
                fmt(our_first / their_first),
                fmt(their_growth, 1),
                fmt(our_growth, 1),
                (">= " if floor else "") + fmt(ratio, 0) + "x",
                fmt(their_growth * 1024 / pending, 2),
                options.command("scale", pending),
            ]
        )
    at_goal = 100_000 in sizes
    if at_goal:
        their_growth = median(run.growth for run in theirs[100_000])
        our_growth = median(run.peak_mib for run in ours[100_000]) - idle_peak
        met = their_growth >= GOAL_GROWTH_RATIO * max(our_growth, 0.0)
        section.notes.append(f"Goal at 100,000 pending: {verdict(met)}.")
    else:
        section.notes.append("Goal at 100,000 pending: not measured at these sizes (n/a).")
    idle_theirs = median(run.idle_mib for run in theirs[IDLE])
    section.notes += [
        f"Median of {options.runs} run(s). The JobQueue process (benchmarks/jobqueue_baseline.py) "
        "imports only python-telegram-bot, initializes an Application, adds the reminders as "
        "run_once jobs in time order (its cheapest order) before starting it, and sends the due "
        f"one; idle it holds {idle_theirs:.1f} MiB against {idle_peak:.1f} MiB peak for our idle "
        "bot (which also loads SQLAlchemy and aiosqlite, APScheduler, pydantic, Babel, "
        "tornado...).",
        "Growth: theirs is RSS after adding minus RSS before (memory the jobs hold); ours is "
        "peak RSS minus the idle bot's peak RSS. Differences under "
        f"{GROWTH_FLOOR_MIB} MiB are noise, so such a ratio is a lower bound (>=).",
        "The JobQueue jobs set misfire_grace_time=None: with APScheduler's default (1 s) the "
        "reminder due at start is dropped as missed whenever adding the others takes longer.",
    ]
    return section
