"""A clinic's history written straight into the database, as months of follow-up would leave it.

Statistics, lists and signals need many patients and check-ins; playing each one through
Telegram would take minutes and prove nothing more than the check-in tests already do.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from aftercare_bot.domain.check_in_answers import Answers, Level, Symptom
from aftercare_bot.domain.check_ins import CheckIn, CheckInState
from aftercare_bot.domain.patients import Course, Patient, PatientStatus, TreatmentSession
from tests.e2e.conftest import RunningBot


@dataclass(frozen=True)
class PastCheckIn:
    """A check-in `day` days after the session, answered with `levels` (or missed)."""

    day: int
    levels: dict[Symptom, Level] = field(default_factory=dict)
    urgency: str = "nothing"
    missed: bool = False


async def add_patient(
    bot: RunningBot,
    code: str,
    *,
    name: str = "Test",
    session_at: datetime,
    batch: str | None = None,
    practitioner: str = "Dr Lee",
    check_ins: Sequence[PastCheckIn] = (),
) -> None:
    """A linked patient with one session and the given check-ins."""
    async with bot.runtime.services.database.unit_of_work() as uow:
        patient = Patient(
            code=code,
            display_name=name,
            timezone="Europe/London",
            practitioner=practitioner,
            enrolled_at=session_at,
            status=PatientStatus.LINKED,
        )
        uow.patients.add(patient)
        await uow.patients.flush()
        assert patient.id is not None
        course = Course(patient.id, "scalp", 4, timedelta(weeks=3), session_at)
        uow.patients.add(course)
        await uow.patients.flush()
        assert course.id is not None
        uow.patients.add(TreatmentSession(course.id, 1, session_at, practitioner, "Meso", batch))
        for past in check_ins:
            opened = session_at + timedelta(days=past.day)
            uow.check_ins.add(
                CheckIn(
                    patient.id,
                    opened,
                    state=CheckInState.MISSED if past.missed else CheckInState.ANSWERED,
                    answered_at=None if past.missed else opened + timedelta(minutes=5),
                    missed_at=opened + timedelta(hours=24) if past.missed else None,
                    answers=None
                    if past.missed
                    else json.dumps(Answers(levels=past.levels).to_json()),
                    urgency=None if past.missed else past.urgency,
                )
            )
        await uow.commit()
