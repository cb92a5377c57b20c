"""The fake unit of work: the repositories of the SQL one, kept in memory."""

from collections.abc import Callable
from types import TracebackType

from aftercare_bot.adapters.persistence.database import Database
from aftercare_bot.services.ports import UnitsOfWork
from aftercare_bot.services.reachable_chats import ReachableChats
from tests.fakes.api_keys import FakeApiKeyRepository
from tests.fakes.audit import FakeAuditRepository
from tests.fakes.bookings import FakeBookingRepository
from tests.fakes.check_ins import FakeCheckInRepository
from tests.fakes.clinic_lists import FakeClinicListsRepository
from tests.fakes.clinic_settings import FakeClinicSettingsRepository
from tests.fakes.console import FakeConsoleAccessRepository
from tests.fakes.held_updates import FakeHeldUpdateRepository
from tests.fakes.incidents import FakeIncidentRepository
from tests.fakes.leases import FakeLeaseRepository
from tests.fakes.links import FakeLinkRepository
from tests.fakes.outbox import FakeOutboxRepository
from tests.fakes.patient_records import FakePatientRecords
from tests.fakes.patients import FakePatientRepository
from tests.fakes.plan_versions import FakePlanVersionsRepository
from tests.fakes.relay_drafts import FakeRelayDraftRepository
from tests.fakes.staff import FakeSettingsRepository, FakeStaffRepository
from tests.fakes.store import FakeSession, FakeStore
from tests.fakes.tasks import FakeTaskRepository


class FakeUnitOfWork:
    """One transaction on a `FakeStore`: nothing is kept unless `commit` is called."""

    def __init__(self, store: FakeStore, reachable_chats: ReachableChats) -> None:
        self._store = store
        self.reachable_chats = reachable_chats
        self._after_commit: list[Callable[[], None]] = []
        self.commits = 0

    async def __aenter__(self) -> "FakeUnitOfWork":
        self.session = FakeSession(self._store)
        self.audit = FakeAuditRepository(self.session)
        self.patients = FakePatientRepository(self.session)
        self.links = FakeLinkRepository(self.session)
        self.staff = FakeStaffRepository(self.session)
        self.settings = FakeSettingsRepository(self.session)
        self.clinic_settings = FakeClinicSettingsRepository(self.session)
        self.bookings = FakeBookingRepository(self.session)
        self.api_keys = FakeApiKeyRepository(self.session)
        self.plan_versions = FakePlanVersionsRepository(self.session)
        self.clinic_lists = FakeClinicListsRepository(self.session)
        self.outbox = FakeOutboxRepository(self.session)
        self.tasks = FakeTaskRepository(self.session)
        self.check_ins = FakeCheckInRepository(self.session)
        self.records = FakePatientRecords(self.session)
        self.incidents = FakeIncidentRepository(self.session)
        self.leases = FakeLeaseRepository(self.session)
        self.relay_drafts = FakeRelayDraftRepository(self.session)
        self.held_updates = FakeHeldUpdateRepository(self.session)
        self.console = FakeConsoleAccessRepository(self.session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        del self.session

    async def commit(self) -> None:
        """Make this unit's changes permanent, then run what waited for them."""
        self.session.commit()
        self.commits += 1
        actions, self._after_commit = self._after_commit, []
        for action in actions:
            action()

    def after_commit(self, action: Callable[[], None]) -> None:
        """Run `action` once this unit's changes are permanent (never if they are not)."""
        self._after_commit.append(action)


class FakeDatabase:
    """Opens fake units of work over one in-memory store (the fake of `Database`)."""

    def __init__(self) -> None:
        self.store = FakeStore()
        self.reachable_chats = ReachableChats()

    def unit_of_work(self) -> FakeUnitOfWork:
        """A new unit of work, used as `async with`."""
        return FakeUnitOfWork(self.store, self.reachable_chats)

    async def dispose(self) -> None:
        """Nothing to close."""


# A real or a fake database: what the `units` fixture gives a test.
Units = Database | FakeDatabase


def as_units_of_work(database: FakeDatabase) -> UnitsOfWork:
    """The fake as the port use cases take (mypy checks that it has every repository)."""
    return database
