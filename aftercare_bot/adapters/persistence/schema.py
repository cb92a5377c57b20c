"""Is the database at the schema this code needs? Usually yes, and answering costs one query.

Every command makes sure of the schema before it starts, but only an upgrade needs Alembic,
whose import alone takes a noticeable part of a second; the bot's start-up should not pay it
on every restart. `HEAD` names the newest migration (a test checks it against Alembic's).
"""

from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from aftercare_bot.adapters.persistence.urls import sqlite_file, sync_url

HEAD = "0024"


def stored_revision(url: str) -> str | None:
    """The revision recorded in the database; None when it has none (or no database yet)."""
    path = sqlite_file(url)
    if path is not None and not Path(path).exists():
        return None
    engine = create_engine(sync_url(url), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:
        return None
    finally:
        engine.dispose()


def bring_up_to_date(url: str) -> None:
    """Migrate the database when it is behind; otherwise do nothing (and import nothing)."""
    if stored_revision(url) == HEAD:
        return
    from aftercare_bot.adapters.persistence import migrate

    migrate.upgrade(url)
