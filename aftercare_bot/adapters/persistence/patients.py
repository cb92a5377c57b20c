"""Patients, their courses and sessions: queries named by what staff and patients need.

Filters use the table columns (`tables.patients.c.code`): the domain classes are plain
dataclasses, mapped from outside, so their attributes are not typed as SQL expressions.
"""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from aftercare_bot.adapters.persistence.tables import (
    courses,
    patients,
    treatment_sessions,
)
from aftercare_bot.domain.consent import ConsentEvent
from aftercare_bot.domain.patients import Course, Patient, PatientStatus, TreatmentSession

MAX_SEARCH_RESULTS = 10


class PatientRepository:
    """Patients and everything hanging off them."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, item: Patient | Course | TreatmentSession | ConsentEvent) -> None:
        """Stage a new record; it is written on flush or commit."""
        self._session.add(item)

    async def flush(self) -> None:
        """Write staged records now, so that they get their ids."""
        await self._session.flush()

    def detach(self, patient: Patient) -> None:
        """Stop tracking a loaded patient whose rows are about to be erased or blanked in
        bulk, so the unit of work does not write its stale copy back over them."""
        self._session.expunge(patient)

    async def by_id(self, patient_id: int | None) -> Patient | None:
        """The patient with this id (None for an incident whose patient was erased)."""
        if patient_id is None:
            return None
        return await self._session.get(Patient, patient_id)

    async def by_code(self, code: str) -> Patient | None:
        """The patient with this code (already normalised)."""
        return await self._session.scalar(select(Patient).where(patients.c.code == code))

    async def by_chat(self, chat_id: int) -> Patient | None:
        """The patient followed in this chat."""
        return await self._session.scalar(select(Patient).where(patients.c.chat_id == chat_id))

    async def by_import_key(self, key: str) -> Patient | None:
        """The patient enrolled from this CSV row before, if any."""
        return await self._session.scalar(select(Patient).where(patients.c.import_key == key))

    async def code_taken(self, code: str) -> bool:
        """Whether a code is already used."""
        return await self.by_code(code) is not None

    async def matching(self, text: str) -> Sequence[Patient]:
        """Patients whose code or display name contains `text`, case-insensitively."""
        pattern = f"%{text.strip().lower()}%"
        rows = await self._session.scalars(
            select(Patient)
            .where(
                or_(
                    func.lower(patients.c.display_name).like(pattern),
                    func.lower(patients.c.code).like(pattern),
                )
            )
            .order_by(patients.c.enrolled_at.desc())
            .limit(MAX_SEARCH_RESULTS)
        )
        return list(rows)

    async def current_course(self, patient_id: int) -> Course | None:
        """The patient's open course, the newest if several."""
        return await self._session.scalar(
            select(Course)
            .where(courses.c.patient_id == patient_id, courses.c.closed_at.is_(None))
            .order_by(courses.c.id.desc())
            .limit(1)
        )

    async def latest_session(self, course_id: int) -> TreatmentSession | None:
        """The most recent session of a course."""
        return await self._session.scalar(
            select(TreatmentSession)
            .where(treatment_sessions.c.course_id == course_id)
            .order_by(treatment_sessions.c.number.desc())
            .limit(1)
        )

    async def courses_without_appointment(self) -> Sequence[tuple[Course, Patient]]:
        """Open courses of linked patients with no next appointment booked."""
        rows = await self._session.execute(
            select(Course, Patient)
            .join(patients, patients.c.id == courses.c.patient_id)
            .where(
                courses.c.closed_at.is_(None),
                courses.c.next_appointment_at.is_(None),
                patients.c.status == PatientStatus.LINKED,
            )
            .order_by(courses.c.id)
        )
        return [(row[0], row[1]) for row in rows]

    async def followed_up_before(self, moment: datetime) -> Sequence[Patient]:
        """Patients (not yet anonymised) all of whose courses closed before `moment`."""
        last_closed = (
            select(courses.c.patient_id, func.max(courses.c.closed_at).label("closed"))
            .group_by(courses.c.patient_id)
            .having(func.count() == func.count(courses.c.closed_at))  # none still open
            .subquery()
        )
        rows = await self._session.scalars(
            select(Patient)
            .join(last_closed, last_closed.c.patient_id == patients.c.id)
            .where(
                last_closed.c.closed < moment,
                patients.c.status != PatientStatus.ANONYMISED,
            )
            .order_by(patients.c.id)
        )
        return list(rows)
