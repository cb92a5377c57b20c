"""Delivery: retry times and priorities for scheduled messages, and staff tasks.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from aftercare_bot.adapters.persistence.types import UtcDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_tasks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("unique_key", sa.String(length=160), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "skipped_message",
                "delivery_failed",
                "unreachable",
                "reschedule",
                "something_changed",
                "course_overdue",
                name="taskkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("detail", sa.String(length=512), nullable=True),
        sa.Column("done_at", UtcDateTime(), nullable=True),
        sa.Column("done_by", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_staff_tasks_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_tasks")),
        sa.UniqueConstraint("unique_key", name=op.f("uq_staff_tasks_unique_key")),
    )
    with op.batch_alter_table("staff_tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_tasks_patient_id"), ["patient_id"], unique=False)

    with op.batch_alter_table("scheduled_messages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("priority", sa.Integer(), server_default="50", nullable=False)
        )
        batch_op.add_column(sa.Column("retry_at", UtcDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("scheduled_messages", schema=None) as batch_op:
        batch_op.drop_column("retry_at")
        batch_op.drop_column("priority")

    with op.batch_alter_table("staff_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_tasks_patient_id"))

    op.drop_table("staff_tasks")
