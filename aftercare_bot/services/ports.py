"""The ports use cases speak through: storage, staff and patients are reached by whatever
implements these (SQL and Telegram today, in-memory fakes in tests), so the web console and
the API call the same use cases.

Use cases decide who hears what and when; an implementation only stores, renders and delivers.
"""

from collections.abc import Callable, Sequence
from datetime import datetime
from types import TracebackType
from typing import Protocol

from aftercare_bot.domain.incidents import Incident
from aftercare_bot.domain.patients import Patient
from aftercare_bot.services.reachable_chats import ReachableChats
from aftercare_bot.services.repositories import (
    ApiKeys,
    AuditTrail,
    Bookings,
    CheckIns,
    ClinicLists,
    ClinicOverview,
    ClinicSettings,
    ConsoleAccess,
    Incidents,
    Links,
    Outbox,
    PatientRecords,
    Patients,
    PlanVersions,
    RelayDrafts,
    Settings,
    StaffMembers,
    Tasks,
)


class Clock(Protocol):
    """A source of the current time as an aware UTC datetime (aftercare_bot.clock has the
    system's and the tests' manual one)."""

    def now(self) -> datetime:
        """The current moment, timezone-aware, in UTC."""
        ...


class UnitOfWork(Protocol):
    """One transaction and the repositories that share it: nothing is kept unless `commit`
    is called before the `async with` block ends."""

    @property
    def audit(self) -> AuditTrail: ...
    @property
    def patients(self) -> Patients: ...
    @property
    def links(self) -> Links: ...
    @property
    def staff(self) -> StaffMembers: ...
    @property
    def settings(self) -> Settings: ...
    @property
    def clinic_lists(self) -> ClinicLists: ...
    @property
    def api_keys(self) -> ApiKeys: ...
    @property
    def bookings(self) -> Bookings: ...
    @property
    def clinic_settings(self) -> ClinicSettings: ...
    @property
    def plan_versions(self) -> PlanVersions: ...
    @property
    def outbox(self) -> Outbox: ...
    @property
    def tasks(self) -> Tasks: ...
    @property
    def check_ins(self) -> CheckIns: ...
    @property
    def records(self) -> PatientRecords: ...
    @property
    def incidents(self) -> Incidents: ...
    @property
    def relay_drafts(self) -> RelayDrafts: ...
    @property
    def reachable_chats(self) -> ReachableChats: ...
    @property
    def console(self) -> ConsoleAccess: ...

    async def __aenter__(self) -> "UnitOfWork":
        """Begin the transaction."""
        ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """End it, discarding whatever was not committed."""
        ...

    async def commit(self) -> None:
        """Make this unit's changes permanent, then run what waited for them."""
        ...

    def after_commit(self, action: Callable[[], None]) -> None:
        """Run `action` once this unit's changes are permanent (never if they are not)."""
        ...


class ReportingUnitOfWork(UnitOfWork, Protocol):
    """A unit of work that can also answer the reporting queries across all patients (read
    only, SQL only: they are tested against the real databases, not faked)."""

    @property
    def overview(self) -> ClinicOverview: ...

    async def __aenter__(self) -> "ReportingUnitOfWork":
        """Begin the transaction."""
        ...


class UnitsOfWork(Protocol):
    """Opens one unit of work (one transaction) per call."""

    def unit_of_work(self) -> UnitOfWork:
        """A new unit of work, used as `async with`."""
        ...


class ReportingUnitsOfWork(Protocol):
    """Opens one reporting unit of work per call."""

    def unit_of_work(self) -> ReportingUnitOfWork:
        """A new unit of work, used as `async with`."""
        ...


class StaffNotifier(Protocol):
    """Shows incidents to staff and keeps every copy of one incident in the same state."""

    async def post(self, incident: Incident) -> bool:
        """Post the incident where staff watch (the group, else each admin) and remember
        every message that shows it; True when at least one staff member got it."""
        ...

    async def page(self, incident: Incident, chat_ids: Sequence[int], round_number: int) -> None:
        """Page these chats again about an unacknowledged incident, with its clinical summary;
        `round_number` 0 is the admins' last round."""
        ...

    async def remind_owner(self, incident: Incident) -> None:
        """Remind whoever acknowledged the incident that it is still not resolved."""
        ...

    async def refresh(self, incident: Incident) -> None:
        """Edit every message that shows the incident to its current state."""
        ...

    async def reply_under(self, incident: Incident, text: str) -> None:
        """Add to the incident's thread: a reply under its post (a later answer, a correction,
        a patient who left)."""
        ...


class PatientMessenger(Protocol):
    """What escalation tells a patient."""

    async def seen_by(self, patient: Patient, staff_name: str) -> None:
        """Someone at the clinic has seen the patient's report."""
        ...

    async def safety_net(self, patient: Patient) -> None:
        """Nobody has answered yet: the clinic's phone, the emergency number, the signs."""
        ...


class WakeUp(Protocol):
    """Tells the dispatcher to look for due messages now rather than at its next tick."""

    def wake(self) -> None:
        """Look again as soon as possible (cheap; calls close together run it once)."""
        ...
