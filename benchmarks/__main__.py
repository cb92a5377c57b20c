"""`make bench`: `python -m benchmarks [--quick] [--runs N] [--only NAME] [--sizes N,...]`.

Benchmarks run the real bot (`python bot.py run`) against the Telegram simulator with its
flood limits on, print a table per benchmark and write them to benchmarks/RESULTS.md
(benchmarks/RESULTS-quick.md for --quick, so a quick look never overwrites real figures).
"""

import argparse
import asyncio
import compileall
import importlib.util
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from benchmarks import burst, console, failover, flood, footprint, latency, scale
from benchmarks.options import Options, progress
from benchmarks.report import (
    QUICK_RESULTS,
    REPOSITORY,
    RESULTS,
    Machine,
    Section,
    provenance,
    render_text,
    write_markdown,
)

# Each benchmark: its name on the command line, what it measures, and its run.
RUNS: dict[str, tuple[str, Callable[[Options], Awaitable[list[Section]]]]] = {
    "burst": ("1 and 2: burst delivery and escalation", burst.run),
    "scale": (
        "3 and 5a: scale of the schedule, against APScheduler in memory and in SQL",
        scale.run,
    ),
    "latency": ("4 and 5b: the patient's view, against plain python-telegram-bot", latency.run),
    "flood": ("6: another chat's answer during a flood", flood.run),
    "console": ("7: the staff console's page times", console.run),
    "failover": ("8: failover in a burst, the active instance killed", failover.run),
    "footprint": ("9: idle footprint, ours and bare python-telegram-bot", footprint.run),
}
BENCHMARKS = tuple(RUNS)
DEFAULT_RUNS = 5
QUICK_RUNS = 1


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Benchmarks of aftercare_bot against the Telegram simulator (limits on).",
    )
    parser.add_argument(
        "--quick", action="store_true", help="small sizes and short runs, to try things out"
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=None,
        help=f"runs per figure, the median is reported (default {DEFAULT_RUNS}, "
        f"{QUICK_RUNS} with --quick)",
    )
    parser.add_argument(
        "--only",
        choices=BENCHMARKS,
        action="append",
        help="run only this benchmark (repeatable): burst (1, 2), scale (3, 5a), latency (4, 5b), "
        "flood (6), console (7), failover (8), footprint (9, 9b)",
    )
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=None,
        help="comma-separated sizes instead of the defaults, with one --only: patients for "
        "burst, latency and failover, pending messages for scale, messages in the flood for "
        "flood",
    )
    parser.add_argument(
        "--max-per-second",
        type=float,
        default=None,
        help="override the bot's [delivery] max_per_second for the burst",
    )
    parser.add_argument(
        "--database",
        choices=("sqlite", "postgresql"),
        default=None,
        help="measure on this database only (default: both; PostgreSQL from "
        "AFTERCARE_BENCH_DATABASE_URL, else 127.0.0.1:5432/test when it answers)",
    )
    parser.add_argument(
        "--output", type=Path, default=None, help="where to write the Markdown results"
    )
    return parser.parse_args(argv)


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(part.replace("_", "")) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a list of numbers") from None
    if not sizes or min(sizes) <= 0:
        raise argparse.ArgumentTypeError("sizes must be positive numbers")
    return sizes


async def run_all(options: Options, selected: Sequence[str]) -> list[Section]:
    """Run the selected benchmarks one after another (never side by side: they time things).

    SIGTERM cancels the run like Ctrl-C does, so that the bots it started are stopped too.
    """
    task = asyncio.current_task()
    assert task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    sections: list[Section] = []
    for name, (what, running) in RUNS.items():
        if name in selected:
            progress(what)
            sections += await _stamped(running(options))
    return sections


async def _stamped(running: Awaitable[list[Section]]) -> list[Section]:
    """The sections of one benchmark, each stamped with the commit, date, machine and the
    load average when it started (a busy machine shows)."""
    measured = provenance(Machine.here())
    sections = await running
    for section in sections:
        section.measured = measured
    return sections


def compile_bytecode() -> None:
    """The bot's bytecode written first, as a clinic's every start after the first has it
    (with PYTHONDONTWRITEBYTECODE set, as on some machines, each start would compile every
    module again and time that instead)."""
    for package in ("aftercare_bot", "messages", "benchmarks"):
        compileall.compile_dir(REPOSITORY / package, quiet=1)


def holds_test_tools() -> bool:
    """Whether this Python also has the test tools (make test's .venv). They change what the
    bot loads at start (Selenium brings trio, which httpcore imports when it finds it), so its
    start and footprint would not be a clinic's: `make bench` uses .venv-bench instead."""
    return importlib.util.find_spec("pytest") is not None


def main(argv: Sequence[str] | None = None) -> int:
    """Run, print the tables, write the Markdown."""
    args = parse(argv)
    runs = args.runs if args.runs is not None else (QUICK_RUNS if args.quick else DEFAULT_RUNS)
    if runs < 1:
        print("--runs must be at least 1", file=sys.stderr)
        return 2
    selected = tuple(dict.fromkeys(args.only or BENCHMARKS))
    if args.sizes and len(selected) != 1:
        print("--sizes needs exactly one --only (sizes mean different things)", file=sys.stderr)
        return 2
    options = Options(
        quick=args.quick,
        runs=runs,
        sizes=args.sizes,
        max_per_second=args.max_per_second,
        database=args.database,
    )
    machine = Machine.here()
    mode = "Quick mode (reduced sizes)." if args.quick else "Full sizes."
    header = f"{mode} Each figure is the median of {runs} run(s)."
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    if holds_test_tools():
        progress(
            "this Python also has the test tools, which the bot's start loads in part: "
            "`make bench` measures in .venv-bench, as a clinic installs the bot"
        )
    compile_bytecode()
    try:
        sections = asyncio.run(run_all(options, selected))
    except (KeyboardInterrupt, asyncio.CancelledError):
        progress("interrupted: nothing written")
        return 130
    print(render_text(machine, header, sections))
    output = args.output or (QUICK_RESULTS if args.quick else RESULTS)
    write_markdown(output, machine, header, sections)
    progress(f"results written to {output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
