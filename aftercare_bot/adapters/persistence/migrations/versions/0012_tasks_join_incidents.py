"""Staff tasks join the patient's incident; incidents remember whether the patient reported.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("patient_reported", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("staff_tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("incident_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_staff_tasks_incident_id"), ["incident_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_staff_tasks_incident_id_incidents"),
            "incidents",
            ["incident_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("staff_tasks", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_staff_tasks_incident_id_incidents"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_staff_tasks_incident_id"))
        batch_op.drop_column("incident_id")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_column("patient_reported")
