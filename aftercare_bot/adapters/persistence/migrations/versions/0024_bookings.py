"""Cal.com: patients' booking links (keyed hashes) and the deliveries received.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from aftercare_bot.adapters.persistence.types import UtcDateTime

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "booking_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_booking_links_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_links")),
        sa.UniqueConstraint("kind", "value_hash", name="uq_booking_links_kind_value_hash"),
    )
    op.create_index(
        op.f("ix_booking_links_patient_id"), "booking_links", ["patient_id"], unique=False
    )
    op.create_table(
        "booking_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_uid", sa.String(length=128), nullable=False),
        sa.Column("trigger", sa.String(length=32), nullable=False),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.Column("starts_at", UtcDateTime(), nullable=False),
        sa.Column("hashes", sa.Text(), nullable=False),
        sa.Column("external_hash", sa.String(length=64), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("applied_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_booking_deliveries_patient_id_patients"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_deliveries")),
        sa.UniqueConstraint(
            "booking_uid", "trigger", name="uq_booking_deliveries_booking_uid_trigger"
        ),
    )


def downgrade() -> None:
    op.drop_table("booking_deliveries")
    op.drop_index(op.f("ix_booking_links_patient_id"), table_name="booking_links")
    op.drop_table("booking_links")
