"""The command line's choices, shared by every benchmark (and how to repeat a figure)."""

import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Options:
    """What to run and how often; `sizes` overrides a benchmark's own sizes."""

    quick: bool
    runs: int
    sizes: tuple[int, ...] | None = None
    max_per_second: float | None = None

    def pick(self, full: tuple[int, ...], quick: tuple[int, ...]) -> tuple[int, ...]:
        """The sizes to run: given on the command line, else the quick or full ones."""
        if self.sizes:
            return self.sizes
        return quick if self.quick else full

    def command(self, only: str, size: int | None = None) -> str:
        """The command that reproduces one row (or, without `size`, one table)."""
        parts = ["python -m benchmarks", f"--only {only}"]
        if size is not None:
            parts.append(f"--sizes {size}")
        parts.append(f"--runs {self.runs}")
        if self.quick:
            parts.append("--quick")
        if self.max_per_second is not None:
            parts.append(f"--max-per-second {self.max_per_second:g}")
        return "`" + " ".join(parts) + "`"


def progress(message: str) -> None:
    """A line on stderr while benchmarks run (the tables go to stdout)."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)
