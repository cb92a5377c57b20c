"""Scheduled messages: every message the bot will send is a row before it is due.

A row's `unique_key` names what it is (patient, session, step), so expanding a plan twice
never doubles a message, and its state records what happened to it.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum, StrEnum


class Priority(IntEnum):
    """Lower goes first: what a person waits for overtakes bulk reminders."""

    STAFF = 0
    REPLY = 10
    PLAN = 50


# Kinds of rows that are timers, not messages: the dispatcher acts on them instead of sending.
# The unique key of every message a plan scheduled starts with this.
PLAN_ROW_PREFIX = "plan:"
CHECK_IN_EXPIRY = "checkin_expiry"
GOODBYE_KIND = "goodbye"
# Escalation timers: acted on by the incident pager, for any patient status, never held back.
INCIDENT_POST = "incident_post"
INCIDENT_PAGE = "incident_page"
INCIDENT_SAFETY_NET = "incident_safety_net"
INCIDENT_ACK_REMINDER = "incident_ack_reminder"
# A staff task just opened: brought into the patient's incident (opened or joined).
INCIDENT_TASK = "incident_task"
# The timers of one incident, stood down when it is resolved.
INCIDENT_TIMERS = frozenset(
    {INCIDENT_POST, INCIDENT_PAGE, INCIDENT_SAFETY_NET, INCIDENT_ACK_REMINDER}
)
INCIDENT_KINDS = INCIDENT_TIMERS | {INCIDENT_TASK}
CHECK_IN_KIND = "checkin"
# A check-in with answers but no end: closed and triaged this long after its last answer.
CHECK_IN_ABANDON = "checkin_abandon"
# Timers whose action may reach staff: acted on after the claim, outside its transaction, and
# for any patient status (a patient who stopped halfway still has their answers triaged).
# A patient's messages held during a flood reach staff as one post when this timer fires.
FLOOD_POST = "flood_post"
# What a front end that must not send itself (the console, on any instance) leaves to the
# active instance: an incident's Telegram copies brought up to date, and the patient told who
# took her report. Never stood down with the incident's timers: a resolution must show.
INCIDENT_REFRESH = "incident_refresh"
INCIDENT_SEEN = "incident_seen"
DEFERRED_NOTICES = frozenset({INCIDENT_REFRESH, INCIDENT_SEEN})
# The timers of an open check-in (its nudge, its expiry, its abandonment): a new session
# never cancels them, so a check-in started before it is still closed and triaged.
CHECK_IN_TIMERS = frozenset({"nudge", CHECK_IN_EXPIRY, CHECK_IN_ABANDON})
ACTED_ON_KINDS = INCIDENT_KINDS | DEFERRED_NOTICES | {CHECK_IN_EXPIRY, CHECK_IN_ABANDON, FLOOD_POST}


class MessageState(StrEnum):
    """The life of a scheduled message."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"
    FAILED = "failed"


@dataclass
class ScheduledMessage:
    """One message (or timer) the bot will act on."""

    unique_key: str
    patient_id: int
    kind: str
    message_key: str
    due_at: datetime
    valid_until: datetime
    session_id: int | None = None
    step_key: str | None = None
    state: MessageState = MessageState.PENDING
    priority: int = Priority.PLAN
    attempts: int = 0
    retry_at: datetime | None = None
    telegram_message_id: int | None = None
    sent_at: datetime | None = None
    last_error: str | None = None
    reassurance: bool = False
    id: int | None = None

    def is_stale(self, now: datetime) -> bool:
        """Past the moment after which sending would do more harm than good."""
        return now > self.valid_until
