"""The patient in control of their follow-up and their data, in English and in Russian."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from aftercare_bot.adapters.persistence.tables import (
    audit_events,
    check_ins,
    consent_events,
    courses,
    patient_messages,
    patients,
    scheduled_messages,
)
from aftercare_bot.domain.patients import PatientStatus
from aftercare_bot.sandbox import SimUser
from tests.e2e.conftest import RunningBot
from tests.e2e.enrollment_steps import answer, enroll

EVENING = datetime(2026, 11, 25, 19, 0, tzinfo=UTC)
SESSION_DAY = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


async def linked(bot: RunningBot, language: str = "en", name: str = "Anna") -> tuple[SimUser, str]:
    enrolled = await enroll(bot.admin, name=name, language_label="Their Telegram language")
    patient = bot.simulator.add_user(first_name=name, language_code=language)
    await patient.send(f"/start {enrolled.token}")
    agree = "Yes, I agree" if language == "en" else "Да, я даю согласие"
    await patient.press(await patient.wait_for_reply(), agree)
    await patient.wait_for_replies(2)
    told = await bot.admin.wait_for_reply()  # the nurse who enrolled her hears she is linked
    assert told["text"].startswith(f"{name} ({enrolled.code}) has opened the link")
    await bot.settle()
    return patient, enrolled.code


async def status_of(bot: RunningBot, code: str) -> PatientStatus:
    async with bot.runtime.services.database.unit_of_work() as uow:
        patient = await uow.patients.by_code(code)
    assert patient is not None
    return patient.status


@pytest.mark.parametrize(
    ("language", "word", "stopped", "restart"),
    [
        ("en", "STOP", "you will receive no more messages", "START"),
        ("ru", "стоп", "больше не будете получать", "/start"),
    ],
)
async def test_stop_as_a_plain_word_stops_the_plan_and_start_resumes_it(
    bot: RunningBot, language: str, word: str, stopped: str, restart: str
) -> None:
    anna, code = await linked(bot, language)
    await anna.send(word)
    assert stopped in (await anna.wait_for_reply())["text"]
    assert f"{code}" in (await bot.admin.wait_for_reply())["text"]
    bot.clock.set(EVENING)
    await bot.settle()
    assert await status_of(bot, code) == PatientStatus.STOPPED
    assert not any(
        "Good evening" in m.get("text", "") or "Добрый вечер" in m.get("text", "")
        for m in bot.simulator.messages_in(anna)
    )
    await anna.send(restart)
    await anna.wait_for_replies(2)
    assert await status_of(bot, code) == PatientStatus.LINKED


async def test_a_stopped_patient_gets_nothing_but_staff_still_see_them(bot: RunningBot) -> None:
    anna, code = await linked(bot)
    await anna.send("/stop")
    await anna.wait_for_reply()
    before = len(bot.simulator.messages_in(anna))
    await bot.live_until(datetime(2026, 11, 28, 12, 0, tzinfo=UTC))
    assert len(bot.simulator.messages_in(anna)) == before
    reply = await answer(bot.admin, f"/newlink {code}")
    assert code in reply["text"]


async def test_language_changes_every_later_message(bot: RunningBot) -> None:
    anna, _code = await linked(bot)
    await anna.send("/language")
    choice = await anna.wait_for_reply()
    await anna.press(choice, "Русский")
    assert "на русском" in (await anna.wait_for_reply())["text"]
    bot.clock.set(EVENING)
    await bot.settle()
    assert bot.simulator.messages_in(anna)[-1]["text"].startswith("Добрый вечер")


async def test_a_new_time_zone_moves_pending_day_steps_to_its_local_time(bot: RunningBot) -> None:
    anna, code = await linked(bot)
    await anna.send("/timezone")
    await anna.wait_for_reply()
    await anna.send("Tokyo")
    assert "Asia/Tokyo" in (await anna.wait_for_reply())["text"]
    async with bot.runtime.services.database.unit_of_work() as uow:
        patient = await uow.patients.by_code(code)
        assert patient is not None and patient.id is not None
        pending = {
            m.step_key: m.due_at
            for m in await uow.outbox.for_patient(patient.id)
            if m.state.value == "pending"
        }
    # Day 1 at 10:00 in Tokyo is 01:00 UTC.
    assert pending["checkin-day1"] == datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
    await anna.send("/timezone Mars")
    await bot.simulator.wait_for(lambda event: "I do not know “Mars”" in (event.text or ""))


async def test_mydata_sends_everything_stored_as_text_and_json(bot: RunningBot) -> None:
    anna, code = await linked(bot)
    await anna.send("my scalp is itchy")
    await anna.wait_for_reply()
    await anna.send("/mydata")
    text, document = await anna.wait_for_replies(2)
    assert f"code {code}" in text["text"]
    assert "Anna" in text["text"]
    assert document["document"]["file_name"] == "my-aftercare-data.json"
    data = json.loads(bot.simulator.file_bytes(document["document"]["file_id"]))
    assert data["patient"]["code"] == code
    assert data["patient"]["display_name"] == "Anna"
    assert data["patient"]["timezone"] == "Europe/London"
    assert [s["number"] for s in data["sessions"]] == [1]
    assert data["courses"][0]["plan_name"] == "scalp-mesotherapy"
    assert {m["title"] for m in data["messages"]} >= {
        "aftercare instructions",
        "reminder for the evening after the session",
        "question about how your scalp is",
    }
    assert [c["change"] for c in data["consent"]] == ["accepted"]
    assert [m["text"] for m in data["messages_from_you"]] == ["my scalp is itchy"]
    assert data["check_ins"] == []


@pytest.mark.parametrize(
    ("mode", "extra_config"),
    [(mode, f'\n[privacy]\non_delete = "{mode}"\n') for mode in ("erase", "anonymise")],
)
async def test_delete_leaves_nothing_personal(bot: RunningBot, mode: str) -> None:
    anna, code = await linked(bot)
    await bot.live_until(datetime(2026, 11, 26, 10, 0, tzinfo=UTC))  # a check-in went out
    await anna.send("/delete")
    confirm = await anna.wait_for_reply()
    await anna.press(confirm, "Yes, erase my data")
    assert "your data has been erased" in (await anna.wait_for_reply())["text"]
    assert "erased their data" in (await bot.admin.wait_for_reply())["text"]
    async with bot.runtime.services.database.unit_of_work() as uow:
        run = uow.session.execute
        people = (
            await run(select(patients.c.code, patients.c.display_name, patients.c.chat_id))
        ).all()
        personal = {
            "consent": (await run(select(consent_events))).all(),
            "messages": (await run(select(scheduled_messages))).all(),
            "words": (await run(select(patient_messages))).all(),
            "audit": (await run(select(audit_events).where(audit_events.c.subject == code))).all(),
        }
        kept_check_ins = (await run(select(check_ins))).all()
        kept_courses = (await run(select(courses))).all()
    assert personal == {"consent": [], "messages": [], "words": [], "audit": []}
    if mode == "erase":
        assert (people, kept_check_ins, kept_courses) == ([], [], [])
    else:
        [(anonymous_code, name, chat)] = people
        assert (name, chat) == ("", None) and anonymous_code != code
        assert len(kept_check_ins) == 1 and len(kept_courses) == 1


async def test_discharge_says_goodbye_and_schedules_nothing_more(bot: RunningBot) -> None:
    anna, code = await linked(bot)
    reply = await answer(bot.admin, f"/discharge {code}")
    assert "is discharged" in reply["text"]
    goodbye = await anna.wait_for_reply()
    assert "This follow-up ends here" in goodbye["text"]
    await bot.live_until(datetime(2026, 12, 20, 12, 0, tzinfo=UTC))
    assert bot.simulator.messages_in(anna)[-1]["text"] == goodbye["text"]
    assert await status_of(bot, code) == PatientStatus.DISCHARGED


async def test_a_patients_own_words_reach_staff_and_the_patient_is_told_who_reads_them(
    bot: RunningBot,
) -> None:
    anna, code = await linked(bot)
    await anna.send("the redness is spreading <a bit>")
    reply = await anna.wait_for_reply()
    assert "passed to the clinic team" in reply["text"]
    assert "Mon\u2013Fri 09:00\u201319:00" in reply["text"]
    notice = await bot.admin.wait_for_reply()
    assert f"Message from patient {code} (Anna): the redness is spreading <a bit>" == notice["text"]
    # It is a routine incident: someone owns the answer.
    assert notice["reply_markup"]["inline_keyboard"][0][0]["text"] == "Acknowledge"


async def test_help_repeats_the_aftercare_instructions_for_a_linked_patient(
    bot: RunningBot,
) -> None:
    anna, _code = await linked(bot, "ru")
    await anna.send("/help")
    help_text, aftercare = await anna.wait_for_replies(2)
    assert "/stop" in help_text["text"]
    assert "Уход после сеанса" in aftercare["text"] or "уход" in aftercare["text"].lower()


async def test_every_patient_command_speaks_russian_to_a_russian_patient(bot: RunningBot) -> None:
    boris, code = await linked(bot, "ru", name="Борис")
    await boris.send("/next")
    assert "Ваш следующий сеанс" in (await boris.wait_for_reply())["text"]
    await boris.send("/timezone Europe/Moscow")
    assert "Europe/Moscow" in (await boris.wait_for_reply())["text"]
    await boris.send("/language")
    assert "язык" in (await boris.wait_for_reply())["text"].lower()
    await boris.send("/mydata")
    text, document = await boris.wait_for_replies(2)
    assert f"код {code}" in text["text"] or code in text["text"]
    assert document["document"]["file_name"] == "my-aftercare-data.json"
    await boris.send("/delete")
    confirm = await boris.wait_for_reply()
    await boris.press(confirm, "Нет, оставить")
    assert "ничего не удалено" in (await boris.wait_for_reply())["text"].lower()
    await boris.send("/stop")
    assert "больше не будете получать" in (await boris.wait_for_reply())["text"]


async def test_the_end_of_a_course_closes_the_follow_up_with_a_goodbye(bot: RunningBot) -> None:
    anna, code = await linked(bot)
    for week in (3, 6, 9):
        await bot.live_until(SESSION_DAY + timedelta(weeks=week))
        reply = await answer(bot.admin, f"/session {code}")
        assert f"Recorded session {week // 3 + 1} of 4" in reply["text"]
    # Three weeks after the fourth and last session, the course is over.
    await bot.live_until(SESSION_DAY + timedelta(weeks=12))
    assert "This follow-up ends here" in bot.simulator.messages_in(anna)[-1]["text"]
    assert await status_of(bot, code) == PatientStatus.DISCHARGED


async def test_mydata_reads_in_the_patients_language(bot: RunningBot) -> None:
    boris, _code = await linked(bot, "ru", name="Борис")
    await boris.send("/mydata")
    text, _document = await boris.wait_for_replies(2)
    assert "сопровождение идёт" in text["text"]
    assert "согласие дано" in text["text"]
    assert "отправлено" in text["text"]
