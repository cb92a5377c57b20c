"""An urgent report becomes an incident in the staff group; staff own it and the patient hears."""

from typing import Any

from aftercare_bot.domain.incidents import IncidentState
from aftercare_bot.sandbox import SimChat, SimUser
from tests.e2e.conftest import RunningBot
from tests.e2e.enrollment_steps import answer
from tests.e2e.test_check_ins import DAY_1, DAY_3, check_in_message, current, tap
from tests.e2e.test_delivery import linked


async def staff_group(bot: RunningBot) -> SimChat:
    group = bot.simulator.add_group("Clinic staff", [bot.admin])
    await bot.admin.send("/bindgroup", chat=group)
    await bot.admin.wait_for_reply()
    return group


async def report_severe(bot: RunningBot, anna: SimUser, at: Any = DAY_1) -> None:
    message = await check_in_message(bot, anna, at)
    await tap(bot, anna, message, "Severe", "None", "None", "Done", "Skip")
    await anna.press(current(bot, message), "Skip")
    await anna.wait_for_reply()


async def incident_post(bot: RunningBot, group: SimChat) -> dict[str, Any]:
    return await group_post(bot, group, "URGENT check-in")


async def group_post(bot: RunningBot, group: SimChat, containing: str) -> dict[str, Any]:
    """The bot's next new message in the staff group that contains `containing`."""
    event = await bot.simulator.wait_for(
        lambda e: e.chat_id == group.id and containing in (e.text or "") and e.is_new_message
    )
    assert event.message is not None
    return event.message


async def resolve_as(bot: RunningBot, staff: SimUser, post: dict[str, Any], outcome: str) -> None:
    """Press Resolved, then the outcome; wait until the post shows it."""
    for label in ("Resolved", outcome):
        mark = bot.simulator.mark()
        await staff.press(bot.current(post), label)
        await bot.simulator.wait_for(
            lambda e: e.kind == "edit" and e.message_id == post["message_id"], since=mark
        )


async def incident_states(bot: RunningBot, code: str) -> list[str]:
    async with bot.runtime.services.database.unit_of_work() as uow:
        patient = await uow.patients.by_code(code)
        assert patient is not None and patient.id is not None
        incident = await uow.incidents.open_for_patient(patient.id)
    return [incident.state.value] if incident else []


async def test_a_severe_answer_is_posted_with_acknowledge_and_resolved(bot: RunningBot) -> None:
    group = await staff_group(bot)
    anna, code = await linked(bot)
    await report_severe(bot, anna)
    post = await incident_post(bot, group)
    labels = [b["text"] for row in post["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["Acknowledge", "Resolved", "Message patient"]
    assert f"patient {code} (Anna)" in post["text"]
    assert await incident_states(bot, code) == [IncidentState.OPEN.value]


async def test_acknowledge_shows_who_and_tells_the_patient(bot: RunningBot) -> None:
    group = await staff_group(bot)
    anna, code = await linked(bot)
    await report_severe(bot, anna)
    post = await incident_post(bot, group)
    await bot.admin.press(post, "Acknowledge")
    told = await anna.wait_for_reply()
    assert "Grey from the clinic has seen your report and will contact you" in told["text"]
    edited = current(bot, post)
    assert "Acknowledged by Grey" in edited["text"]
    assert [b["text"] for row in edited["reply_markup"]["inline_keyboard"] for b in row] == [
        "Resolved",
        "Message patient",
    ]
    assert await incident_states(bot, code) == [IncidentState.ACKNOWLEDGED.value]
    await resolve_as(bot, bot.admin, post, "No action needed")
    assert "Resolved by Grey" in current(bot, post)["text"]
    assert "no action needed" in current(bot, post)["text"]
    assert await incident_states(bot, code) == []


async def test_someone_who_is_not_staff_cannot_acknowledge(bot: RunningBot) -> None:
    group = await staff_group(bot)
    visitor = bot.simulator.add_user(first_name="Vic")
    group.add_member(visitor)
    anna, code = await linked(bot)
    await report_severe(bot, anna)
    post = await incident_post(bot, group)
    await visitor.press(post, "Acknowledge")
    refusal = await visitor.wait_for_reply(chat=group)
    assert "for clinic staff only" in refusal["text"]
    assert await incident_states(bot, code) == [IncidentState.OPEN.value]


async def test_a_new_urgent_finding_reopens_an_acknowledged_incident(bot: RunningBot) -> None:
    group = await staff_group(bot)
    anna, code = await linked(bot)
    await report_severe(bot, anna)
    post = await incident_post(bot, group)
    await bot.admin.press(post, "Acknowledge")
    await anna.wait_for_reply()
    mark = bot.simulator.mark()
    await report_severe(bot, anna, DAY_3)
    await bot.simulator.wait_for(
        lambda e: (
            e.chat_id == group.id and e.is_new_message and "URGENT check-in" in (e.text or "")
        ),
        since=mark,
    )
    assert await incident_states(bot, code) == [IncidentState.OPEN.value]


async def test_without_a_staff_group_the_admins_get_the_incident(bot: RunningBot) -> None:
    anna, code = await linked(bot)
    await report_severe(bot, anna)
    post = await bot.admin.wait_for_reply()
    assert f"URGENT check-in: patient {code}" in post["text"]
    assert post["reply_markup"]["inline_keyboard"][0][0]["text"] == "Acknowledge"


async def test_nobody_acknowledges_pages_go_round_by_round_then_to_admins_then_stop(
    bot: RunningBot,
) -> None:
    from datetime import timedelta

    group = await staff_group(bot)
    nurse = bot.simulator.add_user(first_name="Nina")
    await nurse.send("/start")  # she can receive private messages from the bot
    await nurse.wait_for_reply()
    anna, code = await linked(bot)
    await report_severe(bot, anna)
    await incident_post(bot, group)
    reported_at = bot.clock.now()

    def pages_to(chat_id: int) -> int:
        return sum(
            "Still not acknowledged" in m.get("text", "")
            for m in bot.simulator.messages_in(chat_id)
        )

    await bot.live_until(reported_at + timedelta(minutes=14))
    assert pages_to(group.id) == 0
    await bot.live_until(reported_at + timedelta(minutes=45))
    assert pages_to(group.id) == 3
    assert pages_to(bot.admin.id) == 3  # no one on call: the admins are paged privately
    safety = [
        m
        for m in bot.simulator.messages_in(anna)
        if "not been able to reach you" in m.get("text", "")
    ]
    assert len(safety) == 1
    await bot.live_until(reported_at + timedelta(hours=2))
    admin_round = [
        m
        for m in bot.simulator.messages_in(bot.admin)
        if "Nobody has acknowledged" in m.get("text", "")
    ]
    assert len(admin_round) == 1
    assert pages_to(group.id) == 3 and pages_to(nurse.id) == 0
    assert code


async def test_acknowledging_stops_every_pending_page(bot: RunningBot) -> None:
    from datetime import timedelta

    group = await staff_group(bot)
    anna, _code = await linked(bot)
    await report_severe(bot, anna)
    post = await incident_post(bot, group)
    reported_at = bot.clock.now()
    await bot.admin.press(post, "Acknowledge")
    await anna.wait_for_reply()
    await bot.live_until(reported_at + timedelta(hours=3))
    texts = [m.get("text", "") for m in bot.simulator.messages_in(group)]
    assert not any("Still not acknowledged" in text for text in texts)
    assert not any(
        "not been able to reach you" in m.get("text", "") for m in bot.simulator.messages_in(anna)
    )
    await bot.live_until(reported_at + timedelta(hours=5))
    reminders = [
        m
        for m in bot.simulator.messages_in(bot.admin)
        if "you acknowledged this incident" in m.get("text", "")
    ]
    assert len(reminders) == 1


async def test_oncall_staff_get_the_pages_privately(bot: RunningBot) -> None:
    from datetime import timedelta

    group = await staff_group(bot)
    invitation = await bot.admin.send("/addstaff")
    del invitation
    link = (await bot.admin.wait_for_reply())["text"].split("?start=")[1].split()[0]
    nurse = bot.simulator.add_user(first_name="Nina")
    await nurse.send(f"/start {link}")
    await nurse.wait_for_reply()
    await nurse.send("/oncall")
    assert "You are on call now" in (await nurse.wait_for_reply())["text"]
    anna, _code = await linked(bot)
    await report_severe(bot, anna)
    await incident_post(bot, group)
    await bot.live_until(bot.clock.now() + timedelta(minutes=16))
    assert any(
        "Still not acknowledged" in m.get("text", "") for m in bot.simulator.messages_in(nurse)
    )


async def test_when_the_staff_group_is_gone_the_admins_get_the_incident(bot: RunningBot) -> None:
    group = await staff_group(bot)
    # The bot is removed from the group: posting there fails with "chat not found".
    group.bot_status = "left"
    anna, code = await linked(bot)
    await report_severe(bot, anna)
    post = await bot.admin.wait_for_reply()
    assert f"URGENT check-in: patient {code}" in post["text"]


async def test_incidents_lists_the_open_ones_urgent_first_with_their_owner(bot: RunningBot) -> None:
    group = await staff_group(bot)
    assert "No open incidents" in (await answer(bot.admin, "/incidents"))["text"]
    anna, code = await linked(bot)
    await report_severe(bot, anna)
    post = await incident_post(bot, group)
    await bot.admin.press(post, "Acknowledge")
    await anna.wait_for_reply()
    await bot.admin.send("/incidents")
    listing, card = await bot.admin.wait_for_replies(2)
    assert "Open incidents: 1" in listing["text"]
    assert f"URGENT check-in: patient {code} (Anna)" in card["text"]
    assert "Acknowledged by Grey" in card["text"]


async def test_an_incident_stored_but_never_posted_before_a_crash_is_posted_exactly_once(
    bot: RunningBot,
) -> None:
    from datetime import timedelta

    from aftercare_bot.domain.incidents import IncidentUrgency
    from aftercare_bot.services.escalation import report

    group = await staff_group(bot)
    _anna, code = await linked(bot)
    async with bot.runtime.services.database.unit_of_work() as uow:
        patient = await uow.patients.by_code(code)
        assert patient is not None
        # What a crash right after storing leaves behind: the incident, its post, no post sent.
        await report(
            uow, patient, IncidentUrgency.URGENT, bot.clock.now(), "URGENT check-in: stored"
        )
    await bot.live_until(bot.clock.now() + timedelta(seconds=29))

    def posts() -> int:
        return sum(
            "URGENT check-in: stored" in m.get("text", "") for m in bot.simulator.messages_in(group)
        )

    assert posts() == 0
    await bot.live_until(bot.clock.now() + timedelta(seconds=1))
    assert posts() == 1
    await bot.live_until(bot.clock.now() + timedelta(hours=1))
    assert posts() == 1
    assert await incident_states(bot, code) == [IncidentState.OPEN.value]


async def test_staff_message_the_patient_after_confirming_and_the_reply_comes_back(
    bot: RunningBot,
) -> None:
    group = await staff_group(bot)
    anna, code = await linked(bot)
    await report_severe(bot, anna)
    post = await incident_post(bot, group)
    await bot.admin.press(post, "Message patient")
    prompt = await group_post(bot, group, "Write your message for Anna as a reply")
    await bot.admin.send("internal: who is on today?", chat=group)  # chatter, not a reply
    await bot.admin.send("Please send us a photo of the area.", chat=group, reply_to=prompt)
    confirm = await group_post(bot, group, f"Send to patient {code} (Anna)?")
    assert not any("who is on today" in m.get("text", "") for m in bot.simulator.messages_in(anna))
    await bot.admin.press(confirm, "Send")
    relayed = await anna.wait_for_reply()
    assert relayed["text"] == "Grey from Riverside Hair Clinic: Please send us a photo of the area."
    assert f"Sent to Anna ({code}) by Grey" in current(bot, confirm)["text"]  # edited in place
    await anna.send("I will send it tonight")
    await anna.wait_for_reply()
    reply = await bot.simulator.wait_for(
        lambda e: (
            (e.chat_id == group.id and "Reply from patient" in (e.text or ""))
            or (e.chat_id == group.id and "I will send it tonight" in (e.text or ""))
        )
    )
    assert reply.message is not None
    assert reply.message.get("reply_to_message", {}).get("message_id") == post["message_id"]


async def test_a_cancelled_relay_sends_nothing(bot: RunningBot) -> None:
    group = await staff_group(bot)
    anna, _code = await linked(bot)
    await report_severe(bot, anna)
    post = await incident_post(bot, group)
    before = len(bot.simulator.messages_in(anna))
    await bot.admin.press(post, "Message patient")
    prompt = await group_post(bot, group, "Write your message for Anna")
    await bot.admin.send("a long draft " * 40, chat=group, reply_to=prompt)  # > 256 characters
    confirm = await group_post(bot, group, "Send to patient")
    mark = bot.simulator.mark()
    await bot.admin.press(confirm, "Cancel")
    await bot.simulator.wait_for(
        lambda e: e.kind == "edit" and e.message_id == confirm["message_id"], since=mark
    )
    assert "Cancelled by Grey: nothing was sent" in current(bot, confirm)["text"]
    await bot.settle()
    assert len(bot.simulator.messages_in(anna)) == before


async def test_when_no_staff_member_can_be_reached_the_patient_gets_the_safety_net_at_once(
    bot: RunningBot,
) -> None:
    anna, _code = await linked(bot)
    await bot.admin.block_bot()  # no staff group bound, and the only admin cannot be reached
    message = await check_in_message(bot, anna, DAY_1)
    await anna.press(message, "Severe")  # urgent at the tap: nobody to post to
    replies = " | ".join(m["text"] for m in await anna.wait_for_replies(2))
    assert "we have not been able to reach you yet" in replies
    assert "call the clinic now on" in replies


async def test_a_technical_error_reaches_the_operators_with_ids_only(bot: RunningBot) -> None:
    anna = bot.simulator.add_user(first_name="Anna")
    await bot.admin.send("/help")  # the admin has a chat with the bot
    await bot.admin.wait_for_replies(2)
    bot.simulator.faults.fail_next(
        "sendMessage", status=400, description="Bad Request: can't parse entities: oops"
    )
    await anna.send("/help")
    assert "something went wrong on our side" in (await anna.wait_for_reply())["text"]
    notice = await bot.admin.wait_for_reply()
    assert notice["text"].startswith("⚠️ Technical error BadRequest while handling update")
    assert "Anna" not in notice["text"]
