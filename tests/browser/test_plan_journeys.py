"""Plans in a real browser, against the whole bot: edit a step and see the preview; save a
version and enroll on it while an earlier patient keeps the old one; move the earlier patient
to the new version and see her messages re-planned once."""

from datetime import datetime

from aftercare_bot.domain.outbox import MessageState, ScheduledMessage
from tests.browser.conftest import Browser
from tests.browser.test_console_journeys import sign_in
from tests.e2e.conftest import RunningBot
from tests.e2e.enrollment_steps import enroll
from tests.e2e.test_delivery import linked

PLAN = "scalp-mesotherapy"


async def evenings(bot: RunningBot, code: str) -> list[ScheduledMessage]:
    """The patient's evening messages, as the outbox holds them."""
    async with bot.runtime.services.database.unit_of_work() as uow:
        patient = await uow.patients.by_code(code)
        assert patient is not None and patient.id is not None
        rows = await uow.outbox.for_patient(patient.id)
    return [row for row in rows if row.unique_key.endswith(":evening")]


def local(moment: datetime) -> str:
    return moment.strftime("%H:%M")  # London is on UTC in November


async def course_plan(bot: RunningBot, code: str) -> str:
    async with bot.runtime.services.database.unit_of_work() as uow:
        patient = await uow.patients.by_code(code)
        assert patient is not None and patient.id is not None
        course = await uow.patients.current_course(patient.id)
    assert course is not None
    return course.plan_name


async def edit_evening_at(browser: Browser, at: str) -> None:
    await browser.open(f"/console/plans/{PLAN}")
    await browser.wait_for("version 2")
    await browser.type("step-1-at", at)
    await browser.type("step-1-text-en", "Rest tonight, {name}: no hair wash until tomorrow.")


async def test_an_edited_step_is_previewed_before_anything_is_saved(
    bot: RunningBot, browser: Browser
) -> None:
    await sign_in(bot, browser)
    await browser.open("/console/plans")
    await browser.wait_for(PLAN)
    await edit_evening_at(browser, "20:30")
    await browser.press("Preview")
    page = await browser.wait_for("A session tomorrow at 10:00")
    assert "Thu 26 Nov 2026, 20:30 · information (evening)" in page
    assert "Rest tonight, Anna: no hair wash until tomorrow." in page
    await browser._run(
        browser.driver.execute_script,
        "document.getElementById('preview-result').scrollIntoView()",
    )
    await browser.screenshot("console-plan-preview")
    async with bot.runtime.services.database.unit_of_work() as uow:
        assert [v.key for v in await uow.plan_versions.all()] == [PLAN]  # nothing saved


async def test_a_saved_version_is_enrolled_on_while_an_earlier_patient_keeps_hers_until_moved(
    bot: RunningBot, browser: Browser
) -> None:
    _anna, earlier = await linked(bot)
    [before] = await evenings(bot, earlier)
    assert local(before.due_at) == "19:00"
    await sign_in(bot, browser)
    await edit_evening_at(browser, "20:30")
    await browser.press("Save as version 2")
    page = await browser.wait_for(f"Saved: {PLAN}, version 2.")
    assert "Move the patients on older versions to version 2 (1)" in page

    later = await enroll(bot.admin, name="Vera")
    assert await course_plan(bot, later.code) == f"{PLAN}@2"
    assert await course_plan(bot, earlier) == PLAN  # a new version moves nobody
    assert [local(row.due_at) for row in await evenings(bot, earlier)] == ["19:00"]

    await browser.press("Move the patients on older versions to version 2 (1)")
    await browser.wait_for("1 patients moved to the newest version")
    await bot.settle()
    assert await course_plan(bot, earlier) == f"{PLAN}@2"
    [after] = await evenings(bot, earlier)
    assert local(after.due_at) == "20:30" and after.state == MessageState.PENDING
    await browser.open("/console/plans")
    page = await browser.wait_for(PLAN)
    assert "Move the patients" not in page  # nobody is left on version 1: not twice
