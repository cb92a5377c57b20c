"""One `run` per SQLite database: a second one would send every message twice.

The lock is an advisory `flock` on a file beside the database, held for the life of the
process, so the kernel releases it when the process dies (even by kill -9) and a stale lock
never blocks a restart. Other commands (enroll, schedule, export, backup) don't take it: they
work beside the running bot. PostgreSQL needs no such lock: instances agree on a leader there.
"""

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aftercare_bot.adapters.persistence.urls import sqlite_file


class InstanceLocked(Exception):
    """Another process runs the bot on this database."""


@contextmanager
def instance_lock(url: str) -> Iterator[None]:
    """Hold the database's instance lock while the block runs (nothing to hold off SQLite).

    Raises:
        InstanceLocked: another `run` holds it; the message names the database and its pid.
    """
    database = sqlite_file(url)
    if database is None:
        yield
        return
    path = Path(database + ".lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(descriptor, 32).decode(errors="replace").strip() or "unknown"
            raise InstanceLocked(
                f"another bot is already running on {database} (pid {holder}); stop it first "
                "(two instances need PostgreSQL)"
            ) from None
        os.ftruncate(descriptor, 0)
        os.write(descriptor, str(os.getpid()).encode())
        yield
    finally:
        os.close(descriptor)  # closing releases the lock
