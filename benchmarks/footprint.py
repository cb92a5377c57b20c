"""9. Idle footprint: ours against bare python-telegram-bot, and what each heavy import costs.

Each process is started against a fresh simulator with nothing to do (ours over an empty,
migrated database, console off, as `config.example.toml` has it) and measured from outside the
same way: seconds from the spawn to its first getUpdates reaching the simulator, and its peak
RSS (VmHWM from /proc) once it has idled a few seconds. Bare python-telegram-bot is
benchmarks/bare_bot.py: an Application with one handler, polling. The imports are weighed in
a fresh interpreter each run (benchmarks/import_costs.py), in the order `run` makes them.
"""

import asyncio
import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from benchmarks.databases import Backend
from benchmarks.harness import STARTUP_SECONDS, TOKEN, BotProcess, Telegram, write_config
from benchmarks.options import Options, progress
from benchmarks.report import REPOSITORY, Section, fmt, median, not_measured, verdict

GOAL_FIRST_POLL = 0.6
GOAL_PEAK_MIB = 70.0
BARE = "bare python-telegram-bot"


@dataclass(frozen=True)
class Idle:
    """One idle start, measured from outside."""

    first_poll: float
    peak_mib: float


async def run_once(backend: Backend | None, settle: float) -> Idle:
    """Start ours on `backend` (bare python-telegram-bot when None) and let it idle."""
    with tempfile.TemporaryDirectory(prefix="aftercare-footprint-") as tmp:
        directory = Path(tmp)
        async with Telegram() as telegram:
            admin = telegram.add_users(1, "Admin")[0]
            database = None
            if backend is None:
                argv = [sys.executable, "-m", "benchmarks.bare_bot", f"--token={TOKEN}"]
                argv.append(f"--base-url={telegram.sim.base_url}")
                process = BotProcess(argv, directory / "bare.log")
            else:
                database = backend.target(directory, "bench")
                await asyncio.to_thread(database.create)
                config = write_config(directory, telegram, database, admin.id)
                process = BotProcess.aftercare(config)
            try:
                await process.start()
                polling = asyncio.ensure_future(telegram.sim.wait_for_poll(STARTUP_SECONDS))
                await process.until(polling, STARTUP_SECONDS)
                assert telegram.first_poll is not None
                await asyncio.sleep(settle)
                process.check_alive()
                peak = process.memory().peak
            finally:
                await process.stop()
                if database is not None:
                    await asyncio.to_thread(database.drop)
            return Idle(telegram.first_poll - process.started_at, peak)


async def import_costs() -> list[tuple[str, float, float]]:
    """(step, ms, MiB) of every import step, from a fresh interpreter."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "benchmarks.import_costs",
        cwd=REPOSITORY,
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"benchmarks.import_costs exited with {process.returncode}")
    steps = [json.loads(line) for line in out.decode().splitlines() if line.strip()]
    return [(step["step"], float(step["ms"]), float(step["mib"])) for step in steps]


async def run(options: Options) -> list[Section]:
    """Table 9 (the processes) and 9b (the imports)."""
    settle = 2.0 if options.quick else 3.0
    backends = options.backends()
    variants: list[tuple[str, Backend | None]] = [
        (f"aftercare_bot, {backend.name}", backend) for backend in backends if not backend.missing
    ]
    variants.append((BARE, None))
    idles: dict[str, list[Idle]] = {}
    costs: dict[str, list[tuple[float, float]]] = {}
    for number in range(1, options.runs + 1):
        for name, backend in variants:  # side by side in each run
            idle = await run_once(backend, settle)
            idles.setdefault(name, []).append(idle)
            progress(
                f"footprint {name}, run {number}/{options.runs}: first getUpdates "
                f"{idle.first_poll:.2f} s, peak RSS {idle.peak_mib:.1f} MiB"
            )
        for step, ms, mib in await import_costs():
            costs.setdefault(step, []).append((ms, mib))
    missing = {backend.name: backend.missing for backend in backends if backend.missing}
    return [
        _process_section(options, idles, missing, settle),
        _imports_section(options, costs),
    ]


def _process_section(
    options: Options, idles: dict[str, list[Idle]], missing: dict[str, str], settle: float
) -> Section:
    section = Section(
        key="footprint",
        title="9. Idle footprint: ours and bare python-telegram-bot, measured the same way",
        goal=f"ours under {GOAL_PEAK_MIB:g} MiB peak RSS and under {GOAL_FIRST_POLL:g} s from "
        "the spawn to the first getUpdates, idle, console off",
        headers=[
            "process",
            "first getUpdates s",
            "peak RSS MiB",
            "above bare PTB: s, MiB",
            "goal (worst run)",
            "reproduce",
        ],
    )
    bare = idles[BARE]
    bare_poll = median(idle.first_poll for idle in bare)
    bare_peak = median(idle.peak_mib for idle in bare)
    for name, runs in idles.items():
        poll = median(idle.first_poll for idle in runs)
        peak = median(idle.peak_mib for idle in runs)
        worst_poll = max(idle.first_poll for idle in runs)
        worst_peak = max(idle.peak_mib for idle in runs)
        ours = name != BARE
        met = worst_poll < GOAL_FIRST_POLL and worst_peak < GOAL_PEAK_MIB
        database = name.split(", ")[1] if ours else None
        section.rows.append(
            [
                name,
                fmt(poll),
                fmt(peak, 1),
                f"+{fmt(poll - bare_poll)}, +{fmt(peak - bare_peak, 1)}" if ours else "",
                f"{verdict(met)} ({fmt(worst_poll)} s, {fmt(worst_peak, 1)} MiB)" if ours else "",
                options.command("footprint", None, database),
            ]
        )
    section.rows += [
        not_measured(f"aftercare_bot, {name}", why, len(section.headers))
        for name, why in missing.items()
    ]
    section.notes += [
        f"Median of {options.runs} run(s); the goal column takes the worst run. Each process is "
        "started against a fresh simulator with nothing to do: ours over an empty, migrated "
        "database with the console off (config.example.toml), bare python-telegram-bot as "
        "benchmarks/bare_bot.py (an Application with one handler, run_polling). first "
        "getUpdates = from the spawn to its first getUpdates reaching the simulator; peak RSS "
        f"= VmHWM from /proc once it has idled {settle:g} s. Both run in the bot's runtime "
        "install (make bench's .venv-bench, no test tools): in make test's .venv, Selenium "
        "brings trio, which httpcore imports when a client is made, and both start later and "
        "weigh more.",
        "Where ours spends the difference is table 9b. Our start-up also reads the database "
        "(the schema's revision, the leader lease, the clinic's settings and plans, the "
        "outbox's claimed rows, the updates kept at the last stop) before it polls: that is "
        "what makes a restart lose and double nothing.",
    ]
    return section


def _imports_section(options: Options, costs: dict[str, list[tuple[float, float]]]) -> Section:
    section = Section(
        key="imports",
        title="9b. What each heavy import costs (a fresh interpreter, in the order `run` loads "
        "them)",
        goal="(none: shows where ours spends its start and its memory)",
        headers=["step", "ms", "MiB", "reproduce"],
    )
    for step, values in costs.items():
        section.rows.append(
            [
                step,
                fmt(median(ms for ms, _ in values), 1),
                fmt(median(mib for _, mib in values), 1),
                "`python -m benchmarks.import_costs`",
            ]
        )
    section.notes += [
        f"Median of {options.runs} run(s). Each step imports its modules on top of the steps "
        "before it, with the collector off as bot.py has it while importing: its time and the "
        "VmRSS it adds. 'Python itself' is the interpreter's own RSS at start. The last two "
        "steps are loaded only when used: the console when web.enabled is on (a test checks "
        "that nothing of it is loaded otherwise), the FHIR models by an export.",
    ]
    return section
