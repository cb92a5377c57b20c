"""Check-ins: each question sent, and whether it was answered or missed.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from aftercare_bot.adapters.persistence.types import UtcDateTime

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "check_ins",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("scheduled_message_id", sa.Integer(), nullable=True),
        sa.Column("opened_at", UtcDateTime(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "open", "answered", "missed", name="checkinstate", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("answered_at", UtcDateTime(), nullable=True),
        sa.Column("missed_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_check_ins_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["scheduled_message_id"],
            ["scheduled_messages.id"],
            name=op.f("fk_check_ins_scheduled_message_id_scheduled_messages"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_ins")),
    )
    with op.batch_alter_table("check_ins", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_check_ins_patient_id"), ["patient_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("check_ins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_check_ins_patient_id"))

    op.drop_table("check_ins")
