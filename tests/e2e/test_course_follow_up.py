"""A course with no next session booked: the patient is nudged to book when it is due, and
staff get a task when it is long overdue."""

from datetime import UTC, datetime

from aftercare_bot.domain.tasks import TaskKind
from tests.e2e.conftest import RunningBot
from tests.e2e.enrollment_steps import enroll


async def test_an_unbooked_next_session_brings_a_nudge_then_a_staff_task(bot: RunningBot) -> None:
    enrolled = await enroll(bot.admin, next_label="Not known yet")
    anna = bot.simulator.add_user(first_name="Anna")
    await anna.send(f"/start {enrolled.token}")
    await anna.press(await anna.wait_for_reply(), "Yes, I agree")
    await anna.wait_for_replies(2)
    # Sessions are 3 weeks apart: the next one is due on Wed 16 Dec at 10:00.
    await bot.live_until(datetime(2026, 12, 16, 9, 59, tzinfo=UTC))
    assert not any("time to book" in m.get("text", "") for m in bot.simulator.messages_in(anna))
    await bot.live_until(datetime(2026, 12, 16, 10, 0, tzinfo=UTC))
    assert (
        "it is time to book your next mesotherapy session"
        in bot.simulator.messages_in(anna)[-1]["text"]
    )
    async with bot.runtime.services.database.unit_of_work() as uow:
        assert TaskKind.COURSE_OVERDUE not in [t.kind for t in await uow.tasks.open_tasks()]
    await bot.live_until(datetime(2026, 12, 30, 10, 0, tzinfo=UTC))
    async with bot.runtime.services.database.unit_of_work() as uow:
        kinds = [t.kind for t in await uow.tasks.open_tasks()]
    assert kinds.count(TaskKind.COURSE_OVERDUE) == 1
    nudges = [m for m in bot.simulator.messages_in(anna) if "time to book" in m.get("text", "")]
    assert len(nudges) == 1
    overdue = [
        m
        for m in bot.simulator.messages_in(bot.admin)
        if f"Patient {enrolled.code} (Anna) is overdue" in m.get("text", "")
    ]
    assert len(overdue) == 1  # staff see it once, as an incident with its buttons
    assert "Acknowledge" in str(overdue[0]["reply_markup"])
