"""Check-ins in memory: the fake of `adapters.persistence.check_ins.CheckInRepository`."""

from collections.abc import MutableMapping, Sequence

from aftercare_bot.domain.check_ins import CheckIn
from tests.fakes.store import FakeSession

TABLE = "check_ins"


class FakeCheckInRepository:
    """Check-ins, kept as `CheckIn` rows by id."""

    def __init__(self, session: FakeSession) -> None:
        self._session = session

    @property
    def _rows(self) -> MutableMapping[int, CheckIn]:
        return self._session.table(TABLE)

    def add(self, check_in: CheckIn) -> None:
        """Stage a new check-in (its id is given now rather than on flush)."""
        if check_in.id is not None and self._rows.get(check_in.id) is check_in:
            return
        if check_in.id is None:
            check_in.id = self._session.new_id(TABLE)
        self._rows[check_in.id] = check_in

    async def flush(self) -> None:
        """Nothing to write: check-ins get their ids when staged."""

    async def by_id(self, check_in_id: int) -> CheckIn | None:
        """The check-in with this id."""
        return self._rows.get(check_in_id)

    async def for_message(self, scheduled_message_id: int) -> CheckIn | None:
        """The check-in a plan message asks."""
        found = (
            row for row in self._rows.values() if row.scheduled_message_id == scheduled_message_id
        )
        return next(found, None)

    async def of_patient(self, patient_id: int) -> Sequence[CheckIn]:
        """A patient's check-ins, oldest first."""
        rows = [row for row in self._rows.values() if row.patient_id == patient_id]
        return sorted(rows, key=lambda row: (row.opened_at, row.id or 0))
