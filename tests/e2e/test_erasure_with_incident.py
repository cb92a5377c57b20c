"""A patient who erases their data while an urgent report is open is not lost to the clinic:
the incident stays in front of staff (by code), its pages still come, the patient is told the
clinic will still follow up, and the code goes only when staff resolve it."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from aftercare_bot.domain.incidents import Incident, IncidentState
from aftercare_bot.domain.patients import PatientStatus
from aftercare_bot.sandbox import SimChat, SimUser
from tests.e2e.conftest import RunningBot
from tests.e2e.enrollment_steps import answer
from tests.e2e.test_delivery import linked
from tests.e2e.test_enroll_command import bot_py
from tests.e2e.test_incidents import incident_post, report_severe, resolve_as, staff_group

PHONE = "+44 20 7946 0000"
STILL_FOLLOWED = "the team will still follow it up with you"
SAFETY_NET = "not been able to reach you"
A_YEAR = timedelta(weeks=52)


async def an_urgent_report(bot: RunningBot) -> tuple[SimChat, SimUser, str, dict[str, Any]]:
    """A staff group, and Anna's severe answer posted in it as an urgent incident."""
    group = await staff_group(bot)
    anna, code = await linked(bot)
    await report_severe(bot, anna)
    return group, anna, code, await incident_post(bot, group)


async def delete_my_data(anna: SimUser) -> dict[str, Any]:
    await anna.send("/delete")
    await anna.press(await anna.wait_for_reply(), "Yes, erase my data")
    return await anna.wait_for_reply()


async def staff_told(bot: RunningBot, group: SimChat, post: dict[str, Any]) -> dict[str, Any]:
    """The bot's reply under the incident's post saying the patient left, once the post too
    says so."""
    await bot.simulator.wait_for(
        lambda e: (
            e.kind == "edit"
            and e.message_id == post["message_id"]
            and "erased their data while this was open" in (e.text or "")
        )
    )
    event = await bot.simulator.wait_for(
        lambda e: (
            e.chat_id == group.id
            and e.is_new_message
            and e.message is not None
            and (e.message.get("reply_to_message") or {}).get("message_id") == post["message_id"]
            and "left the bot" in (e.text or "")
        )
    )
    assert event.message is not None
    return event.message


def texts_in(bot: RunningBot, chat: SimChat | SimUser) -> list[str]:
    return [message.get("text", "") for message in bot.simulator.messages_in(chat)]


def labels(bot: RunningBot, message: dict[str, Any]) -> list[str]:
    rows = bot.current(message)["reply_markup"]["inline_keyboard"]
    return [button["text"] for row in rows for button in row]


def repages(bot: RunningBot, group: SimChat) -> int:
    return sum("Still not acknowledged" in text for text in texts_in(bot, group))


async def patient_status(bot: RunningBot, code: str) -> PatientStatus | None:
    async with bot.runtime.services.database.unit_of_work() as uow:
        patient = await uow.patients.by_code(code)
    return patient.status if patient else None


async def the_incident(bot: RunningBot) -> Incident:
    """The one incident there is, whatever became of its patient."""
    async with bot.runtime.services.database.unit_of_work() as uow:
        [incident] = (await uow.session.scalars(select(Incident))).all()
    return incident


async def resolve_by_phone(bot: RunningBot, post: dict[str, Any]) -> None:
    """Press Resolved on the post (and the outcome it asks for)."""
    assert "Resolved" in labels(bot, post)
    await resolve_as(bot, bot.admin, post, "Phoned the patient")


async def test_delete_with_an_open_incident_keeps_it_before_staff_until_resolved(
    bot: RunningBot,
) -> None:
    group, anna, code, post = await an_urgent_report(bot)
    reported_at = bot.clock.now()
    told = await delete_my_data(anna)
    assert "your data has been erased" in told["text"]
    assert STILL_FOLLOWED in told["text"] and PHONE in told["text"]
    left = await staff_told(bot, group, post)
    assert code in left["text"] and "Anna" not in left["text"]
    assert "clinic's own records" in left["text"]
    assert not any("erased their data and left the follow-up" in t for t in texts_in(bot, group))
    assert "Message patient" not in labels(bot, post)  # the bot cannot write to her any more
    assert await patient_status(bot, code) == PatientStatus.LEFT

    await bot.admin.send("/incidents")
    listing, card = await bot.admin.wait_for_replies(2)
    assert "Open incidents: 1" in listing["text"] and code in card["text"]

    assert "Anna" not in bot.current(post)["text"]  # pseudonymised to its code
    await bot.live_until(reported_at + timedelta(minutes=50))
    assert repages(bot, group) == 3
    assert not any(
        "Anna" in text for text in texts_in(bot, group) if "Still not acknowledged" in text
    )
    assert not any(SAFETY_NET in text for text in texts_in(bot, anna))
    assert texts_in(bot, anna)[-1] == told["text"]  # nothing more reaches her

    await resolve_by_phone(bot, post)
    assert await patient_status(bot, code) is None
    incident = await the_incident(bot)
    assert incident.state == IncidentState.RESOLVED and incident.patient_id is None
    assert incident.outcome == "phoned" and incident.post_text is None


@pytest.mark.parametrize("extra_config", ['\n[privacy]\non_delete = "anonymise"\n'])
async def test_delete_in_anonymise_mode_waits_for_the_incident_then_anonymises(
    bot: RunningBot,
) -> None:
    group, anna, code, post = await an_urgent_report(bot)
    told = await delete_my_data(anna)
    assert STILL_FOLLOWED in told["text"]
    await staff_told(bot, group, post)
    assert await patient_status(bot, code) == PatientStatus.LEFT
    await resolve_by_phone(bot, post)
    assert await patient_status(bot, code) is None  # the code is gone: the row is anonymised
    incident = await the_incident(bot)
    assert incident.patient_id is not None and incident.post_text is None
    async with bot.runtime.services.database.unit_of_work() as uow:
        patient = await uow.patients.by_id(incident.patient_id)
    assert patient is not None and patient.status == PatientStatus.ANONYMISED


async def test_forget_from_the_command_line_tells_the_patient_and_staff_and_keeps_the_pages(
    bot: RunningBot, tmp_path: Path
) -> None:
    group, anna, code, post = await an_urgent_report(bot)
    reported_at = bot.clock.now()
    result = await bot_py("forget", code, "--config", str(tmp_path / "config.toml"))
    assert result.returncode == 0, result.stderr
    assert f"forget: {code} erased but for the code" in result.stdout
    assert "the patient was told" in result.stdout
    told = [text for text in texts_in(bot, anna) if STILL_FOLLOWED in text]
    assert len(told) == 1 and PHONE in told[0]
    left = await staff_told(bot, group, post)
    assert code in left["text"]
    assert await patient_status(bot, code) == PatientStatus.LEFT

    await bot.live_until(reported_at + timedelta(minutes=50))
    assert repages(bot, group) == 3
    assert not any(SAFETY_NET in text for text in texts_in(bot, anna))

    again = await bot_py("forget", code, "--config", str(tmp_path / "config.toml"))
    assert again.returncode == 0 and "had already left" in again.stdout
    await resolve_by_phone(bot, post)
    assert await patient_status(bot, code) is None
    assert (await the_incident(bot)).patient_id is None


async def test_the_retention_sweep_waits_for_an_open_incident(bot: RunningBot) -> None:
    _group, anna, code, post = await an_urgent_report(bot)
    await answer(bot.admin, f"/discharge {code}")
    await anna.wait_for_reply()  # the goodbye
    bot.clock.advance(A_YEAR + timedelta(days=1))
    await bot.settle()
    assert await patient_status(bot, code) == PatientStatus.DISCHARGED
    async with bot.runtime.services.database.unit_of_work() as uow:
        patient = await uow.patients.by_code(code)
    assert patient is not None and patient.display_name == "Anna"

    await resolve_by_phone(bot, post)
    bot.clock.advance(timedelta(hours=2))
    await bot.settle()
    assert await patient_status(bot, code) is None
    incident = await the_incident(bot)
    assert incident.patient_id is None and incident.outcome == "phoned"
