"""Someone opening a one-time link, as use cases any front end can call: a patient sees the
consent question and answers it, a new staff member joins. Each call opens and commits its
own unit of work; consent given makes the aftercare due, so it wakes the dispatcher. The rules
(which link is usable by which chat) are in `linking`."""

from collections.abc import Mapping
from dataclasses import dataclass

from aftercare_bot.domain.enrollment_links import LinkProblem
from aftercare_bot.domain.patients import Patient
from aftercare_bot.domain.plans import Plan
from aftercare_bot.domain.quiet_hours import QuietHours
from aftercare_bot.services import linking
from aftercare_bot.services.linking import ConsentGiven, LinkOpened
from aftercare_bot.services.ports import Clock, UnitsOfWork, WakeUp


@dataclass(frozen=True)
class PatientLinks:
    """Link and consent use cases, with the clinic's plans and quiet hours."""

    units: UnitsOfWork
    clock: Clock
    wake: WakeUp
    plans: Mapping[str, Plan]
    quiet: QuietHours | None

    async def open(self, token: str, chat_id: int, first_name: str) -> LinkOpened:
        """Open a link from this chat: a patient's asks for consent, a staff invitation
        makes the opener staff, anything else is a problem to explain."""
        async with self.units.unit_of_work() as uow:
            return await linking.open_link(uow, token, chat_id, first_name, self.clock.now())

    async def accept(self, link_id: int, chat_id: int, language: str) -> ConsentGiven | LinkProblem:
        """Consent given: the chat follows the patient and their aftercare is due now."""
        async with self.units.unit_of_work() as uow:
            outcome = await linking.accept_consent(
                uow, link_id, chat_id, language, self.plans, self.quiet, self.clock.now()
            )
        if isinstance(outcome, ConsentGiven):
            self.wake.wake()
        return outcome

    async def decline(self, link_id: int, chat_id: int) -> Patient | LinkProblem:
        """Consent declined: nothing about the chat is kept and the link is spent."""
        async with self.units.unit_of_work() as uow:
            return await linking.decline_consent(uow, link_id, chat_id, self.clock.now())
