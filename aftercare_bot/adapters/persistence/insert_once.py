"""`INSERT ... ON CONFLICT DO NOTHING` on either database: a row two instances (or two staff)
add at once is added once, and neither fails. The dialect's insert is imported only when it
is used, so a SQLite deployment never loads PostgreSQL's."""

from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession


def insert_once(session: AsyncSession, table: Table, keys: list[str], **values: Any) -> Any:
    """An insert of `values` into `table` that does nothing when a row with the same `keys`
    (a unique constraint) exists; add `.returning(...)` to learn whether it inserted."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table).values(**values).on_conflict_do_nothing(index_elements=keys)
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(table).values(**values).on_conflict_do_nothing(index_elements=keys)
