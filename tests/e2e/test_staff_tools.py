"""Staff see their follow-up in Telegram: patient lists, timelines, statistics and exports."""

import csv
import io
import re
from datetime import timedelta
from typing import Any

from PIL import Image

from aftercare_bot.domain.check_in_answers import Level, Symptom
from aftercare_bot.domain.pages import MESSAGE_LIMIT
from tests.e2e.clinic_data import PastCheckIn, add_patient
from tests.e2e.conftest import RunningBot
from tests.e2e.enrollment_steps import answer
from tests.e2e.test_delivery import linked
from tests.e2e.test_incidents import report_severe, staff_group

CODE = re.compile(r"P-[0-9A-Z]{4}")


async def turn_page(bot: RunningBot, message: dict[str, Any], label: str) -> dict[str, Any]:
    """Press a page button under a list and return the list as it was edited."""
    mark = bot.simulator.mark()
    await bot.admin.press(bot.current(message), label)
    await bot.simulator.wait_for(
        lambda e: e.kind == "edit" and e.message_id == message["message_id"], since=mark
    )
    return bot.current(message)


async def test_sixty_patients_are_paged_with_buttons_every_page_under_the_limit(
    bot: RunningBot,
) -> None:
    start = bot.clock.now() - timedelta(days=60)
    for number in range(60):
        await add_patient(
            bot,
            f"P-{number:04d}",
            name=f"Patient{number}",
            session_at=start + timedelta(hours=number),
        )
    listing = await answer(bot.admin, "/patients")
    assert listing["text"].startswith("Patients: 60 (page 1 of 4)")
    seen: list[str] = []
    for page in range(1, 5):
        text = listing["text"]
        assert len(text) < MESSAGE_LIMIT
        assert f"(page {page} of 4)" in text
        seen += CODE.findall(text)
        if page < 4:
            listing = await turn_page(bot, listing, "Next ▶")
    assert sorted(seen) == sorted(f"P-{number:04d}" for number in range(60))
    assert seen[0] == "P-0059"  # newest enrollment first
    back = await turn_page(bot, listing, "◀ Previous")
    assert "(page 3 of 4)" in back["text"]


async def test_a_search_finds_patients_by_name_or_code(bot: RunningBot) -> None:
    _anna, code = await linked(bot)
    found = await answer(bot.admin, "/patients ann")
    assert "Patients matching “ann”: 1" in found["text"]
    assert f"{code} Anna — linked, session 1 of 4" in found["text"]
    assert f"{code} Anna" in (await answer(bot.admin, f"/patients {code.lower()}"))["text"]
    assert "No patient matches “zoe”" in (await answer(bot.admin, "/patients zoe"))["text"]


async def test_a_patients_timeline_shows_what_happened_newest_first(bot: RunningBot) -> None:
    await staff_group(bot)  # the incident is posted there, not in this conversation
    anna, code = await linked(bot)
    await report_severe(bot, anna)
    timeline = await answer(bot.admin, f"/patient {code}")
    lines = timeline["text"].split("\n")
    assert lines[0] == f"{code} Anna: timeline, newest first (page 1 of 1)"
    kinds = [line.split(" — ", 1)[1] for line in lines[1:]]
    assert kinds[0] == "appointment (not confirmed)"  # Wed 16 Dec: the future comes first
    assert any(k.startswith("check-in answered: Redness severe") for k in kinds)
    assert "incident opened (URGENT)" in kinds
    assert kinds[-4:] == [
        "message sent: aftercare",
        "consented",
        "session 1 (Grey)",
        "enrolled by Grey",
    ]
    answered = next(i for i, k in enumerate(kinds) if k.startswith("check-in answered"))
    assert answered < kinds.index("consented")  # newest first
    async with bot.runtime.services.database.unit_of_work() as uow:  # the view is audited
        events = await uow.audit.since(bot.clock.now() - timedelta(minutes=5))
    viewed = [
        (e.actor_telegram_id, e.subject, e.detail) for e in events if e.action == "patient.viewed"
    ]
    assert viewed == [(bot.admin.id, code, "telegram")]


async def test_a_long_timeline_is_paged_without_cutting_a_line(bot: RunningBot) -> None:
    many = [PastCheckIn(day, {Symptom.REDNESS: Level.MILD}) for day in range(120)]
    await add_patient(
        bot, "P-LONG", name="Lena", session_at=bot.clock.now() - timedelta(days=121), check_ins=many
    )
    page = await answer(bot.admin, "/patient P-LONG")
    pages = int(re.search(r"page 1 of (\d+)", page["text"])[1])  # type: ignore[index]
    assert pages > 1
    lines: list[str] = []
    for number in range(1, pages + 1):
        assert len(page["text"]) < MESSAGE_LIMIT
        lines += page["text"].split("\n")[1:]
        if number < pages:
            page = await turn_page(bot, page, "Next ▶")
    assert sum("check-in answered" in line for line in lines) == 120


def rows_of(bot: RunningBot, message: dict[str, Any]) -> list[list[str]]:
    data = bot.simulator.file_bytes(message["document"]["file_id"]).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(data)))


async def clinic_with_history(bot: RunningBot) -> list[PastCheckIn]:
    """Two patients with check-ins on days 1, 3 and 7 whose redness fades."""
    now = bot.clock.now()
    first = [
        PastCheckIn(1, {Symptom.REDNESS: Level.MODERATE, Symptom.SWELLING: Level.MILD}),
        PastCheckIn(3, {Symptom.REDNESS: Level.MILD}, urgency="routine"),
        PastCheckIn(7, {Symptom.REDNESS: Level.NONE}),
    ]
    second = [
        PastCheckIn(1, {Symptom.REDNESS: Level.SEVERE, Symptom.BRUISING: Level.MILD}, "urgent"),
        PastCheckIn(3, {Symptom.REDNESS: Level.MILD}),
        PastCheckIn(7, missed=True),
    ]
    await add_patient(bot, "P-AAAA", session_at=now - timedelta(days=10), check_ins=first)
    await add_patient(
        bot, "P-BBBB", session_at=now - timedelta(days=9), batch="LOT-7", check_ins=second
    )
    return first + second


async def test_stats_give_the_figures_and_a_chart_of_symptoms_by_day(bot: RunningBot) -> None:
    await clinic_with_history(bot)
    await bot.admin.send("/stats")
    text, chart = await bot.admin.wait_for_replies(2)
    lines = text["text"].split("\n")
    assert lines[0] == "📊 Statistics, last 30 days"
    assert lines[1] == "Check-ins: 5 answered of 6 (83%), 1 missed"
    assert lines[2] == "Results of answered check-ins: 20% urgent, 20% routine"
    assert "• Dr Lee: 2 of 5 check-ins (40%), 1 urgent" in lines
    assert "• LOT-7: 1 of 2 check-ins (50%), 1 urgent" in lines
    assert "• (not recorded): 1 of 3 check-ins (33%), 0 urgent" in lines
    png = bot.simulator.file_bytes(chart["photo"][-1]["file_id"])
    image = Image.open(io.BytesIO(png))
    image.verify()
    assert image.format == "PNG"


async def test_stats_csv_is_the_charts_data(bot: RunningBot) -> None:
    history = await clinic_with_history(bot)
    reply = await answer(bot.admin, "/stats csv")
    rows = rows_of(bot, reply)
    assert rows[0] == ["day_since_session", "symptom", "mean_level", "answers"]
    for day, symptom, mean, count in rows[1:]:
        levels = [
            int(past.levels[Symptom(symptom)])
            for past in history
            if past.day == int(day) and not past.missed and Symptom(symptom) in past.levels
        ]
        assert int(count) == len(levels)
        assert float(mean) == round(sum(levels) / len(levels), 2)
    assert ["1", "redness", "2.50", "2"] in rows


async def test_stats_with_a_bad_window_explain_themselves(bot: RunningBot) -> None:
    assert "Usage: /stats [30d] [csv]" in (await answer(bot.admin, "/stats lots"))["text"]
    assert "No check-ins in the last 7 days" in (await answer(bot.admin, "/stats 7d"))["text"]


async def test_export_is_a_csv_that_reads_back_with_formulas_neutralised(
    bot: RunningBot,
) -> None:
    await staff_group(bot)
    anna, code = await linked(bot)
    await report_severe(bot, anna)
    await add_patient(
        bot,
        "P-CCCC",
        session_at=bot.clock.now() - timedelta(days=3),
        check_ins=[PastCheckIn(1, {Symptom.REDNESS: Level.MILD})],
    )
    async with bot.runtime.services.database.unit_of_work() as uow:
        patient = await uow.patients.by_code("P-CCCC")
        assert patient is not None and patient.id is not None
        [check_in] = await uow.check_ins.of_patient(patient.id)
        check_in.answers = check_in.answers.replace('"note": null', '"note": "=HYPERLINK(1)"')
        await uow.commit()
    reply = await answer(bot.admin, "/export")
    assert "Patients appear by code only" in reply["caption"]
    rows = rows_of(bot, reply)
    header, body = rows[0], rows[1:]
    records = [dict(zip(header, row, strict=True)) for row in body]
    anna_check_in = next(r for r in records if r["record"] == "check_in" and r["patient"] == code)
    assert (anna_check_in["redness"], anna_check_in["result"]) == ("severe", "urgent")
    assert anna_check_in["day_since_session"] == "1"
    # In the clinic's time (London: UTC in November), to the second, with its offset.
    assert re.fullmatch(r"2026-11-\d\d \d\d:\d\d:\d\d\+00:00", anna_check_in["answered_at"]), (
        anna_check_in["answered_at"]
    )
    incident = next(r for r in records if r["record"] == "incident")
    assert (incident["patient"], incident["result"]) == (code, "urgent")
    noted = next(r for r in records if r["patient"] == "P-CCCC")
    assert noted["note"] == "'=HYPERLINK(1)"
    assert "Anna" not in reply_text(bot, reply)


def reply_text(bot: RunningBot, message: dict[str, Any]) -> str:
    return bot.simulator.file_bytes(message["document"]["file_id"]).decode("utf-8-sig")


async def test_export_is_for_admins_in_private_only(bot: RunningBot) -> None:
    group = bot.simulator.add_group("Clinic staff", [bot.admin])
    await bot.admin.send("/export", chat=group)
    refusal = await bot.admin.wait_for_reply(chat=group)
    assert "private chat" in refusal["text"]


async def test_many_long_tasks_fit_one_message_and_the_rest_are_counted(bot: RunningBot) -> None:
    from aftercare_bot.domain.tasks import StaffTask, TaskKind

    await add_patient(bot, "P-TASK", name="Tess", session_at=bot.clock.now())
    async with bot.runtime.services.database.unit_of_work() as uow:
        patient = await uow.patients.by_code("P-TASK")
        assert patient is not None
        for number in range(25):
            await uow.tasks.open_unless_present(
                StaffTask(
                    unique_key=f"note:{number}",
                    kind=TaskKind.SOMETHING_CHANGED,
                    patient_id=patient.id,
                    created_at=bot.clock.now(),
                    detail=f"note {number}: " + "new medication " * 30,
                )
            )
        await uow.commit()
    listing = await answer(bot.admin, "/tasks")
    text = listing["text"]
    assert len(text) < MESSAGE_LIMIT
    assert text.startswith("Open tasks: 25")
    shown = text.count("something changed since the last session")
    done_buttons = sum(len(row) for row in listing["reply_markup"]["inline_keyboard"])
    assert 0 < shown < 25 and done_buttons == shown
    assert f"{25 - shown} more not shown" in text
