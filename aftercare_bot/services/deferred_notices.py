"""Escalation's ports for a front end that must not send anything itself: what it would tell
staff and the patient in Telegram becomes a row in the outbox, which the active instance acts
on (`INCIDENT_REFRESH`, `INCIDENT_SEEN`).

The console runs on every instance, the standby included, and only the active instance may
talk to Telegram; so an acknowledgement made in a browser is stored by the same use case as
the Telegram button, and its Telegram side (every copy of the card edited, the patient told
who took her report) follows within a dispatcher round, once, from whichever instance leads.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from aftercare_bot.domain.incidents import Incident
from aftercare_bot.domain.outbox import (
    INCIDENT_REFRESH,
    INCIDENT_SEEN,
    Priority,
    ScheduledMessage,
)
from aftercare_bot.domain.patients import Patient
from aftercare_bot.services.ports import Clock, UnitsOfWork, WakeUp

# A card left stale this long is better refreshed late than never; a patient told who took
# her report a day later is told nothing (by then she has heard from the clinic).
REFRESH_VALID_FOR = timedelta(days=7)
SEEN_VALID_FOR = timedelta(hours=24)


@dataclass(frozen=True)
class DeferredStaffNotifier:
    """Leaves the refresh of an incident's Telegram copies to the outbox."""

    units: UnitsOfWork
    clock: Clock
    wake: WakeUp

    async def refresh(self, incident: Incident) -> None:
        """Edit every Telegram copy of the incident to its state, from the active instance."""
        await _leave(self.units, self.clock, incident, INCIDENT_REFRESH, REFRESH_VALID_FOR)
        self.wake.wake()

    async def post(self, incident: Incident) -> bool:
        """Not used from the console: incidents are posted where they are reported."""
        raise NotImplementedError("the console does not post incidents")

    async def page(self, incident: Incident, chat_ids: Sequence[int], round_number: int) -> None:
        """Not used from the console: pages are the escalation timers' own."""
        raise NotImplementedError("the console does not page")

    async def remind_owner(self, incident: Incident) -> None:
        """Not used from the console: the reminder is an escalation timer's."""
        raise NotImplementedError("the console does not remind")

    async def reply_under(self, incident: Incident, text: str) -> None:
        """Not used from the console: thread replies come from patients' answers."""
        raise NotImplementedError("the console does not reply under posts")


@dataclass(frozen=True)
class DeferredPatientMessenger:
    """Leaves "someone at the clinic has seen your report" to the outbox."""

    units: UnitsOfWork
    clock: Clock
    wake: WakeUp

    async def seen_by(self, patient: Patient, staff_name: str) -> None:
        """The patient hears who took her report (the acknowledger, read when it is sent)."""
        async with self.units.unit_of_work() as uow:
            incident = await uow.incidents.open_for_patient(patient.id or 0)
        if incident is not None:
            await _leave(self.units, self.clock, incident, INCIDENT_SEEN, SEEN_VALID_FOR)
            self.wake.wake()

    async def safety_net(self, patient: Patient) -> None:
        """Not used from the console: the safety net is an escalation timer's."""
        raise NotImplementedError("the console does not send the safety net")


async def _leave(
    units: UnitsOfWork, clock: Clock, incident: Incident, kind: str, valid_for: timedelta
) -> None:
    if incident.id is None or incident.patient_id is None:
        return  # the patient was erased: nothing left to show or tell in Telegram
    now = clock.now()
    once = kind == INCIDENT_SEEN  # one "seen"; a refresh for every change of state
    change = f"{incident.state.value}:{now.isoformat()}"
    unique = f"{kind}:{incident.id}" if once else f"{kind}:{incident.id}:{change}"
    async with units.unit_of_work() as uow:
        await uow.outbox.add_unless_present(
            ScheduledMessage(
                unique_key=unique,
                patient_id=incident.patient_id,
                kind=kind,
                message_key=kind,
                due_at=now,
                valid_until=now + valid_for,
                step_key=str(incident.id),
                priority=Priority.STAFF,
            )
        )
        await uow.commit()
