"""Database URLs as a clinic writes them, turned into the drivers this project ships with."""

from sqlalchemy.engine import URL, make_url


def async_url(url: str) -> URL:
    """The URL for the bot's async engine: aiosqlite for SQLite, psycopg 3 for PostgreSQL."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite")
    return parsed.set(drivername="postgresql+psycopg")


def sync_url(url: str) -> URL:
    """The URL for Alembic, which migrates before the bot's event loop starts."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return parsed.set(drivername="sqlite")
    return parsed.set(drivername="postgresql+psycopg")


def is_sqlite(url: str | URL) -> bool:
    """Whether the URL names a SQLite database."""
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_file(url: str | URL) -> str | None:
    """The file behind a SQLite URL, or None for memory databases and other backends."""
    parsed = make_url(url)
    if not is_sqlite(parsed) or not parsed.database or parsed.database.startswith(":memory:"):
        return None
    return parsed.database
