"""3 and 5. Scale of the schedule: 1,000 / 100,000 / 1,000,000 pending messages, and the same
schedule kept the two usual APScheduler ways.

For each size a template database is built once (bulk INSERTs): one patient per 10 pending
messages spread over the next 90 days, and DUE_NOW patients whose message is due now. Each run
copies the template, starts `python bot.py run` as a process of its own and times, from the
spawn, its first getUpdates (it is ready for patients) and the first due message reaching the
simulator; once every due message is out and the bot has idled a few seconds, its peak RSS
(VmHWM) is read from /proc. The idle reference is the same bot with only the due messages.

The alternatives (benchmarks/jobqueue_baseline.py) hold the same reminders as one APScheduler
job each: in memory through python-telegram-bot's JobQueue (re-added at every start), and in
APScheduler's SQLAlchemy job store on SQLite (a template file, copied per run like ours). They
are started, timed and weighed exactly the same way, in the same runs, against the same
simulator.
"""

import asyncio
import math
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.databases import SQLITE, Backend, Target
from benchmarks.harness import (
    FIRST_SIM_USER_ID,
    STARTUP_SECONDS,
    TOKEN,
    BotProcess,
    MessageRow,
    PatientRow,
    Telegram,
    insert_messages,
    insert_patients,
    is_sent,
    now,
    write_config,
)
from benchmarks.jobqueue_baseline import build_job_store
from benchmarks.options import Options, progress
from benchmarks.report import Section, fmt, median, not_measured, verdict

DUE_NOW = 10
MESSAGES_PER_PATIENT = 10
HORIZON = timedelta(days=90)
FAR_CHAT_IDS = 900_000_000  # chats of patients with nothing due: never written to
BASELINE_SECONDS = 600.0  # the JobQueue re-adds a million jobs before its first send
GOAL_FIRST_SEND = 2.0
GOAL_MEMORY_SPREAD = 0.20
GOAL_GROWTH_RATIO = 10.0
GOAL_GROWTH_AT = 100_000
GROWTH_FLOOR_MIB = 0.5  # RSS differences below this are noise: ratios are "at least"
IDLE = 0

OURS, JOBQUEUE, JOBSTORE = f"ours:{SQLITE}", "jobqueue", "jobstore"
LABELS = {
    JOBQUEUE: "PTB JobQueue (in memory)",
    JOBSTORE: "APScheduler SQLAlchemyJobStore (SQLite)",
}


def ours(database: str) -> str:
    """The kind of start that is ours on `database` (OURS is ours on SQLite)."""
    return f"ours:{database}"


def label(kind: str) -> str:
    """The process as the table names it."""
    if kind.startswith("ours:"):
        return f"aftercare_bot (its own table, {kind.removeprefix('ours:')})"
    return LABELS[kind]


@dataclass(frozen=True)
class Start:
    """One start of one process over `pending` reminders, timed and weighed from outside."""

    kind: str
    pending: int
    first_poll: float  # spawn to its first getUpdates reaching the simulator
    first_send: float  # spawn to the first due message logged by the simulator
    peak_mib: float  # VmHWM, read once the due messages are out and it has idled


def build_template(database: Target, pending: int, built_at: datetime) -> None:
    """The database for `pending` messages (IDLE: only the due ones)."""
    database.create()
    total = max(pending, DUE_NOW)
    patients = max(DUE_NOW, math.ceil(total / MESSAGES_PER_PATIENT))
    with database.bulk() as loader:
        insert_patients(
            loader,
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
        insert_messages(loader, _messages(pending, patients, built_at))


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


def _due_chats() -> list[int]:
    return [_due_chat(number) for number in range(1, DUE_NOW + 1)]


def _users(telegram: Telegram) -> tuple[int, set[int]]:
    """The admin, then the patients whose message is due (the chats the templates name)."""
    admin = telegram.add_users(1, "Admin")[0]
    due_users = telegram.add_users(DUE_NOW, "Patient")
    chats = [user.id for user in due_users]
    assert chats == _due_chats(), "the simulator numbered its users differently"
    return admin.id, set(chats)


async def run_ours(backend: Backend, template: Target, pending: int, settle: float) -> Start:
    """Start the bot over a copy of the template; time it and weigh it."""
    with tempfile.TemporaryDirectory(prefix="aftercare-scale-") as tmp:
        directory = Path(tmp)
        database = backend.target(directory, "bench")
        await asyncio.to_thread(database.create, template)
        try:
            async with Telegram() as telegram:
                admin_id, due_chats = _users(telegram)
                config = write_config(directory, telegram, database, admin_id)
                bot = BotProcess.aftercare(config)
                first_poll, first_send, peak = await _time_and_weigh(
                    telegram, bot, due_chats, settle, STARTUP_SECONDS
                )
        finally:
            await asyncio.to_thread(database.drop)
    return Start(ours(backend.name), pending, first_poll, first_send, peak)


async def run_baseline(kind: str, pending: int, settle: float, store: Path | None) -> Start:
    """Start a baseline process with `pending` reminders (from a copy of the SQLAlchemy job
    store template `store`, or re-added in memory)."""
    with tempfile.TemporaryDirectory(prefix="aftercare-baseline-") as tmp:
        directory = Path(tmp)
        argv = [sys.executable, "-m", "benchmarks.jobqueue_baseline"]
        if kind == JOBSTORE:
            assert store is not None
            database = directory / "jobs.sqlite3"
            shutil.copyfile(store, database)
            argv += ["--store=sqlalchemy", f"--database={database}"]
        else:
            argv.append("--store=memory")
        async with Telegram() as telegram:
            _, due_chats = _users(telegram)
            argv += [
                f"--jobs={max(pending, DUE_NOW)}",
                f"--token={TOKEN}",
                f"--base-url={telegram.sim.base_url}",
                "--due-chats=" + ",".join(str(chat) for chat in sorted(due_chats)),
            ]
            process = BotProcess(argv, directory / "baseline.log")
            first_poll, first_send, peak = await _time_and_weigh(
                telegram, process, due_chats, settle, BASELINE_SECONDS
            )
    return Start(kind, pending, first_poll, first_send, peak)


async def _time_and_weigh(
    telegram: Telegram, process: BotProcess, due_chats: set[int], settle: float, within: float
) -> tuple[float, float, float]:
    """Spawn the process: seconds to its first getUpdates and to the first due message, and
    its peak RSS (MiB) once the due messages are out and it has idled `settle` s."""
    first = telegram.watch(
        lambda call: is_sent("sendMessage")(call) and call.params["chat_id"] in due_chats
    )
    await process.start()
    try:
        first_call = await process.until(first, within)
        await _all_sent(telegram, due_chats, process)
        first_poll = await _first_poll(telegram, process)
        await asyncio.sleep(settle)
        process.check_alive()
        memory = process.memory()
    finally:
        await process.stop()
    return (
        first_poll - process.started_at,
        first_call.at - process.started_at,
        memory.peak,
    )


async def _all_sent(telegram: Telegram, chats: set[int], process: BotProcess) -> None:
    deadline = now() + STARTUP_SECONDS
    while now() < deadline:
        sent = {
            call.params["chat_id"]
            for call in telegram.calls
            if is_sent("sendMessage")(call) and call.params.get("chat_id") in chats
        }
        if sent == chats:
            return
        process.check_alive()
        await asyncio.sleep(0.2)
    raise TimeoutError("the due messages were not all sent")


async def _first_poll(telegram: Telegram, process: BotProcess) -> float:
    deadline = now() + STARTUP_SECONDS
    while telegram.first_poll is None:
        if now() > deadline:
            raise TimeoutError(f"no getUpdates; log tail:\n{process.log_tail()}")
        process.check_alive()
        await asyncio.sleep(0.05)
    return telegram.first_poll


async def run(options: Options) -> list[Section]:
    """Table 3 (ours) and 5a (ours against the two APScheduler ways, idle footprint first)."""
    sizes = options.pick(full=(1_000, 100_000, 1_000_000), quick=(1_000, 100_000))
    settle = _settle(options)
    starts: Starts = {}
    measurable = options.backends()  # PostgreSQL is asked once whether it answers
    backends = [backend for backend in measurable if not backend.missing]
    missing = {b.name: b.missing for b in measurable if b.missing}
    kinds = [ours(backend.name) for backend in backends] + [JOBQUEUE, JOBSTORE]
    with tempfile.TemporaryDirectory(prefix="aftercare-templates-") as tmp:
        directory = Path(tmp)
        built_at = datetime.now(UTC)
        for pending in (IDLE, *sizes):
            templates = {b.name: b.target(directory, f"template{pending}") for b in backends}
            store = directory / f"jobstore-{pending}.sqlite3"
            began = now()
            for template in templates.values():
                await asyncio.to_thread(build_template, template, pending, built_at)
            built = now()
            await asyncio.to_thread(
                build_job_store, store, max(pending, DUE_NOW), _due_chats(), built_at
            )
            progress(
                f"scale: templates with {pending:,} pending built in {built - began:.1f} s "
                f"(ours, {len(templates)} database(s)), {now() - built:.1f} s (SQLAlchemy job "
                "store)"
            )
            for number in range(1, options.runs + 1):
                # The three side by side in each run, so that a busy moment touches all three.
                for backend in backends:
                    _record(
                        starts,
                        await run_ours(backend, templates[backend.name], pending, settle),
                        number,
                        options.runs,
                    )
                for kind in (JOBQUEUE, JOBSTORE):
                    _record(
                        starts,
                        await run_baseline(kind, pending, settle, store),
                        number,
                        options.runs,
                    )
            for template in templates.values():
                await asyncio.to_thread(template.drop)
            store.unlink()
    return [
        _scale_section(options, sizes, starts, missing),
        _baseline_section(options, sizes, starts, kinds, missing),
    ]


Starts = dict[tuple[str, int], list[Start]]


def _record(starts: Starts, start: Start, number: int, runs: int) -> None:
    starts.setdefault((start.kind, start.pending), []).append(start)
    progress(
        f"scale {start.pending:,} pending, {label(start.kind)}, run {number}/{runs}: first "
        f"getUpdates {start.first_poll:.2f} s, first send "
        f"{start.first_send:.2f} s, peak RSS {start.peak_mib:.1f} MiB"
    )


def _settle(options: Options) -> float:
    """Seconds a process idles, once its due messages are out, before its memory is read."""
    return 2.0 if options.quick else 3.0


def _peak(starts: dict[tuple[str, int], list[Start]], kind: str, pending: int) -> float:
    return median(start.peak_mib for start in starts[(kind, pending)])


def _growth(starts: dict[tuple[str, int], list[Start]], kind: str, pending: int) -> float:
    """Peak RSS above the same process's idle peak (medians of both)."""
    return _peak(starts, kind, pending) - _peak(starts, kind, IDLE)


def _ratio(theirs: float, ours: float) -> str:
    """Their growth over ours; a growth under GROWTH_FLOOR_MIB is noise, counted as the floor
    (the ratio is then a bound)."""
    floor = GROWTH_FLOOR_MIB
    if theirs < floor and ours < floor:
        return "both noise"
    if theirs < floor:
        return "< " + fmt(floor / ours, 1) + "x"
    if ours < floor:
        return ">= " + fmt(theirs / floor, 1) + "x"
    return fmt(theirs / ours, 1) + "x"


def _scale_section(
    options: Options, sizes: tuple[int, ...], starts: Starts, missing: dict[str, str]
) -> Section:
    section = Section(
        key="scale",
        title="3. Scale of the schedule",
        goal=f"first due message sent under {GOAL_FIRST_SEND:g} s after start; peak RSS within "
        f"{GOAL_MEMORY_SPREAD:.0%} from the smallest to the largest schedule",
        headers=[
            "database",
            "pending",
            "first getUpdates s",
            "first send s",
            "peak RSS MiB",
            "above idle MiB",
            "goal (time)",
            "reproduce",
        ],
    )
    databases = sorted(
        {kind.removeprefix("ours:") for kind, _ in starts if kind.startswith("ours:")},
        key=lambda name: name != SQLITE,
    )
    spreads = []
    for database in databases:
        kind = ours(database)
        for pending in (IDLE, *sizes):
            runs = starts[(kind, pending)]
            first_send = median(run.first_send for run in runs)
            section.rows.append(
                [
                    database,
                    f"idle ({DUE_NOW} due)" if pending == IDLE else f"{pending:,}",
                    fmt(median(run.first_poll for run in runs)),
                    fmt(first_send),
                    fmt(_peak(starts, kind, pending), 1),
                    "" if pending == IDLE else fmt(_growth(starts, kind, pending), 1),
                    verdict(first_send < GOAL_FIRST_SEND),
                    options.command("scale", None if pending == IDLE else pending, database),
                ]
            )
        smallest = _peak(starts, kind, min(sizes))
        largest = _peak(starts, kind, max(sizes))
        spread = largest / smallest - 1
        spreads.append(
            f"{database}: peak RSS {largest:.1f} MiB at {max(sizes):,} pending against "
            f"{smallest:.1f} MiB at {min(sizes):,}: {spread:+.1%} — goal "
            f"{verdict(abs(spread) <= GOAL_MEMORY_SPREAD)}."
        )
    section.rows += [not_measured(name, why, len(section.headers)) for name, why in missing.items()]
    section.notes += [
        f"Median of {options.runs} run(s). Times from spawning `python bot.py run` to its first "
        "getUpdates reaching the simulator (ready for patients) and to the simulator logging "
        f"the first of the {DUE_NOW} due messages (first send: the goal's measure).",
        "Memory: " + " ".join(spreads),
        f"One patient per {MESSAGES_PER_PATIENT} pending messages, spread over 90 days; "
        "peak RSS is VmHWM, read once the due messages are out and the bot has idled "
        f"{_settle(options):g} s.",
    ]
    return section


def _baseline_section(
    options: Options,
    sizes: tuple[int, ...],
    starts: Starts,
    kinds: list[str],
    missing: dict[str, str],
) -> Section:
    section = Section(
        key="jobqueue",
        title="5a. Against an APScheduler job per reminder (in memory, or in its SQLAlchemy "
        "job store): start and memory",
        goal=f"at {GOAL_GROWTH_AT:,} pending, memory growth above the idle process at least "
        f"{GOAL_GROWTH_RATIO:g}x smaller than the JobQueue's",
        headers=[
            "pending",
            "process",
            "first getUpdates s",
            "first send s",
            "peak RSS MiB",
            "growth MiB",
            "growth / ours",
            "reproduce",
        ],
    )
    reference = kinds[0]  # ours: on SQLite, unless only PostgreSQL was asked for
    for pending in (IDLE, *sizes):
        our_growth = _growth(starts, reference, pending)
        for kind in kinds:
            runs = starts[(kind, pending)]
            growth = _growth(starts, kind, pending)
            compared = pending == IDLE or kind.startswith("ours:")
            ratio = "" if compared else _ratio(growth, our_growth)
            section.rows.append(
                [
                    f"idle ({DUE_NOW} due)" if pending == IDLE else f"{pending:,}",
                    label(kind),
                    fmt(median(run.first_poll for run in runs)),
                    fmt(median(run.first_send for run in runs)),
                    fmt(_peak(starts, kind, pending), 1),
                    "" if pending == IDLE else fmt(growth, 1),
                    ratio,
                    options.command("scale", None if pending == IDLE else pending),
                ]
            )
    section.rows += [
        not_measured(f"(aftercare_bot, {name})", why, len(section.headers))
        for name, why in missing.items()
    ]
    if GOAL_GROWTH_AT in sizes:
        theirs = _growth(starts, JOBQUEUE, GOAL_GROWTH_AT)
        for kind in (kind for kind in kinds if kind.startswith("ours:")):
            grown = _growth(starts, kind, GOAL_GROWTH_AT)
            met = theirs >= GOAL_GROWTH_RATIO * max(grown, GROWTH_FLOOR_MIB)
            section.notes.append(
                f"Goal at {GOAL_GROWTH_AT:,} pending, {label(kind)}: JobQueue +{theirs:.1f} MiB "
                f"against ours +{grown:.1f} MiB — {verdict(met)}."
            )
    else:
        section.notes.append(
            f"Goal at {GOAL_GROWTH_AT:,} pending: not measured at these sizes (n/a)."
        )
    section.notes += [
        f"Median of {options.runs} run(s); in each run the three processes start one after "
        "another over the same schedule, against a fresh simulator. Every figure is measured "
        "from outside, the same way for all three: seconds from the spawn to the first "
        f"getUpdates reaching the simulator and to the first of the {DUE_NOW} due messages "
        "logged by it; peak RSS = VmHWM from /proc, read once the due messages are out and "
        f"the process has idled {_settle(options):g} s. The idle rows (only the due "
        "messages) are the idle footprint of each process.",
        "growth = peak RSS at that size minus the same process's idle peak RSS; growth / ours "
        f"divides by ours. A growth under {GROWTH_FLOOR_MIB} MiB is noise and counts as "
        f"{GROWTH_FLOOR_MIB} MiB, so the ratio is then a bound (>= or <); two such growths "
        "are not compared (both noise).",
        "The baselines (benchmarks/jobqueue_baseline.py) are python-telegram-bot "
        "Applications run with run_polling(), with APScheduler (and SQLAlchemy for the job "
        "store); ours also loads aiosqlite, pydantic, Babel and the bot itself. PTB JobQueue: "
        "nothing survives a restart, so at start (post_init) it re-adds every reminder as a "
        "run_once job in time order (its cheapest order); its first getUpdates and its first "
        "send both wait for those calls and for the scheduler taking the jobs in. "
        "SQLAlchemyJobStore: the reminders are rows of APScheduler's own table (the template "
        "is written in bulk, each row exactly as the store's add_job writes it) and nothing is "
        "re-added; PTB's JobQueue cannot use this store (its jobs can't be pickled), so an "
        "AsyncIOScheduler runs beside the Application and its jobs name a module-level send "
        "function.",
        "Both baselines set misfire_grace_time=None: with APScheduler's default (1 s) a "
        "reminder that fell due while the process was down, or while the others were being "
        "added, is dropped as missed.",
    ]
    return section
