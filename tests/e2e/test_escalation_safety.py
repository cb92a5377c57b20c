"""The clinical-safety path as patients and staff meet it: an urgent answer reaches staff at the
tap, half-finished check-ins are still triaged, and every copy of an incident shows one state."""

import asyncio
from datetime import timedelta
from typing import Any

from aftercare_bot.domain.check_ins import CheckInState
from aftercare_bot.domain.incidents import IncidentState, IncidentUrgency
from aftercare_bot.sandbox import SimChat, SimUser
from tests.e2e.conftest import RunningBot
from tests.e2e.test_check_ins import DAY_1, DAY_3, check_in_message, current, tap
from tests.e2e.test_delivery import linked
from tests.e2e.test_incidents import incident_post, staff_group


def texts_in(bot: RunningBot, chat: Any) -> list[str]:
    return [m.get("text", "") for m in bot.simulator.messages_in(chat)]


def labels(message: dict[str, Any]) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


async def incident_of(bot: RunningBot, code: str) -> Any:
    async with bot.runtime.services.database.unit_of_work() as uow:
        patient = await uow.patients.by_code(code)
        assert patient is not None and patient.id is not None
        incidents = await uow.incidents.of_patient(patient.id)
    assert len(incidents) == 1, incidents
    return incidents[0]


async def check_ins_of(bot: RunningBot, code: str) -> list[Any]:
    async with bot.runtime.services.database.unit_of_work() as uow:
        patient = await uow.patients.by_code(code)
        assert patient is not None and patient.id is not None
        return list(await uow.check_ins.of_patient(patient.id))


async def nurse_on_call(bot: RunningBot) -> SimUser:
    """An invited staff member who has said she is on call."""
    await bot.admin.send("/addstaff")
    link = (await bot.admin.wait_for_reply())["text"].split("?start=")[1].split()[0]
    nurse = bot.simulator.add_user(first_name="Nina")
    await nurse.send(f"/start {link}")
    await nurse.wait_for_reply()
    await nurse.send("/oncall")
    await nurse.wait_for_reply()
    return nurse


async def test_a_severe_tap_reaches_staff_before_the_next_question_and_the_patient_may_stop(
    bot: RunningBot,
) -> None:
    group = await staff_group(bot)
    anna, code = await linked(bot)
    message = await check_in_message(bot, anna, DAY_1)
    stopped_at = bot.clock.now()
    mark = bot.simulator.mark()
    await anna.press(message, "Severe")
    edit = await bot.simulator.wait_for(
        lambda e: e.kind == "edit" and e.message_id == message["message_id"], since=mark
    )
    post = next(
        e
        for e in bot.simulator.transcript
        if e.seq > mark and e.chat_id == group.id and e.is_new_message
    )
    assert post.seq < edit.seq  # staff heard before the patient saw the next question
    assert post.text is not None and f"URGENT check-in: patient {code} (Anna), day 1" in post.text
    assert "redness severe on day 1" in post.text
    advice = [t for t in texts_in(bot, anna) if "The clinic has been told" in t]
    assert len(advice) == 1  # the urgent advice at the tap itself
    assert "Swelling" in current(bot, message)["text"]
    # The patient stops here; nothing else is needed for the report to stand.
    assert bot.clock.now() == stopped_at
    incident = await incident_of(bot, code)
    assert (incident.state, incident.urgency) == (IncidentState.OPEN, IncidentUrgency.URGENT)
    [check_in] = await check_ins_of(bot, code)
    assert (check_in.state, check_in.urgency) == (CheckInState.OPEN, "urgent")
    assert check_in.incident_id == incident.id


async def test_an_abandoned_urgent_check_in_is_closed_at_its_timer_without_nagging_the_patient(
    bot: RunningBot,
) -> None:
    group = await staff_group(bot)
    anna, code = await linked(bot)
    await anna.send("/checkin")
    message = await anna.wait_for_reply()
    mark = bot.simulator.mark()
    await anna.press(message, "Severe")
    await incident_post(bot, group)
    await bot.simulator.wait_for(lambda e: e.kind == "edit" and e.chat_id == anna.id, since=mark)
    answered_at = bot.clock.now()
    patient_texts = len(texts_in(bot, anna))
    await bot.live_until(answered_at + timedelta(hours=1, minutes=59))
    [check_in] = await check_ins_of(bot, code)
    assert check_in.state == CheckInState.OPEN
    await bot.live_until(answered_at + timedelta(hours=2, minutes=1))
    [check_in] = await check_ins_of(bot, code)
    assert check_in.state == CheckInState.ANSWERED and check_in.left_unfinished_at is not None
    assert any("left the check-in unfinished" in t for t in texts_in(bot, group))
    # Only the safety net may have reached the patient since (nobody acknowledged): no nagging.
    later = texts_in(bot, anna)[patient_texts:]
    assert all("not been able to reach you" in t for t in later), later
    assert len([i for i in [await incident_of(bot, code)]]) == 1


async def test_a_plan_check_in_answered_halfway_is_triaged_not_marked_missed(
    bot: RunningBot,
) -> None:
    group = await staff_group(bot)
    anna, code = await linked(bot)
    message = await check_in_message(bot, anna, DAY_3)
    await tap(bot, anna, message, "Moderate")
    await bot.live_until(DAY_3 + timedelta(hours=25))
    [*_, check_in] = await check_ins_of(bot, code)
    assert check_in.state == CheckInState.ANSWERED
    assert check_in.urgency == "routine" and check_in.left_unfinished_at is not None
    reviews = [t for t in texts_in(bot, group) if "Check-in to review" in t]
    assert len(reviews) == 1 and "left unfinished" in reviews[0]
    assert "redness moderate on day 3" in reviews[0]


async def test_a_checkin_command_never_answered_is_nudged_then_missed(bot: RunningBot) -> None:
    anna, code = await linked(bot)
    await anna.send("/checkin")
    await anna.wait_for_reply()
    started = bot.clock.now()
    before = len(texts_in(bot, anna))
    await bot.live_until(started + timedelta(hours=9))
    nudges = [t for t in texts_in(bot, anna)[before:] if "A gentle reminder" in t]
    assert len(nudges) == 1
    await bot.live_until(started + timedelta(hours=25))
    first, *_plan_check_ins = await check_ins_of(bot, code)
    assert first.state == CheckInState.MISSED


async def test_a_lower_answer_later_is_a_correction_never_a_downgrade(bot: RunningBot) -> None:
    group = await staff_group(bot)
    anna, code = await linked(bot)
    message = await check_in_message(bot, anna, DAY_1)
    await tap(bot, anna, message, "Severe", "Back", "Mild", "None", "None", "Done", "Skip")
    mark = bot.simulator.mark()
    await anna.press(current(bot, message), "Skip")
    correction = await bot.simulator.wait_for(
        lambda e: e.chat_id == group.id and "Correction" in (e.text or ""), since=mark
    )
    assert correction.message is not None and correction.message.get("reply_to_message")
    urgent_posts = [t for t in texts_in(bot, group) if "URGENT check-in" in t]
    assert len(urgent_posts) == 1  # one incident, never a second post
    incident = await incident_of(bot, code)
    assert (incident.state, incident.urgency) == (IncidentState.OPEN, IncidentUrgency.URGENT)
    finals = [t for t in texts_in(bot, anna) if "answers were added to your report" in t]
    assert len(finals) == 1


async def test_a_sign_ticked_after_the_report_goes_under_it(bot: RunningBot) -> None:
    group = await staff_group(bot)
    anna, _code = await linked(bot)
    message = await check_in_message(bot, anna, DAY_1)
    await tap(bot, anna, message, "Severe")
    await incident_post(bot, group)
    await tap(bot, anna, message, "None", "None")
    mark = bot.simulator.mark()
    await tap(bot, anna, message, "fever or feeling unwell")
    more = await bot.simulator.wait_for(
        lambda e: e.chat_id == group.id and "More from patient" in (e.text or ""), since=mark
    )
    assert more.text is not None and "fever or feeling unwell" in more.text


async def ack_everywhere(
    bot: RunningBot, group: SimChat, nurse: SimUser
) -> tuple[dict[str, Any], dict[str, Any]]:
    anna, _code = await linked(bot)
    message = await check_in_message(bot, anna, DAY_1)
    await anna.press(message, "Severe")
    post = await incident_post(bot, group)
    await bot.live_until(bot.clock.now() + timedelta(minutes=16))
    page = next(
        m for m in bot.simulator.messages_in(nurse) if "Still not acknowledged" in m["text"]
    )
    return post, page


async def test_repages_carry_the_clinical_summary(bot: RunningBot) -> None:
    group = await staff_group(bot)
    nurse = await nurse_on_call(bot)
    _post, page = await ack_everywhere(bot, group, nurse)
    assert "redness severe on day 1" in page["text"]
    assert labels(page) == ["Acknowledge", "Resolved", "Message patient"]


async def test_acknowledging_from_a_private_page_updates_every_copy(bot: RunningBot) -> None:
    group = await staff_group(bot)
    nurse = await nurse_on_call(bot)
    post, page = await ack_everywhere(bot, group, nurse)
    mark = bot.simulator.mark()
    await nurse.press(page, "Acknowledge")
    for copy in (post, page):
        await bot.simulator.wait_for(
            lambda e, c=copy: (
                e.kind == "edit"
                and e.message_id == c["message_id"]
                and e.chat_id == c["chat"]["id"]
            ),
            since=mark,
        )
    group_post, private_page = current(bot, post), current(bot, page)
    for copy in (group_post, private_page):
        assert "Acknowledged by Nina" in copy["text"]
        assert labels(copy) == ["Resolved", "Message patient"]
    assert "Still not acknowledged" not in private_page["text"]
    # A press on a stale copy is told who took it, and when.
    await bot.admin.forge_press(
        group_post, page["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    )
    refusal = await bot.admin.wait_for_reply(chat=group)
    assert "Already acknowledged by Nina" in refusal["text"]


async def test_two_staff_pressing_at_once_get_one_winner(bot: RunningBot) -> None:
    group = await staff_group(bot)
    nurse = await nurse_on_call(bot)
    post, page = await ack_everywhere(bot, group, nurse)
    anna_chat = next(
        u for u in bot.simulator.transcript if "has been told" in (u.text or "")
    ).chat_id
    mark = bot.simulator.mark()
    await asyncio.gather(bot.admin.press(post, "Acknowledge"), nurse.press(page, "Acknowledge"))
    await bot.simulator.wait_for(
        lambda e: e.chat_id in (group.id, nurse.id) and "Already acknowledged" in (e.text or ""),
        since=mark,
    )
    await bot.simulator.wait_for(
        lambda e: e.chat_id == anna_chat and "has seen your report" in (e.text or ""), since=mark
    )
    await bot.settle()
    told = [t for t in texts_in(bot, anna_chat) if "has seen your report" in t]
    assert len(told) == 1
    winner = "Grey" if "Acknowledged by Grey" in current(bot, post)["text"] else "Nina"
    assert f"Acknowledged by {winner}" in current(bot, page)["text"]
    assert f"{winner} from the clinic has seen your report" in told[0]


async def test_resolving_asks_for_the_outcome_and_records_it_with_a_note(bot: RunningBot) -> None:
    group = await staff_group(bot)
    anna, code = await linked(bot)
    message = await check_in_message(bot, anna, DAY_1)
    await anna.press(message, "Severe")
    post = await incident_post(bot, group)
    mark = bot.simulator.mark()
    await bot.admin.press(post, "Resolved")
    await bot.simulator.wait_for(
        lambda e: e.kind == "edit" and e.message_id == post["message_id"], since=mark
    )
    assert "Phoned the patient" in labels(current(bot, post))
    assert await incident_of(bot, code) and (await incident_of(bot, code)).state == "open"
    await bot.admin.press(current(bot, post), "Phoned the patient")
    prompt = await bot.admin.wait_for_reply(chat=group)
    assert "reply to this message" in prompt["text"]
    assert "Resolved by Grey" in current(bot, post)["text"]
    assert "phoned the patient" in current(bot, post)["text"]
    assert labels(current(bot, post)) == []
    await bot.admin.send("Called her, advised a cold compress.", chat=group, reply_to=prompt)
    assert "Note added" in (await bot.admin.wait_for_reply(chat=group))["text"]
    incident = await incident_of(bot, code)
    assert incident.state == IncidentState.RESOLVED
    assert incident.outcome == "phoned"
    assert incident.outcome_note == "Called her, advised a cold compress."


async def test_incidents_lists_cards_with_buttons_that_act(bot: RunningBot) -> None:
    group = await staff_group(bot)
    anna, code = await linked(bot)
    message = await check_in_message(bot, anna, DAY_1)
    await anna.press(message, "Severe")
    post = await incident_post(bot, group)
    await bot.admin.send("/incidents")
    title, card = await bot.admin.wait_for_replies(2)
    assert "Open incidents: 1" in title["text"]
    assert f"patient {code} (Anna)" in card["text"]
    assert labels(card) == ["Acknowledge", "Resolved", "Message patient"]
    mark = bot.simulator.mark()
    await bot.admin.press(card, "Acknowledge")
    await bot.simulator.wait_for(
        lambda e: e.kind == "edit" and e.message_id == post["message_id"], since=mark
    )
    assert "Acknowledged by Grey" in current(bot, post)["text"]


async def test_a_newly_bound_group_gets_every_open_incident(bot: RunningBot) -> None:
    old = await staff_group(bot)
    anna, code = await linked(bot)
    message = await check_in_message(bot, anna, DAY_1)
    await anna.press(message, "Severe")
    old_post = await incident_post(bot, old)
    new = bot.simulator.add_group("New staff group", [bot.admin])
    mark = bot.simulator.mark()
    await bot.admin.send("/bindgroup", chat=new)
    reposted = await bot.simulator.wait_for(
        lambda e: e.chat_id == new.id and "URGENT check-in" in (e.text or ""), since=mark
    )
    assert reposted.message is not None
    assert labels(reposted.message) == ["Acknowledge", "Resolved", "Message patient"]
    mark = bot.simulator.mark()
    await bot.admin.press(reposted.message, "Acknowledge")
    await bot.simulator.wait_for(
        lambda e: e.kind == "edit" and e.message_id == old_post["message_id"], since=mark
    )
    assert "Acknowledged by Grey" in current(bot, old_post)["text"]
    assert code


async def test_the_outcome_is_in_the_timeline_the_export_and_the_statistics(
    bot: RunningBot,
) -> None:
    from tests.e2e.enrollment_steps import answer
    from tests.e2e.test_incidents import resolve_as
    from tests.e2e.test_staff_tools import rows_of

    group = await staff_group(bot)
    anna, code = await linked(bot)
    message = await check_in_message(bot, anna, DAY_1)
    await anna.press(message, "Severe")
    post = await incident_post(bot, group)
    await resolve_as(bot, bot.admin, post, "Seen in clinic")
    timeline = await answer(bot.admin, f"/patient {code}")
    assert "incident resolved: seen in clinic" in timeline["text"]
    export = await answer(bot.admin, "/export")
    rows = rows_of(bot, export)
    records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    incident = next(r for r in records if r["record"] == "incident")
    assert (incident["patient"], incident["outcome"]) == (code, "seen")
    await tap(bot, anna, message, "None", "None", "Done", "Skip", "Skip")
    await bot.admin.send("/stats")
    text = await bot.admin.wait_for_reply()
    assert "Resolved incidents by outcome (the adverse-event log): seen in clinic 1" in text["text"]


async def test_a_discharge_never_silences_an_open_report(bot: RunningBot) -> None:
    group = await staff_group(bot)
    anna, code = await linked(bot)
    message = await check_in_message(bot, anna, DAY_1)
    await anna.press(message, "Severe")
    await incident_post(bot, group)
    reported_at = bot.clock.now()
    await bot.admin.send(f"/discharge {code}")
    await bot.admin.wait_for_reply()
    await bot.live_until(reported_at + timedelta(minutes=16))
    assert any("Still not acknowledged" in t for t in texts_in(bot, group))


async def test_a_new_urgent_answer_after_staff_resolved_the_report_opens_a_new_one(
    bot: RunningBot,
) -> None:
    from tests.e2e.test_incidents import resolve_as

    group = await staff_group(bot)
    anna, code = await linked(bot)
    message = await check_in_message(bot, anna, DAY_1)
    await tap(bot, anna, message, "Severe")
    post = await incident_post(bot, group)
    await resolve_as(bot, bot.admin, post, "Phoned the patient")
    await tap(bot, anna, message, "None", "None")
    mark = bot.simulator.mark()
    await tap(bot, anna, message, "fever or feeling unwell")
    second = await bot.simulator.wait_for(
        lambda e: e.chat_id == group.id and e.is_new_message and "URGENT" in (e.text or ""),
        since=mark,
    )
    assert second.text is not None and "fever or feeling unwell" in second.text
    async with bot.runtime.services.database.unit_of_work() as uow:
        patient = await uow.patients.by_code(code)
        assert patient is not None and patient.id is not None
        states = [i.state for i in await uow.incidents.of_patient(patient.id)]
    assert states == [IncidentState.RESOLVED, IncidentState.OPEN]


async def test_a_missed_check_in_answered_late_and_left_halfway_is_still_triaged(
    bot: RunningBot,
) -> None:
    group = await staff_group(bot)
    anna, code = await linked(bot)
    message = await check_in_message(bot, anna, DAY_3)
    await bot.live_until(DAY_3 + timedelta(hours=25))
    [*_, missed] = await check_ins_of(bot, code)
    assert missed.state == CheckInState.MISSED
    await tap(bot, anna, message, "Moderate")
    await bot.live_until(bot.clock.now() + timedelta(hours=3))
    [*_, late] = await check_ins_of(bot, code)
    assert late.state == CheckInState.ANSWERED and late.left_unfinished_at is not None
    assert any("left unfinished" in t for t in texts_in(bot, group))


async def test_when_nobody_can_be_reached_the_post_is_retried_and_the_safety_net_sent_once(
    bot: RunningBot,
) -> None:
    anna, _code = await linked(bot)
    await bot.admin.block_bot()  # no group bound, and the only admin cannot be reached
    message = await check_in_message(bot, anna, DAY_1)
    await anna.press(message, "Severe")
    await anna.wait_for_replies(2)
    reported_at = bot.clock.now()
    await bot.live_until(reported_at + timedelta(minutes=5))
    await bot.admin.unblock_bot()
    await bot.live_until(reported_at + timedelta(hours=2))
    assert any("URGENT check-in" in t for t in texts_in(bot, bot.admin))
    nets = [t for t in texts_in(bot, anna) if "not been able to reach you" in t]
    assert len(nets) == 1


async def test_resolving_from_a_private_card_takes_a_note_there_too(bot: RunningBot) -> None:
    group = await staff_group(bot)
    anna, code = await linked(bot)
    message = await check_in_message(bot, anna, DAY_1)
    await anna.press(message, "Severe")
    post = await incident_post(bot, group)
    await bot.admin.send("/incidents")
    _title, card = await bot.admin.wait_for_replies(2)
    for label in ("Resolved", "No action needed"):
        mark = bot.simulator.mark()
        await bot.admin.press(current(bot, card), label)
        await bot.simulator.wait_for(
            lambda e: e.kind == "edit" and e.message_id == card["message_id"], since=mark
        )
    prompt = await bot.admin.wait_for_reply()
    assert "reply to this message" in prompt["text"]
    assert "Resolved by Grey" in current(bot, post)["text"]  # the group post follows
    await bot.admin.send("Spoke to her GP.", reply_to=prompt)
    replies = await bot.admin.wait_for_replies(1)
    assert [r["text"] for r in replies] == ["Note added to the incident."]
    await bot.settle()
    assert texts_in(bot, bot.admin)[-1] == "Note added to the incident."
    assert (await incident_of(bot, code)).outcome_note == "Spoke to her GP."


async def test_messaging_a_patient_from_a_private_card_gets_only_the_confirmation(
    bot: RunningBot,
) -> None:
    group = await staff_group(bot)
    anna, _code = await linked(bot)
    message = await check_in_message(bot, anna, DAY_1)
    await anna.press(message, "Severe")
    await incident_post(bot, group)
    await bot.admin.send("/incidents")
    _title, card = await bot.admin.wait_for_replies(2)
    await bot.admin.press(card, "Message patient")
    prompt = await bot.admin.wait_for_reply()
    await bot.admin.send("Please call us today.", reply_to=prompt)
    confirmation = await bot.admin.wait_for_reply()
    assert "Please call us today." in confirmation["text"]
    await bot.settle()
    assert texts_in(bot, bot.admin)[-1] == confirmation["text"]  # no stray fallback answer
    mark = bot.simulator.mark()
    await bot.admin.press(confirmation, "Send")
    await bot.simulator.wait_for(
        lambda e: e.chat_id == anna.id and "Please call us today." in (e.text or ""), since=mark
    )


async def test_only_the_newest_incidents_card_in_a_chat_is_kept_up_to_date(
    bot: RunningBot,
) -> None:
    group = await staff_group(bot)
    anna, _code = await linked(bot)
    message = await check_in_message(bot, anna, DAY_1)
    await anna.press(message, "Severe")
    post = await incident_post(bot, group)
    cards = []
    for _ in range(3):
        await bot.admin.send("/incidents")
        cards.append((await bot.admin.wait_for_replies(2))[1])
    mark = bot.simulator.mark()
    await bot.admin.press(cards[0], "Acknowledge")  # an old card still acts
    await bot.simulator.wait_for(
        lambda e: e.kind == "edit" and e.message_id == cards[-1]["message_id"], since=mark
    )
    await bot.simulator.wait_for(
        lambda e: e.kind == "edit" and e.message_id == cards[0]["message_id"], since=mark
    )
    assert "Acknowledged by Grey" in current(bot, post)["text"]
    assert "Acknowledged by Grey" in current(bot, cards[-1])["text"]
    assert "Acknowledged by Grey" in current(bot, cards[0])["text"]  # the one pressed
    assert "Acknowledged by Grey" not in current(bot, cards[1])["text"]  # not kept up to date
