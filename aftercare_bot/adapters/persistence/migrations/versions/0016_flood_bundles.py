"""Patient messages held during a flood, waiting to reach staff as one post.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("patient_messages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("awaiting_post", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.create_index(
            "ix_patient_messages_awaiting", ["patient_id", "awaiting_post"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("patient_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_patient_messages_awaiting")
        batch_op.drop_column("awaiting_post")
