"""The command line's choices, shared by every benchmark (and how to repeat a figure)."""

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from benchmarks.databases import Backend


@dataclass(frozen=True)
class Options:
    """What to run and how often; `sizes` overrides a benchmark's own sizes."""

    quick: bool
    runs: int
    sizes: tuple[int, ...] | None = None
    max_per_second: float | None = None
    # Only this database ("sqlite" or "postgresql"); None: both.
    database: str | None = None

    def pick(self, full: tuple[int, ...], quick: tuple[int, ...]) -> tuple[int, ...]:
        """The sizes to run: given on the command line, else the quick or full ones."""
        if self.sizes:
            return self.sizes
        return quick if self.quick else full

    def backends(self) -> list["Backend"]:
        """The databases to measure on: SQLite and PostgreSQL, or the one asked for."""
        from benchmarks.databases import backends

        return [
            backend
            for backend in backends()
            if self.database is None or backend.name.lower() == self.database
        ]

    def command(self, only: str, size: int | None = None, database: str | None = None) -> str:
        """The command that reproduces one row (or, without `size`, one table); `database`
        names the row's database."""
        parts = ["python -m benchmarks", f"--only {only}"]
        if size is not None:
            parts.append(f"--sizes {size}")
        if database is not None:
            parts.append(f"--database {database.lower()}")
        parts.append(f"--runs {self.runs}")
        if self.quick:
            parts.append("--quick")
        if self.max_per_second is not None:
            parts.append(f"--max-per-second {self.max_per_second:g}")
        return "`" + " ".join(parts) + "`"


def progress(message: str) -> None:
    """A line on stderr while benchmarks run (the tables go to stdout)."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)
