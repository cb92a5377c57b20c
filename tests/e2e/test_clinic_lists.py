"""Practitioners and products as lists in /enroll: the listed ones are offered as buttons,
a press stores the listed name, a typed name that matches is taken as the listed one, and the
statistics count them as one."""

from typing import Any

from aftercare_bot.services.clinic_lists import ClinicLists
from tests.e2e.conftest import RunningBot
from tests.e2e.enrollment_steps import answer, confirm, press
from tests.e2e.test_escalation_safety import labels


async def session_of(bot: RunningBot, code: str) -> tuple[str, str | None, str | None]:
    async with bot.runtime.services.database.unit_of_work() as uow:
        patient = await uow.patients.by_code(code)
        assert patient is not None and patient.id is not None
        course = await uow.patients.current_course(patient.id)
        assert course is not None and course.id is not None
        session = await uow.patients.latest_session(course.id)
    assert session is not None
    return session.practitioner, session.product, session.batch


async def enroll_with(bot: RunningBot, practitioner: str, product: str) -> tuple[str, Any]:
    """/enroll Anna now, pressing or typing the practitioner and the product."""
    admin = bot.admin
    await answer(admin, "/enroll")
    asked = await press(admin, await answer(admin, "Anna"), "Now")
    offered = labels(asked)
    if practitioner in offered:
        asked = await press(admin, asked, practitioner)
    else:
        asked = await answer(admin, practitioner)
    asked = await press(admin, await press(admin, asked, "In 3 weeks"), "English")
    products = labels(asked)
    preview = (
        await press(admin, asked, product) if product in products else await answer(admin, product)
    )
    return (await confirm(admin, preview)).code, (offered, products)


async def test_a_listed_practitioner_and_batch_are_pressed_and_a_typed_match_is_the_same(
    bot: RunningBot,
) -> None:
    lists = ClinicLists(bot.runtime.services.database, bot.clock)
    await lists.add_practitioner(bot.admin.id, "Dr Petrova")
    await lists.add_batch(bot.admin.id, "Dermaheal HSR", "LOT-42", None)
    first, (practitioners, products) = await enroll_with(bot, "Dr Petrova", "Dermaheal HSR, LOT-42")
    assert practitioners == ["Me (Grey)", "Dr Petrova"]
    assert products == ["Skip", "Dermaheal HSR, LOT-42"]
    second, _offered = await enroll_with(bot, "petrova", "dermaheal hsr, lot-42")
    assert await session_of(bot, first) == ("Dr Petrova", "Dermaheal HSR", "LOT-42")
    assert await session_of(bot, second) == ("Dr Petrova", "Dermaheal HSR", "LOT-42")
