"""Updates not yet handled when the bot stopped, kept for the next start.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from aftercare_bot.adapters.persistence.types import UtcDateTime

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "held_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("held_at", UtcDateTime(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_held_updates")),
    )
    op.create_index(op.f("ix_held_updates_chat_id"), "held_updates", ["chat_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_held_updates_chat_id"), table_name="held_updates")
    op.drop_table("held_updates")
