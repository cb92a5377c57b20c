"""Alembic environment: migrations run on a connection that `migrate.upgrade` hands in."""

from alembic import context
from sqlalchemy import Connection

from aftercare_bot.adapters.persistence.tables import metadata


def run_migrations(connection: Connection) -> None:
    """Run pending migrations inside one transaction on the given connection."""
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations(context.config.attributes["connection"])
