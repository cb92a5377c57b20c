"""Staff answering a patient through the bot, as use cases any front end can call: open a
draft, keep the prompt that asks for its text, write it, send or drop it. Each call opens and
commits its own unit of work; a sent draft wakes the dispatcher, which delivers it. The rules
(who may send which draft, to whom) are in `relay`."""

from dataclasses import dataclass

from aftercare_bot.domain.patients import Patient
from aftercare_bot.domain.relay import RelayDraft
from aftercare_bot.services import relay
from aftercare_bot.services.ports import Clock, UnitsOfWork, WakeUp
from aftercare_bot.services.relay import Cancelled, Drafted, Refused, Sent


@dataclass(frozen=True)
class StaffRelay:
    """The relay's use cases."""

    units: UnitsOfWork
    clock: Clock
    wake: WakeUp

    async def begin(
        self, incident_id: int, staff_id: int, staff_name: str, prompt_chat_id: int
    ) -> tuple[int, Patient] | None:
        """Open a draft to the incident's patient, before its prompt is shown: the draft's id
        and its patient; None if the incident or its patient is gone."""
        async with self.units.unit_of_work() as uow:
            draft = await relay.begin_draft(
                uow, incident_id, staff_id, staff_name, prompt_chat_id, self.clock.now()
            )
            if draft is None or draft.id is None or draft.patient_id is None:
                return None
            patient = await uow.patients.by_id(draft.patient_id)
        return (draft.id, patient) if patient is not None else None

    async def prompted(self, draft_id: int, message_id: int) -> None:
        """Remember the prompt's message: replies to it are this draft's text."""
        async with self.units.unit_of_work() as uow:
            await relay.record_prompt(uow, draft_id, message_id)

    async def write(
        self, chat_id: int, prompt_id: int, staff_id: int, text: str
    ) -> Drafted | Refused | None:
        """A reply to a draft's prompt becomes its text; None if the message replies to
        something else (conversation among staff)."""
        async with self.units.unit_of_work() as uow:
            return await relay.write_draft(
                uow, chat_id, prompt_id, staff_id, text, self.clock.now()
            )

    async def compose(
        self, incident_id: int, staff_id: int, staff_name: str, text: str
    ) -> Drafted | Refused | None:
        """A draft with its text at once, for a front end with a form instead of a prompt
        (the console); shown back with Send / Cancel like any other. None if the incident or
        its patient is gone."""
        async with self.units.unit_of_work() as uow:
            draft = await relay.begin_draft(
                uow, incident_id, staff_id, staff_name, staff_id, self.clock.now()
            )
            if draft is None or draft.id is None:
                return None
            return await relay.write_draft_text(uow, draft.id, staff_id, text, self.clock.now())

    async def draft(self, draft_id: int) -> tuple[RelayDraft, Patient | None] | None:
        """A draft and its patient, to show it again."""
        async with self.units.unit_of_work() as uow:
            found = await uow.relay_drafts.by_id(draft_id)
            if found is None:
                return None
            patient = (
                await uow.patients.by_id(found.patient_id) if found.patient_id is not None else None
            )
            return found, patient

    async def send(self, draft_id: int, staff_id: int) -> Sent | Refused:
        """Queue the draft for its patient, signed by its author (the author only)."""
        async with self.units.unit_of_work() as uow:
            outcome = await relay.send_draft(uow, draft_id, staff_id, self.clock.now())
        if isinstance(outcome, Sent):
            self.wake.wake()  # the outbox row is due now: the dispatcher sends it
        return outcome

    async def cancel(self, draft_id: int, staff_id: int) -> Cancelled | Refused:
        """Drop the draft (its author only)."""
        async with self.units.unit_of_work() as uow:
            return await relay.cancel_draft(uow, draft_id, staff_id, self.clock.now())
