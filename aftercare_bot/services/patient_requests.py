"""What a patient asks of their own follow-up, as use cases any front end can call: stop and
resume the messages, their language and time zone, a copy of their data, erasure, and a
message for the clinic. Each call opens and commits its own unit of work."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from aftercare_bot.clock import Clock
from aftercare_bot.domain.patients import Course, Patient
from aftercare_bot.domain.plans import Plan
from aftercare_bot.domain.privacy import DeleteMode
from aftercare_bot.domain.quiet_hours import QuietHours
from aftercare_bot.services import lifecycle
from aftercare_bot.services.ports import UnitsOfWork
from aftercare_bot.services.retention import Forgotten


@dataclass(frozen=True)
class PatientRequests:
    """The patient's own requests, with the clinic's plans, quiet hours and erasure mode."""

    units: UnitsOfWork
    clock: Clock
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
        """A stopped patient comes back; None if they were not stopped."""
        async with self.units.unit_of_work() as uow:
            return await lifecycle.resume_follow_up(uow, chat_id, self.clock.now())

    async def set_language(self, chat_id: int, language: str) -> Patient | None:
        """Every later message in this language; None if no patient is in this chat."""
        async with self.units.unit_of_work() as uow:
            return await lifecycle.set_language(uow, chat_id, language)

    async def set_timezone(self, chat_id: int, zone: ZoneInfo) -> Patient | None:
        """Pending `day N at` steps and quiet hours follow the patient to `zone`."""
        async with self.units.unit_of_work() as uow:
            return await lifecycle.set_timezone(
                uow, chat_id, zone, self.plans, self.quiet, self.clock.now()
            )

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
