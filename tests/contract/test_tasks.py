"""Staff tasks, on the database and on the fake: opened once per key, listed while open."""

from datetime import UTC, datetime, timedelta
from typing import Any

from aftercare_bot.domain.incidents import Incident, IncidentUrgency
from aftercare_bot.domain.patients import Patient, PatientStatus
from aftercare_bot.domain.tasks import StaffTask, TaskKind

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


async def add_patient(units: Any, code: str = "P-AAAA") -> int:
    """A committed patient; their id."""
    async with units.unit_of_work() as uow:
        patient = Patient(code, "Pat", "Europe/London", "Grey", NOW, status=PatientStatus.LINKED)
        uow.patients.add(patient)
        await uow.patients.flush()
        await uow.commit()
    assert patient.id is not None
    return patient.id


async def open_tasks(units: Any, *tasks: StaffTask) -> None:
    """Commit these tasks (new keys)."""
    async with units.unit_of_work() as uow:
        for task in tasks:
            assert await uow.tasks.open_unless_present(task)
        await uow.tasks.flush()
        await uow.commit()


def task(key: str, patient_id: int | None, created_at: datetime = NOW, **fields: Any) -> StaffTask:
    return StaffTask(
        key, fields.pop("kind", TaskKind.UNREACHABLE), patient_id, created_at, **fields
    )


async def test_a_task_opened_and_committed_is_read_back_by_a_fresh_unit(units: Any) -> None:
    patient_id = await add_patient(units)
    opened = task("a", patient_id, detail="call them")
    await open_tasks(units, opened)
    assert opened.id is not None
    async with units.unit_of_work() as uow:
        assert await uow.tasks.by_id(opened.id) == opened
        assert await uow.tasks.by_id(opened.id + 1000) is None


async def test_an_uncommitted_task_is_gone(units: Any) -> None:
    async with units.unit_of_work() as uow:
        assert await uow.tasks.open_unless_present(task("a", None))
        await uow.tasks.flush()
    async with units.unit_of_work() as uow:
        assert await uow.tasks.count_open() == 0


async def test_a_task_with_a_key_already_opened_is_not_opened_twice(units: Any) -> None:
    await open_tasks(units, task("a", None))
    async with units.unit_of_work() as uow:
        assert not await uow.tasks.open_unless_present(task("a", None, detail="again"))
        await uow.commit()
    async with units.unit_of_work() as uow:
        assert [t.detail for t in await uow.tasks.open_tasks()] == [None]


async def test_a_key_another_unit_committed_meanwhile_is_not_opened_again(units: Any) -> None:
    async with units.unit_of_work() as first:
        assert await first.tasks.count_open() == 0
        await open_tasks(units, task("a", None))
        assert not await first.tasks.open_unless_present(task("a", None))
        await first.commit()
    async with units.unit_of_work() as uow:
        assert await uow.tasks.count_open() == 1


async def test_open_for_incident_lists_the_incidents_tasks_not_done(units: Any) -> None:
    patient_id = await add_patient(units)
    async with units.unit_of_work() as uow:
        incident = Incident(patient_id, IncidentUrgency.URGENT, NOW)
        uow.incidents.add(incident)
        await uow.incidents.flush()
        await uow.commit()
    done = {"done_at": NOW, "done_by": 7}
    await open_tasks(
        units,
        task("open", patient_id, incident_id=incident.id),
        task("done", patient_id, incident_id=incident.id, **done),
        task("elsewhere", patient_id),
    )
    assert incident.id is not None
    async with units.unit_of_work() as uow:
        found = await uow.tasks.open_for_incident(incident.id)
        assert await uow.tasks.open_for_incident(incident.id + 1) == []
    assert [t.unique_key for t in found] == ["open"]


async def test_awaiting_note_is_the_newest_patient_task_without_a_note_since(
    units: Any,
) -> None:
    patient_id = await add_patient(units)
    other = await add_patient(units, "P-BBBB")
    reschedule, changed = TaskKind.RESCHEDULE, TaskKind.SOMETHING_CHANGED
    await open_tasks(
        units,
        task("old", patient_id, NOW - 2 * HOUR, kind=reschedule),
        task("tied, lower id", patient_id, NOW - HOUR, kind=changed),
        task("newest", patient_id, NOW, kind=reschedule),
        task("tied, higher id", patient_id, NOW - HOUR, kind=reschedule),
        task("with a note", patient_id, NOW + HOUR, kind=reschedule, detail="moved"),
        task("done", patient_id, NOW + HOUR, kind=changed, done_at=NOW, done_by=7),
        task("bot's own", patient_id, NOW + HOUR, kind=TaskKind.UNREACHABLE),
        task("someone else's", other, NOW + HOUR, kind=reschedule),
    )
    async with units.unit_of_work() as uow:
        newest = await uow.tasks.awaiting_note(patient_id, NOW - HOUR)
        assert newest is not None
        assert newest.unique_key == "newest"
        newest.detail = "the note"
        await uow.commit()
    async with units.unit_of_work() as uow:
        tied = await uow.tasks.awaiting_note(patient_id, NOW - HOUR)
        assert tied is not None
        assert tied.unique_key == "tied, higher id"
        assert await uow.tasks.awaiting_note(patient_id, NOW + 2 * HOUR) is None


async def test_open_tasks_are_oldest_first_up_to_the_limit_and_counted(units: Any) -> None:
    await open_tasks(
        units,
        task("second", None, NOW),
        task("first", None, NOW - HOUR),
        task("third", None, NOW),
        task("done", None, NOW - 2 * HOUR, done_at=NOW, done_by=7),
    )
    async with units.unit_of_work() as uow:
        assert [t.unique_key for t in await uow.tasks.open_tasks()] == ["first", "second", "third"]
        assert [t.unique_key for t in await uow.tasks.open_tasks(limit=2)] == ["first", "second"]
        assert await uow.tasks.count_open() == 3
        [first, *_] = await uow.tasks.open_tasks()
        assert first.close(7, NOW)
        await uow.commit()
    async with units.unit_of_work() as uow:
        assert await uow.tasks.count_open() == 2
