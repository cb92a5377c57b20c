"""While a report is open, the plan does not tell the patient that all is as expected."""

import tomllib
from datetime import timedelta
from importlib.resources import files
from typing import Any

from aftercare_bot.domain.outbox import MessageState
from aftercare_bot.domain.tasks import TaskKind
from aftercare_bot.sandbox import SimChat, SimUser
from tests.e2e.conftest import START, RunningBot
from tests.e2e.test_check_ins import DAY_1, current, tap
from tests.e2e.test_delivery import EVENING, linked, open_task_kinds, texts_to
from tests.e2e.test_incidents import incident_post, resolve_as, staff_group

CHECK_IN_QUESTION = "Redness at the injection sites"
EVENING_ADVICE = "usually at their most on the first evening"


def shipped_step(key: str) -> dict[str, Any]:
    text = (files("aftercare_bot") / "default_plans.toml").read_text(encoding="utf-8")
    steps = tomllib.loads(text)["plans"]["scalp-mesotherapy"]["steps"]
    step: dict[str, Any] = next(step for step in steps if step["key"] == key)
    return step


def test_the_times_used_here_are_those_of_the_shipped_plan() -> None:
    evening, day_1 = shipped_step("evening"), shipped_step("checkin-day1")
    # The clinic is in London, on UTC in November, and the session is at START (day 0).
    assert (evening["day"], evening["at"], evening["reassurance"]) == (0, "19:00", True)
    assert START.replace(hour=19) == EVENING
    assert (day_1["day"], day_1["at"], day_1["kind"]) == (1, "10:00", "checkin")
    assert START.replace(hour=10) + timedelta(days=1) == DAY_1


async def report_urgent_now(bot: RunningBot, anna: SimUser, group: SimChat) -> dict[str, Any]:
    """Anna starts a check-in herself, answers severe redness; the incident is posted."""
    await anna.send("/checkin")
    question = await anna.wait_for_reply()
    await tap(bot, anna, question, "Severe")
    post = await incident_post(bot, group)
    await anna.wait_for_reply()  # the urgent advice, at the tap
    await tap(bot, anna, question, "None", "None", "Done", "Skip")
    await anna.press(current(bot, question), "Skip")
    await anna.wait_for_reply()
    return post


async def evening_row(bot: RunningBot, code: str) -> tuple[str, str | None]:
    async with bot.runtime.services.database.unit_of_work() as uow:
        patient = await uow.patients.by_code(code)
        assert patient is not None and patient.id is not None
        rows = await uow.outbox.for_patient(patient.id)
    [row] = [row for row in rows if row.step_key == "evening"]
    return row.state.value, row.last_error


async def test_an_open_incident_skips_the_evening_reassurance_but_not_the_next_check_in(
    bot: RunningBot,
) -> None:
    group = await staff_group(bot)
    anna, code = await linked(bot)
    await report_urgent_now(bot, anna, group)
    await bot.live_until(EVENING + timedelta(minutes=1))
    assert not any(EVENING_ADVICE in text for text in texts_to(bot, anna))
    assert await evening_row(bot, code) == (MessageState.SKIPPED.value, "incident open")
    assert TaskKind.SKIPPED_MESSAGE.value not in await open_task_kinds(bot)
    before = len(texts_to(bot, anna))
    await bot.live_until(DAY_1)
    assert any(CHECK_IN_QUESTION in text for text in texts_to(bot, anna)[before:])


async def test_an_acknowledged_incident_still_skips_the_reassurance(bot: RunningBot) -> None:
    group = await staff_group(bot)
    anna, code = await linked(bot)
    post = await report_urgent_now(bot, anna, group)
    await bot.admin.press(post, "Acknowledge")
    await anna.wait_for_reply()  # "Grey from the clinic has seen your report"
    await bot.live_until(EVENING + timedelta(minutes=1))
    assert not any(EVENING_ADVICE in text for text in texts_to(bot, anna))
    assert await evening_row(bot, code) == (MessageState.SKIPPED.value, "incident open")


async def test_a_resolved_incident_lets_the_reassurance_go(bot: RunningBot) -> None:
    group = await staff_group(bot)
    anna, code = await linked(bot)
    post = await report_urgent_now(bot, anna, group)
    await resolve_as(bot, bot.admin, post, "No action needed")
    await bot.live_until(EVENING + timedelta(minutes=1))
    assert any(EVENING_ADVICE in text for text in texts_to(bot, anna))
    assert await evening_row(bot, code) == (MessageState.SENT.value, None)


async def test_a_patient_without_an_incident_gets_the_evening_reassurance(bot: RunningBot) -> None:
    anna, code = await linked(bot)
    await bot.live_until(EVENING + timedelta(minutes=1))
    assert texts_to(bot, anna)[-1].startswith("Good evening, Anna")
    assert EVENING_ADVICE in texts_to(bot, anna)[-1]
    assert await evening_row(bot, code) == (MessageState.SENT.value, None)
