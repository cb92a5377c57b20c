"""Tables of medians, the machine they were measured on, and RESULTS.md.

Every benchmark hands back `Section`s: a title, a goal line, a table whose every row says how
to reproduce it, and notes. They are printed as plain text and written as Markdown; each
section is kept between markers in the Markdown file, so that `--only NAME` refreshes its own
sections and leaves the others as they were.
"""

import os
import platform
import re
import statistics
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
QUICK_RESULTS = Path(__file__).resolve().parent / "RESULTS-quick.md"


def median(values: Iterable[float]) -> float:
    """The median, NaN for no values (a run that produced nothing shows as "n/a")."""
    found = list(values)
    return statistics.median(found) if found else float("nan")


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (p99 of 100 values is the 99th smallest)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * fraction // 1))
    return ordered[int(min(rank, len(ordered))) - 1]


def fmt(value: float, digits: int = 2, unit: str = "") -> str:
    """A number for a table cell; NaN is "n/a"."""
    if value != value:  # NaN
        return "n/a"
    text = f"{value:,.{digits}f}"
    return f"{text} {unit}".rstrip()


def not_measured(database: str, reason: str, columns: int) -> list[str]:
    """A row for a database that could not be measured: its name, why, and empty cells."""
    return [database, reason] + [""] * (columns - 2)


def verdict(met: bool | None) -> str:
    """A goal's verdict in one word."""
    return "n/a" if met is None else ("met" if met else "MISSED")


@dataclass
class Section:
    """One table of results: the benchmark it belongs to fills it in."""

    key: str
    title: str
    goal: str
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Where and when: commit, date, machine, load (see `Provenance`); set by the runner.
    measured: str = ""

    def text(self) -> str:
        """The section as aligned plain text for the terminal."""
        widths = [len(header) for header in self.headers]
        for row in self.rows:
            widths = [max(width, len(cell)) for width, cell in zip(widths, row, strict=True)]

        def line(cells: Sequence[str]) -> str:
            return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))

        out = [self.title, "=" * len(self.title), f"Goal: {self.goal}", ""]
        if self.measured:
            out += [f"Measured: {self.measured}", ""]
        out.append(line(self.headers).rstrip())
        out.append("  ".join("-" * width for width in widths))
        out += [line(row).rstrip() for row in self.rows]
        out += [""] + [f"* {note}" for note in self.notes]
        return "\n".join(out).rstrip() + "\n"

    def markdown(self) -> str:
        """The section as a Markdown table with its notes."""

        def cell(text: str) -> str:
            return text.replace("|", "\\|")

        out = [f"### {self.title}", "", f"Goal: {self.goal}", ""]
        if self.measured:
            out += [f"Measured: {self.measured}", ""]
        out.append("| " + " | ".join(cell(h) for h in self.headers) + " |")
        out.append("|" + "|".join("---" for _ in self.headers) + "|")
        out += ["| " + " | ".join(cell(c) for c in row) + " |" for row in self.rows]
        out += [""] + [f"* {note}" for note in self.notes]
        return "\n".join(out).rstrip() + "\n"


@dataclass(frozen=True)
class Machine:
    """Where the figures come from."""

    cores: int
    memory_gib: float
    python: str
    system: str
    load: str

    @classmethod
    def here(cls) -> "Machine":
        """Describe this machine now (the load average shows a busy machine)."""
        memory = 0.0
        meminfo = Path("/proc/meminfo")
        if meminfo.exists():
            found = re.search(r"MemTotal:\s+(\d+) kB", meminfo.read_text())
            memory = int(found[1]) / 1024 / 1024 if found else 0.0
        load = " ".join(f"{value:.2f}" for value in os.getloadavg())
        return cls(
            cores=os.cpu_count() or 0,
            memory_gib=memory,
            python=f"{platform.python_implementation()} {sys.version.split()[0]}",
            system=f"{platform.system()} {platform.release()} {platform.machine()}",
            load=load,
        )

    def lines(self) -> list[str]:
        """One fact per line."""
        return [
            f"Machine: {self.cores} cores, {self.memory_gib:.1f} GiB memory, {self.system}",
            f"Python: {self.python}; load average at start: {self.load}",
        ]


def commit() -> str:
    """The commit measured, marked when the working tree differs from it (then the figures
    belong to no commit, and say so)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPOSITORY,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=REPOSITORY,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"{head} with uncommitted changes" if changed else head


def provenance(machine: Machine) -> str:
    """One line for a section: the commit, the date, the machine and its load when the
    section's benchmark started (`machine` is read at that moment)."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"commit {commit()}, {stamp}; {machine.cores} cores, {machine.memory_gib:.1f} GiB, "
        f"{machine.system}, {machine.python}; load average at start {machine.load}"
    )


def render_text(machine: Machine, header: str, sections: Sequence[Section]) -> str:
    """Everything for the terminal."""
    parts = ["\n".join([header, *machine.lines()]) + "\n"]
    parts += [section.text() for section in sections]
    return "\n".join(parts)


SECTION_ORDER = (
    "burst",
    "escalation",
    "scale",
    "latency",
    "jobqueue",
    "latency-baseline",
    "flood",
)
_BEGIN = "<!-- bench:{key} -->"
_END = "<!-- /bench:{key} -->"


def write_markdown(path: Path, machine: Machine, header: str, sections: Sequence[Section]) -> None:
    """Write (or update) the Markdown results: the header and the sections that ran are
    replaced; sections of benchmarks that did not run this time are kept."""
    kept: dict[str, str] = {}
    order: list[str] = []
    if path.exists():
        old = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<!-- bench:([\w-]+) -->\n(.*?)<!-- /bench:\1 -->", old, re.S):
            kept[match[1]] = match[2]
            order.append(match[1])
    for section in sections:
        if section.key not in kept:
            order.append(section.key)
        kept[section.key] = section.markdown()
    order.sort(key=lambda key: SECTION_ORDER.index(key) if key in SECTION_ORDER else 99)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    out = [
        "# Benchmark results",
        "",
        f"{header} Last written {stamp}.",
        "",
        *[f"{line}  " for line in machine.lines()],
        "",
        "Run them with `make bench`: `python -m benchmarks` in .venv-bench, which holds the",
        "bot's runtime install and not the test tools, as a clinic's machine does; each row names",
        "the command that reproduces it there. Sections not refreshed by the last run keep their",
        "earlier figures.",
        "",
    ]
    for key in order:
        out += [_BEGIN.format(key=key), kept[key].rstrip() + "\n", _END.format(key=key), ""]
    path.write_text("\n".join(out), encoding="utf-8")
