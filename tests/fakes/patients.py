"""The fake of `PatientRepository`: patients, their courses, sessions and consent events."""

import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from aftercare_bot.adapters.persistence.patients import MAX_SEARCH_RESULTS
from aftercare_bot.domain.consent import ConsentEvent
from aftercare_bot.domain.patients import Course, Patient, PatientStatus, TreatmentSession
from tests.fakes.store import FakeSession, detached_copy

TABLES: dict[type, str] = {
    Patient: "patients",
    Course: "courses",
    TreatmentSession: "treatment_sessions",
    ConsentEvent: "consent_events",
}
# The unique constraints of tables.py, as column names per table.
UNIQUE: dict[str, tuple[tuple[str, ...], ...]] = {
    "patients": (("code",), ("chat_id",), ("import_key",)),
    "treatment_sessions": (("course_id", "number"),),
}


def check_unique(
    session: FakeSession, table: str, row: Any, unique: tuple[tuple[str, ...], ...]
) -> None:
    """Refuse a new row as the database would: IntegrityError on a taken unique value (a NULL
    is never taken)."""
    for columns in unique:
        value = tuple(getattr(row, column) for column in columns)
        if None in value:
            continue
        for other in session.table(table).values():
            if other is not row and tuple(getattr(other, c) for c in columns) == value:
                raise IntegrityError(f"INSERT INTO {table}", None, Exception(f"{columns} {value}"))


def like(pattern: str, value: str) -> bool:
    """SQL `value LIKE pattern`: % is any run of characters, _ any one character."""
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.DOTALL) is not None


class FakePatientRepository:
    """Patients and everything hanging off them, in memory."""

    def __init__(self, session: FakeSession) -> None:
        self._session = session

    def add(self, item: Patient | Course | TreatmentSession | ConsentEvent) -> None:
        """Stage a new record; it gets its id at once."""
        name = TABLES[type(item)]
        table = self._session.table(name)
        if item.id is not None and table.get(item.id) is item:
            return
        check_unique(self._session, name, item, UNIQUE.get(name, ()))
        if item.id is None:
            item.id = self._session.new_id(name)
        table[item.id] = item

    async def flush(self) -> None:
        """Nothing to write: records have their ids from `add`."""

    def detach(self, patient: Patient) -> None:
        """Stop tracking a loaded patient: later changes to it are not kept."""
        table = self._session.table("patients")
        if table.get(patient.id) is patient:
            table[patient.id] = detached_copy(patient)

    async def by_id(self, patient_id: int | None) -> Patient | None:
        """The patient with this id (None for an incident whose patient was erased)."""
        return None if patient_id is None else self._session.table("patients").get(patient_id)

    async def by_code(self, code: str) -> Patient | None:
        """The patient with this code (already normalised)."""
        return self._first(lambda patient: patient.code == code)

    async def by_chat(self, chat_id: int) -> Patient | None:
        """The patient followed in this chat."""
        return self._first(lambda patient: patient.chat_id == chat_id)

    async def by_import_key(self, key: str) -> Patient | None:
        """The patient enrolled from this CSV row before, if any."""
        return self._first(lambda patient: patient.import_key == key)

    async def code_taken(self, code: str) -> bool:
        """Whether a code is already used."""
        return await self.by_code(code) is not None

    async def matching(self, text: str) -> Sequence[Patient]:
        """Patients whose code or display name contains `text`, case-insensitively."""
        pattern = f"%{text.strip().lower()}%"
        found = [
            patient
            for patient in self._session.table("patients").values()
            if like(pattern, patient.display_name.lower()) or like(pattern, patient.code.lower())
        ]
        found.sort(key=lambda patient: patient.enrolled_at, reverse=True)
        return found[:MAX_SEARCH_RESULTS]

    async def current_course(self, patient_id: int) -> Course | None:
        """The patient's open course, the newest if several."""
        open_courses = [
            course
            for course in self._session.table("courses").values()
            if course.patient_id == patient_id and course.closed_at is None
        ]
        return max(open_courses, key=lambda course: course.id, default=None)

    async def latest_session(self, course_id: int) -> TreatmentSession | None:
        """The most recent session of a course."""
        sessions = [
            session
            for session in self._session.table("treatment_sessions").values()
            if session.course_id == course_id
        ]
        return max(sessions, key=lambda session: session.number, default=None)

    async def courses_without_appointment(self) -> Sequence[tuple[Course, Patient]]:
        """Open courses of linked patients with no next appointment booked."""
        patients = self._session.table("patients")
        found = []
        for course in sorted(self._session.table("courses").values(), key=lambda c: c.id):
            patient = patients.get(course.patient_id)
            if (
                course.closed_at is None
                and course.next_appointment_at is None
                and patient is not None
                and patient.status == PatientStatus.LINKED
            ):
                found.append((course, patient))
        return found

    async def followed_up_before(self, moment: datetime) -> Sequence[Patient]:
        """Patients (not yet anonymised) all of whose courses closed before `moment`."""
        courses = list(self._session.table("courses").values())
        still_open = {course.patient_id for course in courses if course.closed_at is None}
        last_closed: dict[int, datetime] = {}
        for course in courses:
            if course.closed_at is not None:
                earlier = last_closed.get(course.patient_id, course.closed_at)
                last_closed[course.patient_id] = max(earlier, course.closed_at)
        patients = self._session.table("patients")
        return [
            patients[patient_id]
            for patient_id, closed in sorted(last_closed.items())
            if patient_id not in still_open
            and closed < moment
            and patient_id in patients
            and patients[patient_id].status != PatientStatus.ANONYMISED
        ]

    def _first(self, test: Callable[[Patient], bool]) -> Patient | None:
        return next((p for p in self._session.table("patients").values() if test(p)), None)
