"""Bot settings hold longer values (a staff member's message draft awaiting confirmation).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("bot_settings", schema=None) as batch_op:
        batch_op.alter_column(
            "value", existing_type=sa.String(length=256), type_=sa.Text(), existing_nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("bot_settings", schema=None) as batch_op:
        batch_op.alter_column(
            "value", existing_type=sa.Text(), type_=sa.String(length=256), existing_nullable=False
        )
