"""Plan versions, and moving courses from one version to another."""

import json
from collections.abc import Sequence

from sqlalchemy import RowMapping, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from aftercare_bot.adapters.persistence.insert_once import insert_once
from aftercare_bot.adapters.persistence.tables import courses, plan_versions
from aftercare_bot.domain.plan_versions import PlanVersion


class PlanVersionsRepository:
    """Every version of every plan; the courses on each."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def all(self) -> Sequence[PlanVersion]:
        """Every version, by plan and version."""
        rows = await self._session.execute(
            select(plan_versions).order_by(plan_versions.c.plan_name, plan_versions.c.version)
        )
        return [_version(row) for row in rows.mappings()]

    async def stamp(self) -> tuple[int, int]:
        """How many versions there are and the newest id: what changes when one is saved."""
        row = await self._session.execute(
            select(func.count(), func.coalesce(func.max(plan_versions.c.id), 0)).select_from(
                plan_versions
            )
        )
        count, newest = row.one()
        return int(count), int(newest)

    async def add(self, version: PlanVersion) -> bool:
        """Store a version; False when that plan already has that version number (two staff
        saving at once: the second must start again from the first's)."""
        added = await self._session.execute(
            insert_once(
                self._session,
                plan_versions,
                ["plan_name", "version"],
                plan_name=version.plan_name,
                version=version.version,
                definition=json.dumps(version.table, ensure_ascii=False, sort_keys=True),
                texts=json.dumps(version.texts, ensure_ascii=False, sort_keys=True),
                created_at=version.created_at,
                created_by=version.created_by,
                created_by_name=version.created_by_name,
            ).returning(plan_versions.c.id)
        )
        return added.scalar_one_or_none() is not None

    async def open_courses_by_plan(self) -> dict[str, int]:
        """How many open courses follow each version's key."""
        rows = await self._session.execute(
            select(courses.c.plan_name, func.count())
            .where(courses.c.closed_at.is_(None))
            .group_by(courses.c.plan_name)
        )
        return {key: count for key, count in rows.all()}

    async def open_courses_on(self, keys: Sequence[str]) -> list[tuple[int, int, str]]:
        """The open courses on any of these versions, oldest first: (course, patient, key)."""
        rows = await self._session.execute(
            select(courses.c.id, courses.c.patient_id, courses.c.plan_name)
            .where(courses.c.plan_name.in_(list(keys)), courses.c.closed_at.is_(None))
            .order_by(courses.c.id)
        )
        return [(course, patient, key) for course, patient, key in rows.all()]

    async def move_course(self, course_id: int, from_key: str, to_key: str) -> bool:
        """Put a course on another version, if it is still on `from_key`: of two staff moving
        it at once, one does."""
        moved = await self._session.execute(
            update(courses)
            .where(courses.c.id == course_id, courses.c.plan_name == from_key)
            .values(plan_name=to_key)
        )
        return bool(getattr(moved, "rowcount", 0))


def _version(row: RowMapping) -> PlanVersion:
    return PlanVersion(
        plan_name=row["plan_name"],
        version=row["version"],
        table=json.loads(row["definition"]),
        texts=json.loads(row["texts"]),
        created_at=row["created_at"],
        created_by=row["created_by"],
        created_by_name=row["created_by_name"],
        id=row["id"],
    )
