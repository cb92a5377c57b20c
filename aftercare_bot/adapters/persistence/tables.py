"""The database schema, as SQLAlchemy Core tables; Alembic migrations create them.

Only what the bot uses exists here: each later capability adds its tables with a migration.
"""

from sqlalchemy import BigInteger, Column, Index, Integer, MetaData, String, Table

from aftercare_bot.adapters.persistence.types import UtcDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# Who did what, when: staff actions, refusals and operations. Ids only, never health data.
audit_events = Table(
    "audit_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("occurred_at", UtcDateTime(), nullable=False),
    Column("action", String(64), nullable=False),
    Column("actor_telegram_id", BigInteger, nullable=True),
    Column("subject", String(128), nullable=True),
    Column("detail", String(512), nullable=True),
    Index("ix_audit_events_occurred_at", "occurred_at"),
)
