"""The fake of `PlanVersionsRepository`."""

import copy
from collections import Counter
from collections.abc import Sequence
from typing import Any

from aftercare_bot.domain.plan_versions import PlanVersion
from tests.fakes.store import FakeSession


class FakePlanVersionsRepository:
    """Plan versions by (plan, version); courses are the fake patients' own."""

    def __init__(self, session: FakeSession) -> None:
        self._session = session

    async def all(self) -> Sequence[PlanVersion]:
        """Every version, by plan and version."""
        rows = self._session.table("plan_versions")
        return [copy.deepcopy(rows[key]) for key in sorted(rows)]

    async def stamp(self) -> tuple[int, int]:
        """How many versions there are and the newest id."""
        rows = self._session.table("plan_versions")
        return len(rows), max((version.id or 0 for version in rows.values()), default=0)

    async def add(self, version: PlanVersion) -> bool:
        """Store a version; False when that plan already has that version number."""
        rows = self._session.table("plan_versions")
        if (version.plan_name, version.version) in rows:
            return False
        stored = copy.deepcopy(version)
        stored.id = self._session.new_id("plan_versions")
        rows[(version.plan_name, version.version)] = stored
        return True

    def _open(self) -> list[Any]:
        courses = self._session.table("courses")
        return [courses[key] for key in sorted(courses) if courses[key].closed_at is None]

    async def open_courses_by_plan(self) -> dict[str, int]:
        """How many open courses follow each version's key."""
        return dict(Counter(course.plan_name for course in self._open()))

    async def open_courses_on(self, keys: Sequence[str]) -> list[tuple[int, int, str]]:
        """The open courses on any of these versions: (course, patient, key)."""
        return [
            (course.id, course.patient_id, course.plan_name)
            for course in self._open()
            if course.plan_name in keys
        ]

    async def move_course(self, course_id: int, from_key: str, to_key: str) -> bool:
        """Put a course on another version, if it is still on `from_key`."""
        courses = self._session.table("courses")
        course = courses.get(course_id)
        committed = self._session.committed("courses").get(course_id)
        if course is None or committed is None:
            return False
        if course.plan_name != from_key or committed.plan_name != from_key:
            return False
        course.plan_name = to_key
        courses[course_id] = course
        return True
