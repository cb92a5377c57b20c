"""What a patient does with a check-in, as use cases any front end can call: start one, tap
an answer, send a photo or a note, and where the question is shown.

Each call opens and commits its own unit of work; the front end renders what comes back
(`Progress`: the next question, or the reply that fits, and whether staff must hear now).
"""

from dataclasses import dataclass

from aftercare_bot.domain.check_in_steps import Step
from aftercare_bot.domain.patients import Patient
from aftercare_bot.domain.triage import TriageRules
from aftercare_bot.services.check_in_flow import (
    Progress,
    begin,
    close_unfinished,
    give_note,
    give_photo,
    press,
)
from aftercare_bot.services.check_ins import CheckInTiming, arm_new, mark_missed
from aftercare_bot.services.ports import Clock, UnitsOfWork


@dataclass(frozen=True)
class Started:
    """A check-in the patient started, at its first question."""

    patient: Patient
    check_in_id: int


@dataclass(frozen=True)
class PatientCheckIns:
    """The check-in use cases, with the clinic's triage rules and timings."""

    units: UnitsOfWork
    rules: TriageRules
    timing: CheckInTiming
    clock: Clock

    async def start(self, chat_id: int) -> Started | None:
        """/checkin or "I have a concern": a new check-in with its nudge and expiry, stored
        before its first question goes out (the buttons carry its id); None if this chat is
        not a patient's."""
        now = self.clock.now()
        async with self.units.unit_of_work() as uow:
            patient = await uow.patients.by_chat(chat_id)
            if patient is None:
                return None
            check_in = await begin(uow, patient, now)
            await arm_new(uow, check_in, now, self.timing)
            await uow.commit()
        assert check_in.id is not None
        return Started(patient, check_in.id)

    async def shown_in(self, check_in_id: int, message_id: int) -> None:
        """The check-in's questions are in this message: later answers edit it in place."""
        async with self.units.unit_of_work() as uow:
            stored = await uow.check_ins.by_id(check_in_id)
            if stored is not None:
                stored.telegram_message_id = message_id
                await uow.commit()

    async def tap(self, check_in_id: int, step: Step, value: str, chat_id: int) -> Progress | None:
        """One button press; None when the check-in is not the presser's (or does not exist).

        Raises:
            ValueError: a value no button carries (a forged press).
        """
        async with self.units.unit_of_work() as uow:
            return await press(
                uow, check_in_id, step, value, chat_id, self.rules, self.clock.now(), self.timing
            )

    async def photo(self, chat_id: int, file_id: str) -> Progress | None:
        """A photo while the patient's check-in asks for one; None if none is asking."""
        async with self.units.unit_of_work() as uow:
            return await give_photo(
                uow, chat_id, file_id, self.rules, self.clock.now(), self.timing
            )

    async def note(self, chat_id: int, text: str) -> Progress | None:
        """A note while the patient's check-in asks for one; None if none is asking."""
        async with self.units.unit_of_work() as uow:
            return await give_note(uow, chat_id, text, self.rules, self.clock.now(), self.timing)

    async def close_by_timer(self, check_in_id: int) -> Progress | None:
        """Its expiry or abandon timer fired: never started, it is missed (None); started and
        left, it is closed and its answers triaged (the progress, for staff)."""
        now = self.clock.now()
        async with self.units.unit_of_work() as uow:
            if await mark_missed(uow, check_in_id, now):
                return None
            return await close_unfinished(uow, check_in_id, self.rules, now)
