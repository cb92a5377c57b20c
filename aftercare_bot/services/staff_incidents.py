"""Incidents as staff meet them, as use cases any front end can call: report one, take it,
resolve it with its outcome and a note, list the open ones, go on call. Each call opens and
commits its own unit of work and wakes the dispatcher when it armed or disarmed a timer; the
rules of who is paged and who wins a press stay in `escalation`."""

from collections.abc import Sequence
from dataclasses import dataclass

from aftercare_bot.domain.incidents import (
    NOTE_PROMPT,
    Incident,
    IncidentCopy,
    IncidentOutcome,
    IncidentUrgency,
)
from aftercare_bot.domain.patients import Patient
from aftercare_bot.services import escalation
from aftercare_bot.services.escalation import (
    ONCALL_SETTING,
    AlreadyHandled,
    PagingRules,
    Reported,
    Taken,
)
from aftercare_bot.services.ports import Clock, PatientMessenger, StaffNotifier, UnitsOfWork, WakeUp


@dataclass(frozen=True)
class StaffIncidents:
    """Incident use cases, with the front end's staff and patient ports and the clinic's
    paging rules."""

    units: UnitsOfWork
    clock: Clock
    wake: WakeUp
    rules: PagingRules
    staff: StaffNotifier
    patients: PatientMessenger

    async def report(
        self,
        patient_id: int,
        urgency: IncidentUrgency,
        text: str,
        *,
        from_patient: bool = True,
        task_id: int | None = None,
        check_in_id: int | None = None,
    ) -> Reported | None:
        """Report to staff (see `escalation.escalate`); None if the patient is gone."""
        reported = await escalation.escalate(
            self.units,
            self.staff,
            self.patients,
            patient_id,
            urgency,
            text,
            self.rules,
            self.clock.now(),
            from_patient=from_patient,
            task_id=task_id,
            check_in_id=check_in_id,
        )
        self.wake.wake()
        return reported

    async def acknowledge(
        self, incident_id: int, staff_id: int, staff_name: str
    ) -> Taken | AlreadyHandled | None:
        """Take the incident: its pages stop, every copy shows who, the patient hears."""
        result = await escalation.acknowledge(
            self.units,
            self.staff,
            self.patients,
            incident_id,
            staff_id,
            staff_name,
            self.rules,
            self.clock.now(),
        )
        self.wake.wake()
        return result

    async def resolve(
        self, incident_id: int, staff_id: int, staff_name: str, outcome: IncidentOutcome
    ) -> Taken | AlreadyHandled | None:
        """Close the incident with what was done; every copy shows it."""
        result = await escalation.resolve(
            self.units,
            self.staff,
            incident_id,
            staff_id,
            staff_name,
            outcome,
            self.clock.now(),
        )
        self.wake.wake()
        return result

    async def add_note(self, incident_id: int, staff_id: int, note: str) -> Incident | None:
        """Keep a note on what was done with a resolved incident's outcome; None if it is not
        resolved (or its patient was erased since)."""
        return await escalation.add_outcome_note(
            self.units, incident_id, staff_id, note, self.clock.now()
        )

    async def incident(self, incident_id: int) -> Incident | None:
        """One incident as it stands."""
        async with self.units.unit_of_work() as uow:
            return await uow.incidents.by_id(incident_id)

    async def with_patient(self, incident_id: int) -> tuple[Incident, Patient | None] | None:
        """One incident and its patient (None once erased), as they stand."""
        async with self.units.unit_of_work() as uow:
            incident = await uow.incidents.by_id(incident_id)
            if incident is None:
                return None
            patient = (
                await uow.patients.by_id(incident.patient_id)
                if incident.patient_id is not None
                else None
            )
            return incident, patient

    async def open_incidents(self) -> Sequence[Incident]:
        """Open incidents, urgent first, oldest first."""
        async with self.units.unit_of_work() as uow:
            return await uow.incidents.open_incidents()

    async def open_with_patients(self) -> list[tuple[Incident, Patient | None]]:
        """Open incidents, urgent first, oldest first, each with its patient (None once she
        left), read in one unit of work."""
        async with self.units.unit_of_work() as uow:
            return [
                (incident, await uow.patients.by_id(incident.patient_id))
                for incident in await uow.incidents.open_incidents()
            ]

    async def copy_at(self, chat_id: int, message_id: int) -> IncidentCopy | None:
        """The incident message kept at this chat and message, if it is one."""
        async with self.units.unit_of_work() as uow:
            return await uow.incidents.copy_at(chat_id, message_id)

    async def note_prompt_at(self, chat_id: int, message_id: int) -> int | None:
        """The incident whose "add a note" prompt this message is, if it is one."""
        copy = await self.copy_at(chat_id, message_id)
        return copy.incident_id if copy is not None and copy.kind == NOTE_PROMPT else None

    async def is_staff_prompt(self, chat_id: int, message_id: int) -> bool:
        """Whether this message is one of the bot's prompts to staff (a relay draft's, or a
        resolved incident's note prompt), whose replies their own handlers take."""
        async with self.units.unit_of_work() as uow:
            copy = await uow.incidents.copy_at(chat_id, message_id)
            draft = await uow.relay_drafts.by_prompt(chat_id, message_id)
        return (copy is not None and copy.kind == NOTE_PROMPT) or draft is not None

    async def on_call(self) -> int | None:
        """Who said last that they are on call, if anyone."""
        async with self.units.unit_of_work() as uow:
            value = await uow.settings.get(ONCALL_SETTING)
        return int(value) if value and value.lstrip("-").isdigit() else None

    async def go_on_call(self, user_id: int) -> None:
        """This staff member is on call now: unacknowledged urgent reports also page them."""
        async with self.units.unit_of_work() as uow:
            await uow.settings.put(ONCALL_SETTING, str(user_id), self.clock.now())
            await uow.commit()
