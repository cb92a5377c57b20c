"""The ports escalation speaks through: staff and patients are reached by whatever front end
implements these (Telegram today), so the web console and the API call the same use cases.

Use cases decide who hears what and when; an implementation only renders and delivers.
"""

from collections.abc import Sequence
from typing import Protocol

from aftercare_bot.adapters.persistence.unit_of_work import SqlUnitOfWork
from aftercare_bot.domain.incidents import Incident
from aftercare_bot.domain.patients import Patient


class UnitsOfWork(Protocol):
    """Opens one unit of work (one transaction) per call."""

    def unit_of_work(self) -> SqlUnitOfWork:
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
