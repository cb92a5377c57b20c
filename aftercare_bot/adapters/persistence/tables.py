"""The database schema, as SQLAlchemy Core tables; Alembic migrations create them.

Only what the bot uses exists here: each later capability adds its tables with a migration.
"""

from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    Interval,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    true,
)

from aftercare_bot.adapters.persistence.types import UtcDateTime
from aftercare_bot.domain.check_ins import CheckInState
from aftercare_bot.domain.consent import ConsentChange
from aftercare_bot.domain.enrollment_links import LinkPurpose
from aftercare_bot.domain.incidents import IncidentState, IncidentUrgency
from aftercare_bot.domain.outbox import MessageState
from aftercare_bot.domain.patients import PatientStatus
from aftercare_bot.domain.tasks import TaskKind

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# Who did what, when: staff actions, refusals and operations. Ids only, never health data.
audit_events = Table(
    "audit_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("occurred_at", UtcDateTime(), nullable=False),
    Column("action", String(64), nullable=False),
    Column("actor_telegram_id", BigInteger, nullable=True),
    Column("subject", String(128), nullable=True),
    Column("detail", String(512), nullable=True),
    Index("ix_audit_events_occurred_at", "occurred_at"),
)


def _enum(enum: type[StrEnum], length: int = 16) -> Enum:
    """Store a StrEnum as its value in a plain string column (no database enum type)."""
    return Enum(
        enum,
        native_enum=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
    )


patients = Table(
    "patients",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(8), nullable=False, unique=True),
    Column("display_name", String(64), nullable=False),
    Column("language", String(8), nullable=True),
    Column("timezone", String(64), nullable=False),
    Column("practitioner", String(64), nullable=False),
    Column("status", _enum(PatientStatus), nullable=False),
    # One chat follows one patient: no account can take over another patient's record.
    Column("chat_id", BigInteger, nullable=True, unique=True),
    Column("enrolled_at", UtcDateTime(), nullable=False),
    Column("enrolled_by", BigInteger, nullable=True),
    Column("import_key", String(64), nullable=True, unique=True),
)

courses = Table(
    "courses",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("patient_id", ForeignKey("patients.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("plan_name", String(64), nullable=False),
    Column("sessions_planned", Integer, nullable=False),
    Column("spacing", Interval, nullable=False),
    Column("started_at", UtcDateTime(), nullable=False),
    Column("next_appointment_at", UtcDateTime(), nullable=True),
    Column("appointment_confirmed_at", UtcDateTime(), nullable=True),
    Column("closed_at", UtcDateTime(), nullable=True),
)

treatment_sessions = Table(
    "treatment_sessions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("course_id", ForeignKey("courses.id", ondelete="CASCADE"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("held_at", UtcDateTime(), nullable=False),
    Column("practitioner", String(64), nullable=False),
    Column("product", String(64), nullable=True),
    Column("batch", String(64), nullable=True),
    UniqueConstraint("course_id", "number", name="uq_treatment_sessions_course_id_number"),
)

enrollment_links = Table(
    "enrollment_links",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("purpose", _enum(LinkPurpose), nullable=False),
    Column("patient_id", ForeignKey("patients.id", ondelete="CASCADE"), nullable=True, index=True),
    Column("created_by", BigInteger, nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("opened_by_chat", BigInteger, nullable=True),
    Column("used_at", UtcDateTime(), nullable=True),
    Column("used_by_chat", BigInteger, nullable=True),
)

consent_events = Table(
    "consent_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("patient_id", ForeignKey("patients.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("occurred_at", UtcDateTime(), nullable=False),
    Column("change", _enum(ConsentChange), nullable=False),
    Column("text_version", String(32), nullable=False),
    Column("chat_id", BigInteger, nullable=True),
)

staff_members = Table(
    "staff_members",
    metadata,
    Column("telegram_user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("display_name", String(64), nullable=False),
    Column("added_at", UtcDateTime(), nullable=False),
    Column("added_by", BigInteger, nullable=True),
    Column("removed_at", UtcDateTime(), nullable=True),
    Column("is_admin", Boolean, nullable=False, server_default=false()),
)

# Small facts the bot learns at run time: the bound staff group, its own @username.
bot_settings = Table(
    "bot_settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

leases = Table(
    "leases",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("holder", String(128), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
)

# Updates received but not handled when the bot was told to stop (SIGTERM in a flood): kept
# as Telegram sent them and handled first on the next start, then deleted. Short-lived.
held_updates = Table(
    "held_updates",
    metadata,
    Column("update_id", BigInteger, primary_key=True, autoincrement=False),
    Column("chat_id", BigInteger, nullable=True, index=True),
    Column("held_at", UtcDateTime(), nullable=False),
    Column("payload", Text, nullable=False),
)

scheduled_messages = Table(
    "scheduled_messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("unique_key", String(160), nullable=False, unique=True),
    Column("patient_id", ForeignKey("patients.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("session_id", ForeignKey("treatment_sessions.id", ondelete="CASCADE"), nullable=True),
    Column("step_key", String(64), nullable=True),
    Column("kind", String(32), nullable=False),
    Column("message_key", String(64), nullable=False),
    Column("due_at", UtcDateTime(), nullable=False),
    Column("valid_until", UtcDateTime(), nullable=False),
    Column("state", _enum(MessageState), nullable=False),
    Column("priority", Integer, nullable=False, server_default="50"),
    Column("attempts", Integer, nullable=False),
    Column("retry_at", UtcDateTime(), nullable=True),
    Column("telegram_message_id", BigInteger, nullable=True),
    Column("sent_at", UtcDateTime(), nullable=True),
    Column("last_error", String(256), nullable=True),
    # A plan step that only reassures about expected effects: skipped while an incident is open.
    Column("reassurance", Boolean, nullable=False, server_default=false()),
    Index("ix_scheduled_messages_state_due_at", "state", "due_at"),
    # Timers of one kind (an unposted incident at start-up) without scanning a million reminders.
    Index("ix_scheduled_messages_kind_state", "kind", "state"),
)

check_ins = Table(
    "check_ins",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("patient_id", ForeignKey("patients.id", ondelete="CASCADE"), nullable=False, index=True),
    Column(
        "scheduled_message_id",
        ForeignKey("scheduled_messages.id", ondelete="SET NULL"),
        nullable=True,
    ),
    Column("opened_at", UtcDateTime(), nullable=False),
    Column("state", _enum(CheckInState), nullable=False),
    Column("answered_at", UtcDateTime(), nullable=True),
    Column("missed_at", UtcDateTime(), nullable=True),
    # The answers so far (JSON), the question on screen, and the message edited in place.
    Column("answers", Text, nullable=True),
    Column("step", String(16), nullable=True),
    Column("telegram_message_id", BigInteger, nullable=True),
    Column("photo_file_id", String(256), nullable=True),
    # Triage: the urgency and its reasons (JSON), stored with the check-in.
    Column("urgency", String(16), nullable=True),
    Column("reasons", Text, nullable=True),
    # The incident this check-in opened or joined (at the first urgent tap, or when closed).
    Column(
        "incident_id", ForeignKey("incidents.id", ondelete="SET NULL"), nullable=True, index=True
    ),
    Column("last_answer_at", UtcDateTime(), nullable=True),
    # Closed by its abandon or expiry timer with some questions unanswered.
    Column("left_unfinished_at", UtcDateTime(), nullable=True),
)

# What a patient wrote outside any flow: kept for the clinic, forwarded to staff.
patient_messages = Table(
    "patient_messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("patient_id", ForeignKey("patients.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("text", String(4096), nullable=False),
    # Held during a flood: reaches staff in the next bundled post, then cleared.
    Column("awaiting_post", Boolean, nullable=False, server_default=false()),
    Index("ix_patient_messages_awaiting", "patient_id", "awaiting_post"),
)

incidents = Table(
    "incidents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # NULL once the patient is erased: the resolved incident stays in the adverse-event log
    # (urgency, dates, outcome) without anything that names them.
    Column("patient_id", ForeignKey("patients.id", ondelete="SET NULL"), nullable=True, index=True),
    Column("urgency", _enum(IncidentUrgency), nullable=False),
    Column("state", _enum(IncidentState), nullable=False),
    Column("opened_at", UtcDateTime(), nullable=False),
    Column("acknowledged_by", BigInteger, nullable=True),
    Column("acknowledged_by_name", String(64), nullable=True),
    Column("acknowledged_at", UtcDateTime(), nullable=True),
    Column("resolved_by", BigInteger, nullable=True),
    Column("resolved_at", UtcDateTime(), nullable=True),
    Column("post_chat_id", BigInteger, nullable=True),
    Column("post_message_id", BigInteger, nullable=True),
    # The staff post as rendered when stored, so that a crash before posting loses nothing.
    Column("post_text", Text, nullable=True),
    Column("reports", Integer, nullable=False),
    Column("patient_reported", Boolean, nullable=False, server_default=false()),
    Column("resolved_by_name", String(64), nullable=True),
    # What staff did about it (domain.incidents.IncidentOutcome), and an optional note.
    Column("outcome", String(32), nullable=True),
    Column("outcome_note", Text, nullable=True),
    # The patient erased their data while this incident was open.
    Column("patient_left_at", UtcDateTime(), nullable=True),
)

# Every Telegram message that shows an incident (the group post, re-posts, private pages,
# /incidents cards): all are edited to the incident's one state when it changes.
incident_copies = Table(
    "incident_copies",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "incident_id", ForeignKey("incidents.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("chat_id", BigInteger, nullable=False),
    Column("message_id", BigInteger, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("posted_at", UtcDateTime(), nullable=False),
    UniqueConstraint("chat_id", "message_id", name="uq_incident_copies_chat_id_message_id"),
)

# Staff messages to a patient through the bot: each draft is its own row, named in its
# buttons, so Send sends exactly the text shown to the patient named with it.
relay_drafts = Table(
    "relay_drafts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "incident_id", ForeignKey("incidents.id", ondelete="SET NULL"), nullable=True, index=True
    ),
    Column("patient_id", ForeignKey("patients.id", ondelete="SET NULL"), nullable=True, index=True),
    # The patient's chat when the draft was begun: a relink since then refuses the send.
    Column("patient_chat_id", BigInteger, nullable=True),
    Column("staff_id", BigInteger, nullable=False),
    Column("staff_name", String(64), nullable=False),
    Column("prompt_chat_id", BigInteger, nullable=False),
    Column("prompt_message_id", BigInteger, nullable=True),
    Column("confirm_message_id", BigInteger, nullable=True),
    Column("text", Text, nullable=True),
    Column("state", String(16), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("sent_at", UtcDateTime(), nullable=True),
)

staff_tasks = Table(
    "staff_tasks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("unique_key", String(160), nullable=False, unique=True),
    Column("kind", _enum(TaskKind, length=32), nullable=False),
    Column("patient_id", ForeignKey("patients.id", ondelete="CASCADE"), nullable=True, index=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("detail", String(512), nullable=True),
    Column("done_at", UtcDateTime(), nullable=True),
    Column("done_by", BigInteger, nullable=True),
    Column(
        "incident_id", ForeignKey("incidents.id", ondelete="SET NULL"), nullable=True, index=True
    ),
)

# The staff console: one-time sign-in links and signed-in sessions, each secret kept only as
# its SHA-256. Who is staff, and as what, is read from staff_members on every request.
console_sign_ins = Table(
    "console_sign_ins",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", BigInteger, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("used_at", UtcDateTime(), nullable=True),
)

console_sessions = Table(
    "console_sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", BigInteger, nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("last_seen_at", UtcDateTime(), nullable=False),
    Column("ended_at", UtcDateTime(), nullable=True),
)

# Clinic settings changed without a restart (hours, phone numbers, paging ...), each as the
# text a clinic writes; the config file's values are imported once, then these win.
clinic_settings = Table(
    "clinic_settings",
    metadata,
    Column("setting", String(64), primary_key=True),
    Column("value", Text, nullable=False),
    Column("changed_at", UtcDateTime(), nullable=False),
)

# Who changed which setting from what to what; kept, and posted once to the staff group.
setting_changes = Table(
    "setting_changes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("setting", String(64), nullable=False),
    Column("old_value", Text, nullable=False),
    Column("new_value", Text, nullable=False),
    Column("changed_at", UtcDateTime(), nullable=False),
    Column("changed_by", BigInteger, nullable=False),
    Column("changed_by_name", String(64), nullable=False),
    Column("posted_at", UtcDateTime(), nullable=True, index=True),
)

# The clinic's practitioners and products as lists; sessions keep the chosen name as text, so
# a merge rewrites the merged name there and history reads as it always did.
practitioners = Table(
    "practitioners",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("added_at", UtcDateTime(), nullable=False),
    Column("active", Boolean, nullable=False, server_default=true()),
)

products = Table(
    "products",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("added_at", UtcDateTime(), nullable=False),
    Column("active", Boolean, nullable=False, server_default=true()),
)

batches = Table(
    "batches",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("product_id", ForeignKey("products.id", ondelete="CASCADE"), nullable=False),
    Column("lot", String(64), nullable=False),
    Column("expires_on", Date, nullable=True),
    Column("active", Boolean, nullable=False, server_default=true()),
    UniqueConstraint("product_id", "lot", name="uq_batches_product_id_lot"),
)

# Every version of every plan, as staff saved it in the console (version 1: the file's).
plan_versions = Table(
    "plan_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("plan_name", String(48), nullable=False),
    Column("version", Integer, nullable=False),
    Column("definition", Text, nullable=False),  # JSON: sessions, spacing, steps
    Column("texts", Text, nullable=False),  # JSON: step key → language → sentence
    Column("created_at", UtcDateTime(), nullable=False),
    Column("created_by", BigInteger, nullable=True),
    Column("created_by_name", String(64), nullable=False, server_default=""),
    UniqueConstraint("plan_name", "version", name="uq_plan_versions_plan_name_version"),
)

# API keys, each kept as its SHA-256 only; a key acts for the staff member it belongs to.
api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("prefix", String(16), nullable=False),
    Column("user_id", BigInteger, nullable=False, index=True),
    Column("label", String(64), nullable=False),
    Column("scope", String(16), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("created_by", BigInteger, nullable=False),
    Column("revoked_at", UtcDateTime(), nullable=True),
    Column("last_used_at", UtcDateTime(), nullable=True),
)

# A patient's links to a booking system, made once by staff: the attendee's e-mail or an
# external id, each kept only as a keyed hash.
booking_links = Table(
    "booking_links",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("patient_id", ForeignKey("patients.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("value_hash", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("created_by", BigInteger, nullable=True),
    UniqueConstraint("kind", "value_hash", name="uq_booking_links_kind_value_hash"),
)

# Cal.com's deliveries, each applied once (by booking uid and trigger); one nobody could match
# waits for staff (with hashes only), and is dropped after two weeks.
booking_deliveries = Table(
    "booking_deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("booking_uid", String(128), nullable=False),
    Column("trigger", String(32), nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("starts_at", UtcDateTime(), nullable=False),
    Column("hashes", Text, nullable=False),  # JSON: the attendees' e-mail hashes
    Column("external_hash", String(64), nullable=True),
    Column("state", String(16), nullable=False),
    Column("patient_id", ForeignKey("patients.id", ondelete="SET NULL"), nullable=True),
    Column("applied_at", UtcDateTime(), nullable=True),
    UniqueConstraint("booking_uid", "trigger", name="uq_booking_deliveries_booking_uid_trigger"),
)
