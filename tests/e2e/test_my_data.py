"""/mydata shows a patient everything stored about them, in words they understand: every
check-in with its answers, every report with what became of it, and the messages by name."""

import json
from typing import Any

from aftercare_bot.domain.outbox import ACTED_ON_KINDS
from aftercare_bot.sandbox import SimUser
from tests.e2e.conftest import RunningBot
from tests.e2e.test_check_ins import DAY_1, DAY_3, PNG, check_in_message, current, tap
from tests.e2e.test_delivery import linked
from tests.e2e.test_incidents import incident_post, report_severe, resolve_as, staff_group

TIMER_WORDS = ("incident_", "checkin_expiry", "checkin_abandon", "nudge", "relay")


async def my_data(bot: RunningBot, anna: SimUser) -> tuple[str, dict[str, Any]]:
    """The readable message and the JSON file /mydata sends."""
    await anna.send("/mydata")
    text, document = await anna.wait_for_replies(2)
    assert document["document"]["file_name"] == "my-aftercare-data.json"
    return text["text"], json.loads(bot.simulator.file_bytes(document["document"]["file_id"]))


async def a_check_in_with_a_photo_and_a_note(bot: RunningBot, anna: SimUser) -> None:
    message = await check_in_message(bot, anna, DAY_1)
    await tap(bot, anna, message, "Mild", "Mild", "None", "Done")
    await anna.send_photo(PNG)
    await bot.simulator.wait_for(
        lambda event: (
            "Anything to add?" in (event.text or "") and event.message_id == message["message_id"]
        )
    )
    await anna.send("a little itchy")
    await anna.wait_for_reply()
    assert "your answers are recorded" in current(bot, message)["text"]


async def stored(bot: RunningBot, code: str) -> tuple[list[str], list[str]]:
    """The patient's photo file ids, and the kinds of every row in their outbox."""
    async with bot.runtime.services.database.unit_of_work() as uow:
        patient = await uow.patients.by_code(code)
        assert patient is not None and patient.id is not None
        photos = [c.photo_file_id or "" for c in await uow.check_ins.of_patient(patient.id)]
        kinds = [m.kind for m in await uow.outbox.for_patient(patient.id)]
    return photos, kinds


async def test_mydata_lists_answers_reports_and_messages_by_name_and_no_timers(
    bot: RunningBot,
) -> None:
    group = await staff_group(bot)
    anna, code = await linked(bot)
    await a_check_in_with_a_photo_and_a_note(bot, anna)
    await report_severe(bot, anna, DAY_3)
    post = await incident_post(bot, group)

    text, data = await my_data(bot, anna)
    assert "urgent report — open: the clinic has not seen it yet" in text
    assert data["incidents"][0]["state"] == "open"

    await bot.admin.press(post, "Acknowledge")
    await anna.wait_for_reply()
    await resolve_as(bot, bot.admin, post, "Phoned the patient")
    text, data = await my_data(bot, anna)

    assert "Redness mild, swelling mild, bruising none; signs: none" in text
    assert "note: a little itchy; photo: yes" in text
    assert "Redness severe, swelling none, bruising none" in text
    assert "urgent report, seen by the clinic" in text
    assert "— closed" in text and "the clinic phoned you" in text
    assert "• " in text and "aftercare instructions (sent)" in text
    assert "question about how your scalp is (sent)" in text
    assert "checkin-day1" not in text and "plan.checkin" not in text
    assert not any(word in text for word in TIMER_WORDS)

    first, second = data["check_ins"]
    assert first["answers"] == {
        "levels": {"redness": "mild", "swelling": "mild", "bruising": "none"},
        "signs": [],
        "note": "a little itchy",
        "photo": True,
    }
    assert second["answers"]["levels"]["redness"] == "severe" and second["result"] == "urgent"
    [incident] = data["incidents"]
    assert (incident["state"], incident["urgency"], incident["outcome"]) == (
        "resolved",
        "urgent",
        "phoned",
    )
    assert incident["acknowledged_at"] and incident["resolved_at"]

    photos, kinds = await stored(bot, code)
    raw = json.dumps(data)
    assert photos[0] and photos[0] not in raw and photos[0] not in text
    # The outbox has timers too; the patient sees only the messages.
    assert any(kind in ACTED_ON_KINDS or kind == "nudge" for kind in kinds)
    shown = [kind for kind in kinds if kind in ("info", "checkin", "appointment", "goodbye")]
    assert len(data["messages"]) == len(shown)
    assert all(set(m) == {"title", "state", "due_at", "sent_at"} for m in data["messages"])
    assert not any(word in raw for word in TIMER_WORDS)
