"""Patients report side effects in a few taps; the bot judges them and tells staff."""

from datetime import UTC, datetime
from typing import Any

from aftercare_bot.domain.check_ins import CheckInState
from aftercare_bot.sandbox import SimUser
from tests.e2e.conftest import RunningBot
from tests.e2e.test_delivery import linked

DAY_1 = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
DAY_3 = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8cfc0f01f0005000201e221bc330000000049454e44ae426082"
)


async def check_in_message(bot: RunningBot, anna: SimUser, at: datetime) -> dict[str, Any]:
    """Live until a plan check-in arrives; it asks about redness first."""
    await bot.live_until(at)
    message = bot.simulator.messages_in(anna)[-1]
    assert "Redness at the injection sites" in message["text"]
    return message


def current(bot: RunningBot, message: dict[str, Any]) -> dict[str, Any]:
    """The check-in message as it is now (it is edited in place)."""
    return bot.current(message)


async def tap(bot: RunningBot, anna: SimUser, message: dict[str, Any], *labels: str) -> None:
    """Press each button in turn, waiting for the question to be edited each time."""
    for label in labels:
        mark = bot.simulator.mark()
        await anna.press(current(bot, message), label)
        await bot.simulator.wait_for(
            lambda event, m=message: event.kind == "edit" and event.message_id == m["message_id"],
            since=mark,
        )


async def results(bot: RunningBot, code: str) -> list[tuple[str, str | None]]:
    async with bot.runtime.services.database.unit_of_work() as uow:
        patient = await uow.patients.by_code(code)
        assert patient is not None and patient.id is not None
        return [(c.state.value, c.urgency) for c in await uow.check_ins.of_patient(patient.id)]


async def test_all_fine_answers_everything_in_one_tap(bot: RunningBot) -> None:
    anna, code = await linked(bot)
    message = await check_in_message(bot, anna, DAY_1)
    await anna.press(message, "All fine")
    reply = await anna.wait_for_reply()
    assert "expected in the days after a session" in reply["text"]
    assert "your answers are recorded" in current(bot, message)["text"]
    assert await results(bot, code) == [(CheckInState.ANSWERED.value, "nothing")]


async def test_severe_redness_on_day_1_is_urgent_and_reaches_staff(bot: RunningBot) -> None:
    anna, code = await linked(bot)
    message = await check_in_message(bot, anna, DAY_1)
    await tap(bot, anna, message, "Severe")
    advice = await anna.wait_for_reply()  # at the tap: staff are told before anything else
    assert "The clinic has been told and will contact you" in advice["text"]
    await tap(bot, anna, message, "Mild", "None", "Done", "Skip")
    await anna.press(current(bot, message), "Skip")
    reply = await anna.wait_for_reply()
    assert "Your answers were added to your report" in reply["text"]
    staff = bot.simulator.messages_in(bot.admin)[-2]
    assert f"URGENT check-in: patient {code} (Anna), day 1" in staff["text"]
    assert "redness severe on day 1" in staff["text"]
    assert await results(bot, code) == [(CheckInState.ANSWERED.value, "urgent")]


async def test_a_full_check_in_with_a_photo_and_a_note(bot: RunningBot) -> None:
    anna, code = await linked(bot)
    message = await check_in_message(bot, anna, DAY_1)
    await tap(bot, anna, message, "Mild", "Mild", "None", "Done")
    assert "A photo of your scalp?" in current(bot, message)["text"]
    await anna.send_photo(PNG)
    await bot.simulator.wait_for(
        lambda event: (
            "Anything to add?" in (event.text or "") and event.message_id == message["message_id"]
        )
    )
    await anna.send("a little itchy")
    reply = await anna.wait_for_reply()
    assert "Your note has been passed to the clinic" in reply["text"]
    async with bot.runtime.services.database.unit_of_work() as uow:
        patient = await uow.patients.by_code(code)
        assert patient is not None and patient.id is not None
        [check_in] = await uow.check_ins.of_patient(patient.id)
    assert check_in.photo_file_id is not None
    assert check_in.urgency == "information"
    assert '"note": "a little itchy"' in (check_in.answers or "")


async def test_a_photo_sent_as_a_file_keeps_its_quality_and_a_non_image_is_refused(
    bot: RunningBot,
) -> None:
    anna, code = await linked(bot)
    message = await check_in_message(bot, anna, DAY_1)
    await tap(bot, anna, message, "None", "None", "None", "Done")
    await anna.send_document(b"%PDF-1.4", file_name="report.pdf", mime_type="application/pdf")
    assert "Please send a photo" in (await anna.wait_for_reply())["text"]
    await anna.send_document(PNG, file_name="scalp.png", mime_type="image/png")
    await bot.simulator.wait_for(
        lambda event: (
            "Anything to add?" in (event.text or "") and event.message_id == message["message_id"]
        )
    )
    await tap(bot, anna, message, "Skip")
    assert await results(bot, code) == [(CheckInState.ANSWERED.value, "information")]


async def test_back_corrects_the_last_answer(bot: RunningBot) -> None:
    anna, code = await linked(bot)
    message = await check_in_message(bot, anna, DAY_1)
    await tap(bot, anna, message, "Severe", "Back", "Mild", "None", "None", "Done", "Skip")
    await anna.press(current(bot, message), "Skip")
    await anna.wait_for_reply()
    assert await results(bot, code) == [(CheckInState.ANSWERED.value, "nothing")]


async def test_moderate_swelling_on_day_3_is_routine(bot: RunningBot) -> None:
    anna, code = await linked(bot)
    first = await check_in_message(bot, anna, DAY_1)
    await anna.press(first, "All fine")
    await anna.wait_for_reply()
    message = await check_in_message(bot, anna, DAY_3)
    await tap(bot, anna, message, "None", "Moderate", "None", "Done", "Skip")
    await anna.press(current(bot, message), "Skip")
    assert "The clinic will look at your answers" in (await anna.wait_for_reply())["text"]
    staff = await bot.admin.wait_for_reply()
    assert "swelling moderate on day 3, was none on day 1" in staff["text"]
    assert (await results(bot, code))[-1] == (CheckInState.ANSWERED.value, "routine")


async def test_a_worsening_trend_is_routine_even_when_mild(bot: RunningBot) -> None:
    anna, code = await linked(bot)
    first = await check_in_message(bot, anna, DAY_1)
    await anna.press(first, "All fine")
    await anna.wait_for_reply()
    message = await check_in_message(bot, anna, DAY_3)
    await tap(bot, anna, message, "None", "None", "Mild", "Done", "Skip")
    await anna.press(current(bot, message), "Skip")
    await anna.wait_for_reply()
    staff = await bot.admin.wait_for_reply()
    assert "bruising mild on day 3, was none on day 1" in staff["text"]
    assert (await results(bot, code))[-1] == (CheckInState.ANSWERED.value, "routine")


async def test_a_forged_press_on_someone_elses_check_in_is_refused(bot: RunningBot) -> None:
    anna, code = await linked(bot)
    message = await check_in_message(bot, anna, DAY_1)
    eve = bot.simulator.add_user(first_name="Eve")
    await eve.send("/help")
    greeting = await eve.wait_for_reply()
    check_in_id = message["reply_markup"]["inline_keyboard"][0][0]["callback_data"].split(":")[1]
    await eve.forge_press(greeting, f"ci:{check_in_id}:redness:severe")
    assert "no longer current" in (await eve.wait_for_reply())["text"]
    assert await results(bot, code) == [(CheckInState.OPEN.value, None)]


async def test_a_late_press_on_an_answered_check_in_starts_a_new_one_with_that_answer(
    bot: RunningBot,
) -> None:
    anna, code = await linked(bot)
    message = await check_in_message(bot, anna, DAY_1)
    await anna.forge_press(message, "ci:0:redness:mild")  # nothing: not her check-in
    await anna.press(message, "All fine")
    await anna.wait_for_replies(2)
    check_in_id = message["reply_markup"]["inline_keyboard"][0][0]["callback_data"].split(":")[1]
    await anna.forge_press(current(bot, message), f"ci:{check_in_id}:redness:severe")
    advice, fresh = await anna.wait_for_replies(2)
    assert "The clinic has been told" in advice["text"]  # severe is urgent at the tap
    assert "Swelling" in fresh["text"]
    assert await results(bot, code) == [
        (CheckInState.ANSWERED.value, "nothing"),
        (CheckInState.OPEN.value, "urgent"),
    ]


async def test_checkin_and_the_concern_button_start_a_check_in_at_any_time(bot: RunningBot) -> None:
    anna, code = await linked(bot)
    await anna.send("/checkin")
    assert "Redness at the injection sites" in (await anna.wait_for_reply())["text"]
    await anna.send("I have a concern")
    question = await anna.wait_for_reply()
    assert "Redness at the injection sites" in question["text"]
    await anna.press(question, "All fine")
    await anna.wait_for_reply()
    assert [state for state, _ in await results(bot, code)] == ["open", "answered"]
