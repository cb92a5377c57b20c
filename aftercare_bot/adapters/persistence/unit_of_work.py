"""A unit of work: one transaction, the repositories that share it, and an explicit commit.

Repositories never commit; a use case decides when its changes become real, so a failure
half-way leaves nothing half-written.
"""

from collections.abc import Callable
from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from aftercare_bot.adapters.persistence.api_keys import ApiKeyRepository
from aftercare_bot.adapters.persistence.audit import AuditRepository
from aftercare_bot.adapters.persistence.bookings import BookingRepository
from aftercare_bot.adapters.persistence.check_ins import CheckInRepository
from aftercare_bot.adapters.persistence.clinic_lists import ClinicListsRepository
from aftercare_bot.adapters.persistence.clinic_settings import ClinicSettingsRepository
from aftercare_bot.adapters.persistence.console import ConsoleAccessRepository
from aftercare_bot.adapters.persistence.held_updates import HeldUpdateRepository
from aftercare_bot.adapters.persistence.incidents import IncidentRepository
from aftercare_bot.adapters.persistence.leases import LeaseRepository
from aftercare_bot.adapters.persistence.links import LinkRepository
from aftercare_bot.adapters.persistence.outbox import OutboxRepository
from aftercare_bot.adapters.persistence.overview import ClinicOverview
from aftercare_bot.adapters.persistence.patient_records import PatientRecords
from aftercare_bot.adapters.persistence.patients import PatientRepository
from aftercare_bot.adapters.persistence.plan_versions import PlanVersionsRepository
from aftercare_bot.adapters.persistence.relay_drafts import RelayDraftRepository
from aftercare_bot.adapters.persistence.staff import SettingsRepository, StaffRepository
from aftercare_bot.adapters.persistence.tasks import TaskRepository
from aftercare_bot.services.reachable_chats import ReachableChats


class SqlUnitOfWork:
    """One database transaction for one use case."""

    session: AsyncSession
    audit: AuditRepository
    patients: PatientRepository
    links: LinkRepository
    staff: StaffRepository
    settings: SettingsRepository
    outbox: OutboxRepository
    tasks: TaskRepository
    check_ins: CheckInRepository
    records: PatientRecords
    incidents: IncidentRepository
    overview: ClinicOverview
    leases: LeaseRepository
    relay_drafts: RelayDraftRepository
    held_updates: HeldUpdateRepository
    console: ConsoleAccessRepository

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], reachable_chats: ReachableChats
    ) -> None:
        self._sessions = sessions
        self.reachable_chats = reachable_chats
        self._after_commit: list[Callable[[], None]] = []

    async def __aenter__(self) -> "SqlUnitOfWork":
        self.session = self._sessions()
        self.audit = AuditRepository(self.session)
        self.patients = PatientRepository(self.session)
        self.links = LinkRepository(self.session)
        self.staff = StaffRepository(self.session)
        self.settings = SettingsRepository(self.session)
        self.clinic_settings = ClinicSettingsRepository(self.session)
        self.bookings = BookingRepository(self.session)
        self.api_keys = ApiKeyRepository(self.session)
        self.plan_versions = PlanVersionsRepository(self.session)
        self.clinic_lists = ClinicListsRepository(self.session)
        self.outbox = OutboxRepository(self.session)
        self.tasks = TaskRepository(self.session)
        self.check_ins = CheckInRepository(self.session)
        self.records = PatientRecords(self.session)
        self.incidents = IncidentRepository(self.session)
        self.overview = ClinicOverview(self.session)
        self.leases = LeaseRepository(self.session)
        self.relay_drafts = RelayDraftRepository(self.session)
        self.held_updates = HeldUpdateRepository(self.session)
        self.console = ConsoleAccessRepository(self.session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # close() rolls back whatever was not committed and detaches the loaded objects
        # without expiring them, so callers can still read what the use case returned.
        await self.session.close()

    async def commit(self) -> None:
        """Make this unit's changes permanent, then run what waited for them."""
        await self.session.commit()
        actions, self._after_commit = self._after_commit, []
        for action in actions:
            action()

    def after_commit(self, action: Callable[[], None]) -> None:
        """Run `action` once this unit's changes are permanent (never if they are not)."""
        self._after_commit.append(action)
