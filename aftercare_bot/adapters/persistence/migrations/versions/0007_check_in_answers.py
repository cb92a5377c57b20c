"""Check-in answers, the question on screen, and the triage result.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (
    ("answers", sa.Text()),
    ("step", sa.String(length=16)),
    ("telegram_message_id", sa.BigInteger()),
    ("photo_file_id", sa.String(length=256)),
    ("urgency", sa.String(length=16)),
    ("reasons", sa.Text()),
)


def upgrade() -> None:
    with op.batch_alter_table("check_ins", schema=None) as batch_op:
        for name, kind in _COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("check_ins", schema=None) as batch_op:
        for name, _kind in reversed(_COLUMNS):
            batch_op.drop_column(name)
