"""Plans as versions in the database: imported once from the file, saved by staff in the
console, and patients moved to a newer version on purpose.

Saving a version moves nobody: each course names the version it follows. "Move these
patients" puts every open course on an older version of the plan onto the newest, and plans
the future messages of each one's current session again from it, once: the pending plan
messages are cancelled and the new version's are added (a step both versions have keeps its
row, at its new time). Open check-ins, their timers and incident timers are not plan
messages, and stay as they are.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aftercare_bot.domain.audit import AuditEvent
from aftercare_bot.domain.patients import PatientStatus
from aftercare_bot.domain.plan_model import Plan
from aftercare_bot.domain.plan_versions import PlanVersion
from aftercare_bot.domain.quiet_hours import QuietHours
from aftercare_bot.services.plan_expansion import schedule_session_messages
from aftercare_bot.services.ports import Clock, UnitOfWork, UnitsOfWork


async def stored_versions(units: UnitsOfWork) -> list[PlanVersion]:
    """Every version of every plan."""
    async with units.unit_of_work() as uow:
        return list(await uow.plan_versions.all())


async def versions_stamp(units: UnitsOfWork) -> tuple[int, int]:
    """What changes when a version is saved (cheap: read every tick)."""
    async with units.unit_of_work() as uow:
        return await uow.plan_versions.stamp()


async def import_plans(
    units: UnitsOfWork, clock: Clock, file_plans: Mapping[str, dict[str, Any]]
) -> list[str]:
    """Store each plan of the file that the database has no version of as version 1; return
    the plans whose newest stored version differs from the file's, which the database wins
    and start-up names."""
    async with units.unit_of_work() as uow:
        stored = list(await uow.plan_versions.all())
        names = {version.plan_name for version in stored}
        for name, table in file_plans.items():
            if name not in names:
                await uow.plan_versions.add(PlanVersion(name, 1, table, {}, clock.now()))
        await uow.commit()
    newest: dict[str, PlanVersion] = {}
    for version in stored:
        newest[version.plan_name] = version
    return [
        name
        for name, table in file_plans.items()
        if name in newest and (newest[name].table != table or newest[name].texts)
    ]


@dataclass(frozen=True)
class VersionSaved:
    """A new version was saved under `key`; or `taken` when another was saved first."""

    key: str = ""
    taken: bool = False


@dataclass(frozen=True)
class PatientsMoved:
    """How many open courses were moved to the newest version, and how many of them had
    their messages planned again (the others had not linked yet: theirs come at linking)."""

    moved: int
    replanned: int


@dataclass(frozen=True)
class PlanEditing:
    """Staff saving versions and moving patients between them."""

    units: UnitsOfWork
    clock: Clock

    async def patients_per_version(self) -> dict[str, int]:
        """How many open courses follow each version."""
        async with self.units.unit_of_work() as uow:
            return await uow.plan_versions.open_courses_by_plan()

    async def save(
        self,
        user_id: int,
        user_name: str,
        plan_name: str,
        after_version: int,
        table: dict[str, Any],
        texts: dict[str, dict[str, str]],
    ) -> VersionSaved:
        """Save a checked plan as the version after `after_version` (0 for a new plan); refused
        (`taken`) when someone saved that number first, so nobody's edit is lost unseen."""
        now = self.clock.now()
        version = PlanVersion(
            plan_name, after_version + 1, table, texts, now, user_id, user_name[:64]
        )
        async with self.units.unit_of_work() as uow:
            if not await uow.plan_versions.add(version):
                return VersionSaved(taken=True)
            await uow.audit.record(
                AuditEvent(
                    occurred_at=now,
                    action="plans.version_saved",
                    actor_telegram_id=user_id,
                    subject=version.key,
                )
            )
            await uow.commit()
        return VersionSaved(key=version.key)

    async def move_patients(
        self,
        user_id: int,
        older_keys: list[str],
        newest: Plan,
        quiet: QuietHours | None,
    ) -> PatientsMoved:
        """Move every open course on `older_keys` to `newest` (its key is its name), and plan
        each linked patient's future messages again from it; each course in a transaction of
        its own, moved by one caller only."""
        now = self.clock.now()
        async with self.units.unit_of_work() as uow:
            found = await uow.plan_versions.open_courses_on(older_keys)
        moved = replanned = 0
        for course_id, patient_id, key in found:
            async with self.units.unit_of_work() as uow:
                if not await uow.plan_versions.move_course(course_id, key, newest.name):
                    continue  # moved meanwhile (another admin, another tab): not twice
                moved += 1
                replanned += await _replan(uow, patient_id, newest, quiet, now)
                await uow.audit.record(
                    AuditEvent(
                        occurred_at=now,
                        action="plans.patient_moved",
                        actor_telegram_id=user_id,
                        subject=str(patient_id),
                        detail=f"{key} → {newest.name}",
                    )
                )
                await uow.commit()
        return PatientsMoved(moved, replanned)


async def _replan(
    uow: UnitOfWork, patient_id: int, plan: Plan, quiet: QuietHours | None, now: datetime
) -> int:
    """Plan the current session's messages again from `plan`: 1 if done, 0 when the patient
    has not linked (her messages are planned when she does) or has no session."""
    patient = await uow.patients.by_id(patient_id)
    if patient is None or patient.status != PatientStatus.LINKED:
        return 0
    course = await uow.patients.current_course(patient_id)
    if course is None or course.id is None:
        return 0
    session = await uow.patients.latest_session(course.id)
    if session is None or session.id is None:
        return 0
    await uow.outbox.cancel_pending_plan_rows(session.id)
    await schedule_session_messages(uow, patient, course, session, plan, quiet, now, now)
    return 1
