"""Clinical safety: incident copies and outcomes, relay drafts, check-ins triaged as answered.

Incidents outlive an erased patient in the adverse-event log (patient_id SET NULL); every
message showing an incident is remembered so all copies show one state; each staff draft to a
patient is its own row; a check-in remembers its incident and when it was left unfinished; a
plan message may be flagged as reassurance.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from aftercare_bot.adapters.persistence.types import UtcDateTime

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_constraint("fk_incidents_patient_id_patients", type_="foreignkey")
        batch_op.alter_column("patient_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(
            "fk_incidents_patient_id_patients",
            "patients",
            ["patient_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.add_column(sa.Column("resolved_by_name", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("outcome", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("outcome_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("patient_left_at", UtcDateTime(), nullable=True))
    with op.batch_alter_table("scheduled_messages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reassurance", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    # The shipped evening text only reassures: pending ones, planned before the flag existed,
    # are flagged too, so an open incident holds them back as it does new ones.
    messages = sa.table(
        "scheduled_messages",
        sa.column("reassurance", sa.Boolean()),
        sa.column("message_key", sa.String()),
        sa.column("state", sa.String()),
    )
    op.execute(
        messages.update()
        .where(messages.c.message_key == "plan.evening", messages.c.state == "pending")
        .values(reassurance=True)
    )
    with op.batch_alter_table("check_ins", schema=None) as batch_op:
        batch_op.add_column(sa.Column("incident_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("last_answer_at", UtcDateTime(), nullable=True))
        batch_op.add_column(sa.Column("left_unfinished_at", UtcDateTime(), nullable=True))
        batch_op.create_index("ix_check_ins_incident_id", ["incident_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_check_ins_incident_id_incidents",
            "incidents",
            ["incident_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_table(
        "incident_copies",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("posted_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name="fk_incident_copies_incident_id_incidents",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_incident_copies"),
        sa.UniqueConstraint("chat_id", "message_id", name="uq_incident_copies_chat_id_message_id"),
    )
    op.create_index(
        "ix_incident_copies_incident_id", "incident_copies", ["incident_id"], unique=False
    )
    op.create_table(
        "relay_drafts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("patient_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("staff_id", sa.BigInteger(), nullable=False),
        sa.Column("staff_name", sa.String(length=64), nullable=False),
        sa.Column("prompt_chat_id", sa.BigInteger(), nullable=False),
        sa.Column("prompt_message_id", sa.BigInteger(), nullable=True),
        sa.Column("confirm_message_id", sa.BigInteger(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("sent_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name="fk_relay_drafts_incident_id_incidents",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name="fk_relay_drafts_patient_id_patients",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_relay_drafts"),
    )
    op.create_index("ix_relay_drafts_incident_id", "relay_drafts", ["incident_id"], unique=False)
    op.create_index("ix_relay_drafts_patient_id", "relay_drafts", ["patient_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_relay_drafts_patient_id", table_name="relay_drafts")
    op.drop_index("ix_relay_drafts_incident_id", table_name="relay_drafts")
    op.drop_table("relay_drafts")
    op.drop_index("ix_incident_copies_incident_id", table_name="incident_copies")
    op.drop_table("incident_copies")
    with op.batch_alter_table("check_ins", schema=None) as batch_op:
        batch_op.drop_constraint("fk_check_ins_incident_id_incidents", type_="foreignkey")
        batch_op.drop_index("ix_check_ins_incident_id")
        batch_op.drop_column("left_unfinished_at")
        batch_op.drop_column("last_answer_at")
        batch_op.drop_column("incident_id")
    with op.batch_alter_table("scheduled_messages", schema=None) as batch_op:
        batch_op.drop_column("reassurance")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_column("patient_left_at")
        batch_op.drop_column("outcome_note")
        batch_op.drop_column("outcome")
        batch_op.drop_column("resolved_by_name")
        batch_op.execute("DELETE FROM incidents WHERE patient_id IS NULL")
        batch_op.drop_constraint("fk_incidents_patient_id_patients", type_="foreignkey")
        batch_op.alter_column("patient_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            "fk_incidents_patient_id_patients",
            "patients",
            ["patient_id"],
            ["id"],
            ondelete="CASCADE",
        )
