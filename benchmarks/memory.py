"""Resident memory of a process, from /proc (Linux): standard library only. The benchmarks
read every process they compare from outside, the bot and the baselines alike."""

import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Memory:
    """A process's resident memory now and at its peak, in MiB."""

    rss: float
    peak: float


def memory_of(pid: int | str = "self") -> Memory:
    """VmRSS and VmHWM from /proc/<pid>/status."""
    status = Path(f"/proc/{pid}/status").read_text()

    def field(name: str) -> float:
        found = re.search(rf"^{name}:\s+(\d+) kB", status, re.M)
        return int(found[1]) / 1024 if found else float("nan")

    return Memory(rss=field("VmRSS"), peak=field("VmHWM"))
