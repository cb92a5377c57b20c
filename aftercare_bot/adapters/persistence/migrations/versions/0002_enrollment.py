"""Enrollment: patients, courses, sessions, links, consent, staff, settings, the outbox.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from aftercare_bot.adapters.persistence.types import UtcDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bot_settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=256), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_bot_settings")),
    )
    op.create_table(
        "patients",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("display_name", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("practitioner", sa.String(length=64), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "not_linked",
                "linked",
                "declined",
                "stopped",
                "discharged",
                name="patientstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("enrolled_at", UtcDateTime(), nullable=False),
        sa.Column("enrolled_by", sa.BigInteger(), nullable=True),
        sa.Column("import_key", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patients")),
        sa.UniqueConstraint("chat_id", name=op.f("uq_patients_chat_id")),
        sa.UniqueConstraint("code", name=op.f("uq_patients_code")),
        sa.UniqueConstraint("import_key", name=op.f("uq_patients_import_key")),
    )
    op.create_table(
        "staff_members",
        sa.Column("telegram_user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("display_name", sa.String(length=64), nullable=False),
        sa.Column("added_at", UtcDateTime(), nullable=False),
        sa.Column("added_by", sa.BigInteger(), nullable=True),
        sa.Column("removed_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("telegram_user_id", name=op.f("pk_staff_members")),
    )
    op.create_table(
        "consent_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", UtcDateTime(), nullable=False),
        sa.Column(
            "change",
            sa.Enum("accepted", "declined", name="consentchange", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("text_version", sa.String(length=32), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_consent_events_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_events")),
    )
    with op.batch_alter_table("consent_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consent_events_patient_id"), ["patient_id"], unique=False
        )

    op.create_table(
        "courses",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("plan_name", sa.String(length=64), nullable=False),
        sa.Column("sessions_planned", sa.Integer(), nullable=False),
        sa.Column("spacing", sa.Interval(), nullable=False),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("next_appointment_at", UtcDateTime(), nullable=True),
        sa.Column("closed_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_courses_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_courses")),
    )
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_courses_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "enrollment_links",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "purpose",
            sa.Enum("patient", "staff", name="linkpurpose", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("opened_by_chat", sa.BigInteger(), nullable=True),
        sa.Column("used_at", UtcDateTime(), nullable=True),
        sa.Column("used_by_chat", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_enrollment_links_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrollment_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_enrollment_links_token_hash")),
    )
    with op.batch_alter_table("enrollment_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enrollment_links_patient_id"), ["patient_id"], unique=False
        )

    op.create_table(
        "treatment_sessions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("held_at", UtcDateTime(), nullable=False),
        sa.Column("practitioner", sa.String(length=64), nullable=False),
        sa.Column("product", sa.String(length=64), nullable=True),
        sa.Column("batch", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_treatment_sessions_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_treatment_sessions")),
        sa.UniqueConstraint("course_id", "number", name="uq_treatment_sessions_course_id_number"),
    )
    op.create_table(
        "scheduled_messages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("unique_key", sa.String(length=160), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("step_key", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("message_key", sa.String(length=64), nullable=False),
        sa.Column("due_at", UtcDateTime(), nullable=False),
        sa.Column("valid_until", UtcDateTime(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "sending",
                "sent",
                "skipped",
                "cancelled",
                "failed",
                name="messagestate",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("telegram_message_id", sa.BigInteger(), nullable=True),
        sa.Column("sent_at", UtcDateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=256), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_scheduled_messages_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["treatment_sessions.id"],
            name=op.f("fk_scheduled_messages_session_id_treatment_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_messages")),
        sa.UniqueConstraint("unique_key", name=op.f("uq_scheduled_messages_unique_key")),
    )
    with op.batch_alter_table("scheduled_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scheduled_messages_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(
            "ix_scheduled_messages_state_due_at", ["state", "due_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("scheduled_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_scheduled_messages_state_due_at")
        batch_op.drop_index(batch_op.f("ix_scheduled_messages_patient_id"))

    op.drop_table("scheduled_messages")
    op.drop_table("treatment_sessions")
    with op.batch_alter_table("enrollment_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enrollment_links_patient_id"))

    op.drop_table("enrollment_links")
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_courses_patient_id"))

    op.drop_table("courses")
    with op.batch_alter_table("consent_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_events_patient_id"))

    op.drop_table("consent_events")
    op.drop_table("staff_members")
    op.drop_table("patients")
    op.drop_table("bot_settings")
