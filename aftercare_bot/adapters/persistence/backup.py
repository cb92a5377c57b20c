"""`bot.py db backup FILE`: a consistent copy of a SQLite database, taken while the bot runs.

SQLite's online backup API copies page by page and restarts a pass when the bot writes in
between, so the copy is always one consistent state; copying the file (and its WAL) by hand
is not. The copy is written beside the target and renamed into place, so a failed backup never
leaves half a file under the name an operator will restore from. PostgreSQL has pg_dump.
"""

import os
import sqlite3
from pathlib import Path

from aftercare_bot.adapters.persistence.urls import sqlite_file

PAGES_PER_STEP = 1024


class BackupImpossible(Exception):
    """The database is not a SQLite file, there is nothing to copy, or nowhere to put it."""


def backup_sqlite(url: str, target: Path) -> int:
    """Copy the SQLite database at `url` to `target`; returns the number of pages copied.

    Raises:
        BackupImpossible: not a SQLite file database, the file does not exist, or the
            target's folder does not.
        OSError: the target cannot be written.
        sqlite3.Error: the database cannot be read.
    """
    database = sqlite_file(url)
    if database is None:
        raise BackupImpossible(
            "database.url is not a SQLite file; back up PostgreSQL with pg_dump (see README)"
        )
    if not Path(database).exists():
        raise BackupImpossible(f"{database} does not exist (has the bot ever run?)")
    if not target.parent.is_dir():
        raise BackupImpossible(f"{target.parent} is not a folder (create it first)")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    partial.touch(mode=0o600)  # an OSError here names the reason; sqlite3 would not
    source = sqlite3.connect(database)  # the backup only reads it
    try:
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy, pages=PAGES_PER_STEP)
            pages = int(copy.execute("PRAGMA page_count").fetchone()[0])
        finally:
            copy.close()
    finally:
        source.close()
    os.replace(partial, target)
    return pages
