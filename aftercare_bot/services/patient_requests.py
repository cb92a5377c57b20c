"""What a patient asks of their own follow-up, as use cases any front end can call: stop and
resume the messages, their language and time zone, a copy of their data, erasure, and a
message for the clinic. Each call opens and commits its own unit of work."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aftercare_bot.domain.patients import Course, Patient
from aftercare_bot.domain.plans import Plan
from aftercare_bot.domain.privacy import DeleteMode
from aftercare_bot.domain.quiet_hours import QuietHours
from aftercare_bot.services import floods, lifecycle
from aftercare_bot.services.ports import Clock, UnitsOfWork, WakeUp
from aftercare_bot.services.retention import Forgotten


@dataclass(frozen=True)
class PatientRequests:
    """The patient's own requests, with the clinic's plans, quiet hours and erasure mode."""

    units: UnitsOfWork
    clock: Clock
    wake: WakeUp
    plans: Mapping[str, Plan]
    quiet: QuietHours | None
    on_delete: DeleteMode

    async def patient_in(self, chat_id: int) -> Patient | None:
        """The patient writing in this chat, if any (to answer in their language)."""
        async with self.units.unit_of_work() as uow:
            return await uow.patients.by_chat(chat_id)

    async def with_course(self, chat_id: int) -> tuple[Patient, Course | None] | None:
        """The patient in this chat and their current course (plan, next appointment), if
        any: what /help and /next show."""
        async with self.units.unit_of_work() as uow:
            patient = await uow.patients.by_chat(chat_id)
            if patient is None or patient.id is None:
                return None
            return patient, await uow.patients.current_course(patient.id)

    async def stop(self, chat_id: int) -> Patient | None:
        """No more plan messages; None if there was nothing to stop."""
        async with self.units.unit_of_work() as uow:
            return await lifecycle.stop_follow_up(uow, chat_id, self.clock.now())

    async def resume(self, chat_id: int) -> Patient | None:
        """A stopped patient comes back (what fell due meanwhile goes out now); None if they
        were not stopped."""
        async with self.units.unit_of_work() as uow:
            resumed = await lifecycle.resume_follow_up(uow, chat_id, self.clock.now())
        if resumed is not None:
            self.wake.wake()
        return resumed

    async def set_language(self, chat_id: int, language: str) -> Patient | None:
        """Every later message in this language; None if no patient is in this chat."""
        async with self.units.unit_of_work() as uow:
            return await lifecycle.set_language(uow, chat_id, language)

    async def set_timezone(self, chat_id: int, zone: ZoneInfo) -> Patient | None:
        """Pending `day N at` steps and quiet hours follow the patient to `zone`."""
        async with self.units.unit_of_work() as uow:
            patient = await lifecycle.set_timezone(
                uow, chat_id, zone, self.plans, self.quiet, self.clock.now()
            )
        self.wake.wake()
        return patient

    async def hold_in_flood(self, patient_id: int, text: str, post_at: datetime) -> None:
        """Keep a message that came in a flood for one bundled staff post at `post_at`."""
        async with self.units.unit_of_work() as uow:
            await floods.hold_message(uow, patient_id, text, self.clock.now(), post_at)
        self.wake.wake()

    async def held_for_post(self, patient_id: int) -> floods.HeldMessages | None:
        """The messages a flood held, for their bundled staff post; None if there are none."""
        async with self.units.unit_of_work() as uow:
            return await floods.held_messages(uow, patient_id)

    async def held_posted(self, held: floods.HeldMessages) -> None:
        """The bundle reached staff: its messages are no longer held."""
        async with self.units.unit_of_work() as uow:
            await floods.mark_posted(uow, held)

    async def my_data(self, chat_id: int) -> dict[str, Any] | None:
        """Everything stored about the patient in this chat; None if there is none."""
        async with self.units.unit_of_work() as uow:
            return await lifecycle.export_data(uow, chat_id)

    async def erase(self, chat_id: int) -> Forgotten | None:
        """Erase (or anonymise, as the clinic chose) the patient in this chat."""
        async with self.units.unit_of_work() as uow:
            return await lifecycle.delete_patient(uow, chat_id, self.on_delete, self.clock.now())

    async def keep_message(self, patient: Patient, text: str) -> None:
        """Keep what the patient wrote, for the clinic."""
        async with self.units.unit_of_work() as uow:
            await lifecycle.store_patient_message(uow, patient, text, self.clock.now())
