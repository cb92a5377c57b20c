"""What use cases may ask of storage, one Protocol per concept: queries named by intent.

The SQL repositories in `adapters/persistence/` implement these, and so do the in-memory fakes
in `tests/fakes/`; contract tests run the same checks against both. Repositories never
commit: the unit of work that holds them does (see `ports.UnitOfWork`).
"""

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, Protocol

from aftercare_bot.domain.api_keys import ApiKey
from aftercare_bot.domain.audit import AuditEvent
from aftercare_bot.domain.bookings import BookingDelivery, DeliveryState, LinkKind
from aftercare_bot.domain.check_ins import CheckIn
from aftercare_bot.domain.clinic_lists import Batch, Practitioner, Product
from aftercare_bot.domain.clinic_settings import SettingChange
from aftercare_bot.domain.clinical_records import ClinicalRecords
from aftercare_bot.domain.consent import ConsentEvent
from aftercare_bot.domain.console_access import ConsoleSession, ConsoleSignIn
from aftercare_bot.domain.digest import Appointment, CheckInDay, OpenIncident, OpenTask, PatientRef
from aftercare_bot.domain.enrollment_links import EnrollmentLink, LinkPurpose
from aftercare_bot.domain.incidents import Incident, IncidentCopy
from aftercare_bot.domain.outbox import ScheduledMessage
from aftercare_bot.domain.patient_summary import PatientSummary, TimelineEvent
from aftercare_bot.domain.patients import Course, Patient, PatientStatus, TreatmentSession
from aftercare_bot.domain.plan_versions import PlanVersion
from aftercare_bot.domain.relay import DraftState, RelayDraft
from aftercare_bot.domain.safety_signal import BatchCount
from aftercare_bot.domain.staff import StaffMember
from aftercare_bot.domain.statistics import CheckInRow, IncidentRecord
from aftercare_bot.domain.tasks import StaffTask


class AuditTrail(Protocol):
    """Append-only record of who did what."""

    async def record(self, event: AuditEvent) -> None:
        """Append one event (committed with the unit of work)."""
        ...

    async def recent(self, since: datetime, limit: int, offset: int = 0) -> Sequence[AuditEvent]:
        """`limit` events at or after `since`, newest first, after skipping `offset`."""
        ...

    async def since(self, moment: datetime) -> Sequence[AuditEvent]:
        """Events at or after `moment`, oldest first."""
        ...


class Patients(Protocol):
    """Patients and everything hanging off them."""

    def add(self, item: Patient | Course | TreatmentSession | ConsentEvent) -> None:
        """Stage a new record; it is written on flush or commit."""
        ...

    async def flush(self) -> None:
        """Write staged records now, so that they get their ids."""
        ...

    def detach(self, patient: Patient) -> None:
        """Stop tracking a loaded patient whose rows are about to be erased or blanked in
        bulk, so the unit of work does not write its stale copy back over them."""
        ...

    async def by_id(self, patient_id: int | None) -> Patient | None:
        """The patient with this id (None for an incident whose patient was erased)."""
        ...

    async def by_code(self, code: str) -> Patient | None:
        """The patient with this code (already normalised)."""
        ...

    async def by_chat(self, chat_id: int) -> Patient | None:
        """The patient followed in this chat."""
        ...

    async def by_import_key(self, key: str) -> Patient | None:
        """The patient enrolled from this CSV row before, if any."""
        ...

    async def code_taken(self, code: str) -> bool:
        """Whether a code is already used."""
        ...

    async def matching(self, text: str) -> Sequence[Patient]:
        """Patients whose code or display name contains `text`, case-insensitively."""
        ...

    async def current_course(self, patient_id: int) -> Course | None:
        """The patient's open course, the newest if several."""
        ...

    async def latest_session(self, course_id: int) -> TreatmentSession | None:
        """The most recent session of a course."""
        ...

    async def courses_without_appointment(self) -> Sequence[tuple[Course, Patient]]:
        """Open courses of linked patients with no next appointment booked."""
        ...

    async def followed_up_before(self, moment: datetime) -> Sequence[Patient]:
        """Patients (not yet anonymised) all of whose courses closed before `moment`."""
        ...


class Links(Protocol):
    """Stored links."""

    def add(self, link: EnrollmentLink) -> None:
        """Stage a new link."""
        ...

    async def by_token_hash(self, token_hash: str) -> EnrollmentLink | None:
        """The link whose token hashes to `token_hash`."""
        ...

    async def by_id(self, link_id: int) -> EnrollmentLink | None:
        """The link with this id."""
        ...

    async def revoke_unused_for(self, patient_id: int, purpose: LinkPurpose) -> None:
        """Make a patient's earlier unused links unusable, when a new one is issued."""
        ...


class StaffMembers(Protocol):
    """Staff members (admins come from the config and are not stored)."""

    async def get(self, user_id: int) -> StaffMember | None:
        """The member with this Telegram id, present or removed."""
        ...

    def add(self, member: StaffMember) -> None:
        """Stage a new member."""
        ...

    async def active(self) -> Sequence[StaffMember]:
        """Members not removed, by name."""
        ...


class Settings(Protocol):
    """Key-value facts learnt at run time, such as the bound staff group."""

    async def get(self, key: str) -> str | None:
        """The stored value, or None."""
        ...

    async def put(self, key: str, value: str, now: datetime) -> None:
        """Store or replace a value."""
        ...

    async def put_if_absent(self, key: str, value: str, now: datetime) -> str:
        """Store a value unless one is stored; the value stored."""
        ...


class ClinicLists(Protocol):
    """Practitioners, products and their batches."""

    async def practitioners(self) -> Sequence[Practitioner]:
        """Every practitioner, active or not, by name."""
        ...

    async def add_practitioner(self, practitioner: Practitioner) -> Practitioner:
        """List a practitioner; the one listed under that exact name when there is one."""
        ...

    async def set_practitioner_active(self, practitioner_id: int, active: bool) -> bool:
        """Offer the practitioner again, or no longer; False when there is none."""
        ...

    async def merge_practitioners(self, merged: Practitioner, into: Practitioner) -> int:
        """`merged` becomes `into` on every patient and session, then leaves the list."""
        ...

    async def practitioner_use(self) -> dict[str, int]:
        """How many sessions each practitioner's name is on."""
        ...

    async def products(self) -> Sequence[Product]:
        """Every product, active or not, by name."""
        ...

    async def add_product(self, product: Product) -> Product:
        """List a product; the one listed under that exact name when there is one."""
        ...

    async def set_product_active(self, product_id: int, active: bool) -> bool:
        """Offer the product again, or no longer; False when there is none."""
        ...

    async def merge_products(self, merged: Product, into: Product) -> int:
        """`merged` becomes `into` on every session, its batches join `into`'s."""
        ...

    async def product_use(self) -> dict[str, int]:
        """How many sessions each product's name is on."""
        ...

    async def batches(self) -> Sequence[Batch]:
        """Every batch of every product, by lot."""
        ...

    async def add_batch(self, batch: Batch) -> Batch:
        """List a batch; the one its product has under that lot when there is one."""
        ...

    async def set_batch_expiry(self, batch_id: int, expires_on: date | None) -> None:
        """Give a batch its expiry date."""
        ...

    async def set_batch_active(self, batch_id: int, active: bool) -> bool:
        """Offer the batch again, or no longer; False when there is none."""
        ...


class PlanVersions(Protocol):
    """Every version of every plan; the courses on each."""

    async def all(self) -> Sequence[PlanVersion]:
        """Every version, by plan and version."""
        ...

    async def stamp(self) -> tuple[int, int]:
        """How many versions there are and the newest id."""
        ...

    async def add(self, version: PlanVersion) -> bool:
        """Store a version; False when that plan already has that version number."""
        ...

    async def open_courses_by_plan(self) -> dict[str, int]:
        """How many open courses follow each version's key."""
        ...

    async def open_courses_on(self, keys: Sequence[str]) -> list[tuple[int, int, str]]:
        """The open courses on any of these versions: (course, patient, key)."""
        ...

    async def move_course(self, course_id: int, from_key: str, to_key: str) -> bool:
        """Put a course on another version, if it is still on `from_key`."""
        ...


class ApiKeys(Protocol):
    """API keys, found by the hash of the key."""

    async def add(self, key: ApiKey) -> ApiKey:
        """Store a new key."""
        ...

    async def by_hash(self, key_hash: str) -> ApiKey | None:
        """The key with this hash, revoked or not."""
        ...

    async def all(self) -> Sequence[ApiKey]:
        """Every key, newest first."""
        ...

    async def revoke(self, key_id: int, now: datetime) -> bool:
        """Revoke a key; False when there is none still active."""
        ...

    async def revoke_of(self, user_id: int, now: datetime) -> int:
        """Revoke every key of a staff member; how many."""
        ...

    async def used(self, key_id: int, now: datetime) -> None:
        """Note when a key was last used."""
        ...


class Bookings(Protocol):
    """Booking links (keyed hashes) and Cal.com's deliveries."""

    async def link(
        self, patient_id: int, kind: LinkKind, value_hash: str, now: datetime, by: int | None
    ) -> int:
        """Link a hash to a patient; the patient it names (never two)."""
        ...

    async def unlink(self, patient_id: int) -> None:
        """Forget a patient's booking links (she is erased or anonymised)."""
        ...

    async def patients_for(self, hashes: Sequence[str]) -> set[int]:
        """The patients any of these hashes is linked to."""
        ...

    async def links_of(self, patient_id: int) -> int:
        """How many links a patient has."""
        ...

    async def add_delivery(self, delivery: BookingDelivery) -> bool:
        """Keep a delivery; False when this booking's trigger came before."""
        ...

    async def settle(
        self, delivery_id: int, state: DeliveryState, patient_id: int | None, now: datetime
    ) -> bool:
        """Record what became of a waiting delivery; False when it no longer waits."""
        ...

    async def waiting(self) -> Sequence[BookingDelivery]:
        """The deliveries waiting for staff, oldest first."""
        ...

    async def delivery(self, delivery_id: int) -> BookingDelivery | None:
        """One delivery."""
        ...

    async def drop_waiting(self, received_before: datetime) -> int:
        """Forget the deliveries that waited too long; how many."""
        ...


class ClinicSettings(Protocol):
    """Clinic settings as stored texts, and the changes staff made to them."""

    async def values(self) -> dict[str, str]:
        """Every stored setting's text, by setting."""
        ...

    async def add_missing(self, values: Mapping[str, str], now: datetime) -> None:
        """Store the settings not stored yet, leaving the others as they are."""
        ...

    async def put(self, setting: str, value: str, now: datetime) -> None:
        """Store a setting's new text."""
        ...

    async def record(self, change: SettingChange) -> None:
        """Keep a change, to be posted to the staff group."""
        ...

    async def unposted(self) -> Sequence[SettingChange]:
        """Changes not yet posted, oldest first."""
        ...

    async def take_for_posting(self, change_id: int, now: datetime) -> bool:
        """Mark a change posted; False when another caller already did."""
        ...

    async def last_changes(self) -> dict[str, SettingChange]:
        """The latest change of each setting staff changed."""
        ...


class Outbox(Protocol):
    """Scheduled messages."""

    async def add_unless_present(self, message: ScheduledMessage) -> bool:
        """Stage a message unless one with its unique key exists; True if it was added.

        A cancelled one comes back to life with the new times (an appointment moved away
        and back again still gets its reminders); any other is left as it is, so nothing
        is ever sent twice."""
        ...

    def add_new(self, messages: Sequence[ScheduledMessage]) -> None:
        """Stage messages whose unique keys cannot exist yet (the caller knows why)."""
        ...

    async def add_all_unless_present(self, messages: Sequence[ScheduledMessage]) -> int:
        """`add_unless_present` for several messages with one look-up (a check-in's nudge and
        expiry are armed in front of the patient's first question); returns how many were
        added or revived."""
        ...

    async def due(self, now: datetime, limit: int) -> Sequence[ScheduledMessage]:
        """Pending messages due by `now` for reachable patients, most urgent first, then
        oldest; locked against other dispatchers where the database can (PostgreSQL)."""
        ...

    async def put_timer(self, message: ScheduledMessage) -> None:
        """Stage a timer, or move a pending one with the same key to the new time (a check-in
        answered again pushes its abandon timer back); one that already fired stays as it is."""
        ...

    async def release_interrupted(self) -> int:
        """Messages left `sending` by a stopped instance go back to pending, to be sent again;
        returns how many.

        They were claimed, not necessarily sent: most of a claimed batch is still waiting for
        its turn, and no row records whether its request reached Telegram. Some may have been
        delivered before the stop: a repeated reminder is less harmful than a lost one (README
        states this window)."""
        ...

    async def bring_forward(self, kind: str, now: datetime) -> int:
        """Pending rows of `kind` due later become due now; returns how many."""
        ...

    async def next_wake_after(self, moment: datetime) -> datetime | None:
        """The first moment after `moment` at which `due` may return a message: the next due
        time, or a retry time (deferred, or held by quiet hours) if that comes first.

        Both read an index range, not every pending row: the due times after `moment`, and
        the retry times of rows already due by then (a deferred row is due). A row not yet due
        whose retry time is later still (rare) wakes at its due time, then at its retry time."""
        ...

    async def by_id(self, message_id: int) -> ScheduledMessage | None:
        """The scheduled message with this id."""
        ...

    async def for_patient(self, patient_id: int) -> Sequence[ScheduledMessage]:
        """Every scheduled message of a patient, in due order."""
        ...

    async def cancel_pending_for_session(self, session_id: int) -> None:
        """Cancel what is still pending from a session's plan (a new session replaces it)."""
        ...

    async def cancel_pending_plan_rows(self, session_id: int) -> None:
        """Cancel a session's pending plan messages only (not its timers)."""
        ...

    async def cancel_pending_reminders(self, session_id: int) -> None:
        """Cancel a session's pending appointment reminders (the appointment moved)."""
        ...

    async def listing(self, patient_id: int | None) -> Sequence[tuple[str, ScheduledMessage, str]]:
        """(patient code, message, time zone) for every row or one patient's, by due time."""
        ...

    async def cancel_pending(self, unique_keys: list[str]) -> None:
        """Cancel these rows if they are still pending (a check-in was answered)."""
        ...

    async def cancel_pending_plan_messages(self, session_id: int, kinds: tuple[str, ...]) -> None:
        """Cancel a session's pending plan messages of these kinds (to re-plan them)."""
        ...

    async def cancel_all_pending(self, patient_id: int) -> None:
        """Cancel everything still pending for a patient (discharge), except what keeps a
        report in front of staff (an incident's post, re-pages, reminder and tasks; a half-done
        check-in's triage): a discharge never silences a report."""
        ...

    async def cancel_pending_of_kinds(self, patient_id: int, kinds: frozenset[str]) -> None:
        """Cancel a patient's pending timers of these kinds (an incident was acknowledged)."""
        ...


class Tasks(Protocol):
    """Staff tasks."""

    async def open_unless_present(self, task: StaffTask) -> bool:
        """Stage a task unless one with the same key exists; True if it was added."""
        ...

    async def flush(self) -> None:
        """Give staged tasks their ids."""
        ...

    async def open_for_incident(self, incident_id: int) -> Sequence[StaffTask]:
        """The incident's tasks not done yet."""
        ...

    async def by_id(self, task_id: int) -> StaffTask | None:
        """The task with this id."""
        ...

    async def awaiting_note(self, patient_id: int, since: datetime) -> StaffTask | None:
        """The patient's newest task still waiting for the note they were asked to write."""
        ...

    async def count_open(self) -> int:
        """How many tasks are not done yet."""
        ...

    async def open_tasks(self, limit: int = 50) -> Sequence[StaffTask]:
        """Tasks not done yet, oldest first."""
        ...


class CheckIns(Protocol):
    """Check-ins."""

    def add(self, check_in: CheckIn) -> None:
        """Stage a new check-in."""
        ...

    async def flush(self) -> None:
        """Write staged check-ins so they get their ids."""
        ...

    async def by_id(self, check_in_id: int) -> CheckIn | None:
        """The check-in with this id."""
        ...

    async def for_message(self, scheduled_message_id: int) -> CheckIn | None:
        """The check-in a plan message asks."""
        ...

    async def of_patient(self, patient_id: int) -> Sequence[CheckIn]:
        """A patient's check-ins, oldest first."""
        ...


class PatientRecords(Protocol):
    """The patient's whole record across tables, for export and erasure."""

    async def export(self, patient_id: int) -> dict[str, Any]:
        """Everything about the patient, as plain JSON-ready values.

        Messages are the ones the patient was sent or will be (no timers), with their
        `message_key` and `kind` for a front end to title; check-in answers are read
        tolerantly (a photo is a yes or no, never its file)."""
        ...

    async def add_message(
        self, patient_id: int, text: str, now: datetime, awaiting_post: bool = False
    ) -> None:
        """Keep something the patient wrote (`awaiting_post`: held for a bundled post)."""
        ...

    async def messages_awaiting_post(self, patient_id: int) -> list[tuple[int, str]]:
        """The patient's held messages (id, text), oldest first."""
        ...

    async def mark_posted(self, message_ids: list[int]) -> None:
        """These held messages have reached staff."""
        ...

    async def erase(self, patient_id: int, code: str) -> None:
        """Delete the patient and everything hanging off them (cascades), and their code from
        the audit trail. Their incidents stay for the adverse-event log, without the summary
        that named them or any note."""
        ...

    async def anonymise(self, patient_id: int, code: str) -> None:
        """Keep only what clinic statistics need (courses, sessions, check-ins, incidents'
        outcomes) with no name, chat or code; delete everything else."""
        ...

    async def leave(self, patient_id: int, *, keep_for_statistics: bool) -> None:
        """The patient asked to be erased while an incident was open: everything goes now but
        their code (which names the incident to staff) and the incident's escalation timers;
        the patient's safety net is cancelled, since the bot can no longer write to them.
        With `keep_for_statistics` (the clinic anonymises), courses, sessions and check-ins
        stay, as anonymising keeps them."""
        ...

    async def kept_for_statistics(self, patient_id: int) -> bool:
        """Whether the patient still has courses or check-ins: a patient who left keeps them
        only when the clinic anonymises, so they are anonymised, not erased, in the end."""
        ...


class Incidents(Protocol):
    """Incidents and the messages that show them."""

    def add(self, incident: Incident) -> None:
        """Stage a new incident."""
        ...

    async def flush(self) -> None:
        """Write staged incidents so they get their ids."""
        ...

    async def by_id(self, incident_id: int) -> Incident | None:
        """The incident with this id, as the database has it now."""
        ...

    async def open_incidents(self) -> Sequence[Incident]:
        """Open and acknowledged incidents: urgent first, then oldest first."""
        ...

    async def open_for_patient(self, patient_id: int) -> Incident | None:
        """The patient's open (or acknowledged) incident, if any."""
        ...

    async def lock_patient(self, patient_id: int) -> None:
        """Hold the patient's row until commit (PostgreSQL; SQLite has one writer anyway), so two
        reports at once, on two instances too, open one incident and never overwrite a
        concurrent acknowledgement."""
        ...

    async def of_patient(self, patient_id: int) -> Sequence[Incident]:
        """Every incident of the patient, oldest first."""
        ...

    async def acknowledge_if_open(
        self, incident_id: int, staff_id: int, staff_name: str, now: datetime
    ) -> bool:
        """Take the incident if nobody has: True for the one caller that did."""
        ...

    async def resolve_if_unresolved(
        self,
        incident_id: int,
        staff_id: int,
        staff_name: str,
        outcome: str,
        now: datetime,
    ) -> bool:
        """Close the incident with its outcome unless someone already has: True for the winner."""
        ...

    def add_copy(self, copy: IncidentCopy) -> None:
        """Remember a message that shows an incident."""
        ...

    async def copies(self, incident_id: int) -> Sequence[IncidentCopy]:
        """Every message that shows the incident, oldest first."""
        ...

    async def has_post(self, incident_id: int) -> bool:
        """Whether the incident has been posted anywhere (the group, or admins' chats)."""
        ...

    async def copy_at(self, chat_id: int, message_id: int) -> IncidentCopy | None:
        """The incident message at this place, if it is one."""
        ...

    async def forget_cards(self, incident_id: int, chat_id: int) -> None:
        """Stop keeping the older /incidents cards of an incident in one chat up to date."""
        ...

    async def forget_copy(self, copy: IncidentCopy) -> None:
        """A copy that can no longer be edited (deleted, chat gone) is not tried again."""
        ...


class RelayDrafts(Protocol):
    """Relay drafts."""

    def add(self, draft: RelayDraft) -> None:
        """Stage a new draft."""
        ...

    async def flush(self) -> None:
        """Write staged drafts so they get their ids."""
        ...

    async def by_id(self, draft_id: int) -> RelayDraft | None:
        """The draft with this id."""
        ...

    async def by_prompt(self, chat_id: int, message_id: int) -> RelayDraft | None:
        """The draft whose prompt is this message (a staff reply names it); the latest one
        when several replies answered the same prompt."""
        ...

    async def move(
        self, draft: RelayDraft, expected: DraftState, to: DraftState, now: datetime
    ) -> bool:
        """Move the draft from `expected` to `to` unless another transaction moved it first
        (compare-and-set: two presses of Send never both win); False if it had moved."""
        ...


class ClinicOverview(Protocol):
    """Queries across all patients."""

    async def clinical_records(self, since: datetime) -> ClinicalRecords:
        """The followed patients with their consents, appointments, check-ins and incidents."""
        ...

    async def patients_in(self, *statuses: PatientStatus) -> list[PatientRef]:
        """Patients in one of these states, in order of enrollment."""
        ...

    async def check_in_day(self, start: datetime, end: datetime) -> CheckInDay:
        """Check-ins that fell due, were answered, or were missed between `start` and `end`."""
        ...

    async def open_incidents(self) -> list[OpenIncident]:
        """Incidents not resolved yet, with their patients."""
        ...

    async def open_tasks(self) -> list[OpenTask]:
        """Tasks not done yet, oldest first."""
        ...

    async def appointments_between(self, start: datetime, end: datetime) -> list[Appointment]:
        """Booked sessions in [start, end) of patients still followed, in time order."""
        ...

    async def batch_counts(self, since: datetime) -> list[BatchCount]:
        """Per product batch, triaged check-ins since `since` and how many were urgent."""
        ...

    async def patient_summaries(
        self,
        offset: int,
        limit: int,
        search: str | None = None,
        status: PatientStatus | None = None,
        practitioner: str | None = None,
        plan: str | None = None,
    ) -> tuple[list[PatientSummary], int]:
        """One page of the patients staff follow (newest first), and how many there are;
        only those in `status` (one of the listed ones), seen by `practitioner`, on `plan`,
        when given."""
        ...

    async def practitioners(self) -> list[str]:
        """The practitioners named on the patients staff follow, in order."""
        ...

    async def timeline(self, patient_id: int) -> list[TimelineEvent]:
        """Everything that happened in one patient's follow-up, newest first."""
        ...

    async def check_ins_since(self, since: datetime) -> list[CheckInRow]:
        """Check-ins opened since `since`, each with the session it follows."""
        ...

    async def incidents_since(self, since: datetime) -> list[IncidentRecord]:
        """Incidents opened since `since`, with when they were acknowledged."""
        ...

    async def incidents_for_export(self, since: datetime) -> list[tuple[Any, ...]]:
        """Incidents opened since `since`: code, urgency, opened, acknowledged by/at, resolved,
        outcome. An incident whose patient was erased stays, without a code (adverse events)."""
        ...


class ConsoleAccess(Protocol):
    """The staff console's one-time sign-in links and sessions, by the hash of their secret."""

    async def add_sign_in(self, sign_in: ConsoleSignIn) -> None:
        """Store a new sign-in link."""
        ...

    async def take_sign_in(self, token_hash: str, now: datetime) -> ConsoleSignIn | None:
        """Mark the link used and return it, if it is unused and unexpired; at most one
        caller ever gets a link."""
        ...

    async def add_session(self, session: ConsoleSession) -> None:
        """Store a new session."""
        ...

    async def session(self, token_hash: str) -> ConsoleSession | None:
        """The session whose secret hashes to `token_hash`, ended or not."""
        ...

    async def touch(self, token_hash: str, now: datetime) -> None:
        """The session was used now."""
        ...

    async def end(self, token_hash: str, now: datetime) -> None:
        """Sign this session out."""
        ...

    async def end_all_of(self, user_id: int, now: datetime) -> int:
        """End every open session of this person; how many."""
        ...
