"""Plans as versions, through the use cases alone, on the real database and on the fake: the
file imported once; a save refused when someone saved that version first; a patient keeps her
version until moved, and a move re-plans her pending plan messages once, leaving check-in and
incident timers alone."""

import tomllib
from datetime import UTC, datetime, timedelta
from importlib.resources import files
from typing import Any

from aftercare_bot.clock import ManualClock
from aftercare_bot.domain.outbox import (
    CHECK_IN_EXPIRY,
    INCIDENT_PAGE,
    MessageState,
    ScheduledMessage,
)
from aftercare_bot.domain.patients import Enrollment
from aftercare_bot.domain.plan_versions import PlanBook, PlanVersion, read_version
from aftercare_bot.services.enrollment import enroll_patient
from aftercare_bot.services.linking import accept_consent, open_link
from aftercare_bot.services.plan_versions import PlanEditing, import_plans, stored_versions
from aftercare_bot.texts import Texts
from tests.services.test_enrollment import QUIET

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
ADMIN = 1001
SHIPPED: dict[str, Any] = tomllib.loads(
    (files("aftercare_bot") / "default_plans.toml").read_text(encoding="utf-8")
)["plans"]
NAME = "scalp-mesotherapy"


def book(versions: list[PlanVersion]) -> PlanBook:
    keys = Texts.load().keys()
    plans = {v.key: read_version(v, keys, timedelta(hours=6)) for v in versions}
    return PlanBook(plans, {v.plan_name: v.key for v in versions})


async def linked_on(units: Any, plans: PlanBook, chat_id: int) -> int:
    """A patient enrolled on the newest version who linked at once; her id."""
    plan = plans.current(NAME)
    assert plan is not None
    async with units.unit_of_work() as uow:
        done = await enroll_patient(
            uow,
            Enrollment("Anna", NOW, "Dr Lee", plan.name, "Europe/London"),
            plan,
            NOW,
            timedelta(days=7),
        )
        await uow.commit()
    async with units.unit_of_work() as uow:
        link = await open_link(uow, done.token, chat_id, "Anna", NOW)
    async with units.unit_of_work() as uow:
        assert link.link_id is not None
        await accept_consent(uow, link.link_id, chat_id, "en", plans, QUIET, NOW)
    assert done.patient.id is not None
    return done.patient.id


async def rows_of(units: Any, patient_id: int) -> dict[str, ScheduledMessage]:
    async with units.unit_of_work() as uow:
        return {row.unique_key: row for row in await uow.outbox.for_patient(patient_id)}


def evening_at(hour: str) -> dict[str, Any]:
    table = dict(SHIPPED[NAME])
    table["steps"] = [
        {**step, "at": hour} if step["key"] == "evening" else step for step in table["steps"]
    ]
    return table


async def test_the_file_is_imported_once_and_a_changed_file_is_named(units: Any) -> None:
    clock = ManualClock(NOW)
    assert await import_plans(units, clock, SHIPPED) == []
    assert await import_plans(units, clock, SHIPPED) == []
    assert await import_plans(units, clock, {NAME: evening_at("20:00")}) == [NAME]
    versions = await stored_versions(units)
    assert [(v.key, v.table == SHIPPED[NAME]) for v in versions] == [(NAME, True)]


async def test_a_version_saved_by_someone_first_is_not_overwritten(units: Any) -> None:
    editing = PlanEditing(units, ManualClock(NOW))
    await import_plans(units, ManualClock(NOW), SHIPPED)
    first = await editing.save(ADMIN, "Grey", NAME, 1, evening_at("20:00"), {})
    second = await editing.save(ADMIN + 1, "Nina", NAME, 1, evening_at("18:00"), {})
    assert (first.key, first.taken, second.taken) == (f"{NAME}@2", False, True)
    versions = await stored_versions(units)
    assert [(v.key, v.created_by_name) for v in versions] == [(NAME, ""), (f"{NAME}@2", "Grey")]


async def test_patients_keep_their_version_until_moved_then_are_replanned_once(
    units: Any,
) -> None:
    clock = ManualClock(NOW)
    editing = PlanEditing(units, clock)
    await import_plans(units, clock, SHIPPED)
    old_book = book(await stored_versions(units))
    anna = await linked_on(units, old_book, 5001)
    before = await rows_of(units, anna)
    evening_key = next(key for key in before if key.endswith(":evening"))
    assert before[evening_key].due_at.hour == 19
    # a check-in opened and an incident paging: their timers belong to no plan
    timers = [
        ScheduledMessage(f"timer:{kind}", anna, kind, "", NOW + timedelta(hours=1),
                         NOW + timedelta(hours=2), session_id=before[evening_key].session_id)
        for kind in (CHECK_IN_EXPIRY, INCIDENT_PAGE)
    ]  # fmt: skip
    async with units.unit_of_work() as uow:
        for timer in timers:
            await uow.outbox.add_unless_present(timer)
        await uow.commit()

    await editing.save(ADMIN, "Grey", NAME, 1, evening_at("20:00"), {})
    new_book = book(await stored_versions(units))
    vera = await linked_on(units, new_book, 5002)
    vera_rows = await rows_of(units, vera)
    vera_evening = next(row for key, row in vera_rows.items() if key.endswith(":evening"))
    assert vera_evening.due_at.hour == 20  # a new patient is enrolled on the newest
    kept = await rows_of(units, anna)
    assert kept[evening_key].due_at.hour == 19  # a new version moves nobody

    newest = new_book.current(NAME)
    assert newest is not None
    moved = await editing.move_patients(ADMIN, [NAME], newest, QUIET)
    assert (moved.moved, moved.replanned) == (1, 1)
    after = await rows_of(units, anna)
    assert after[evening_key].due_at.hour == 20
    assert after[evening_key].state == MessageState.PENDING
    for timer in timers:
        assert after[timer.unique_key].state == MessageState.PENDING
        assert after[timer.unique_key].due_at == timer.due_at
    assert len(after) == len(before) + len(timers)  # re-planned, nothing doubled
    again = await editing.move_patients(ADMIN, [NAME], newest, QUIET)
    assert (again.moved, again.replanned) == (0, 0)
    assert await editing.patients_per_version() == {f"{NAME}@2": 2}
    async with units.unit_of_work() as uow:
        events = [e.action for e in await uow.audit.since(NOW)]
    assert events.count("plans.patient_moved") == 1
