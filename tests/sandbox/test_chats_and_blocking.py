"""Who the bot may write to: blocked users, strangers, groups it is (not) in."""

from __future__ import annotations

import pytest
from telegram import Bot, ChatMemberUpdated, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, Forbidden

from aftercare_bot.sandbox import SimUser, TelegramSimulator


async def _next_update(bot: Bot, offset: int | None = None) -> Update:
    updates = await bot.get_updates(offset=offset, timeout=1)
    return updates[-1]


async def test_a_user_who_blocked_the_bot_cannot_be_messaged(bot: Bot, alice: SimUser) -> None:
    await alice.block_bot()
    with pytest.raises(Forbidden, match="Forbidden: bot was blocked by the user"):
        await bot.send_message(alice.id, "Day 3 check-in")
    await alice.unblock_bot()
    assert (await bot.send_message(alice.id, "Welcome back")).text == "Welcome back"


async def test_blocking_and_unblocking_send_my_chat_member_updates(
    bot: Bot, alice: SimUser
) -> None:
    await alice.block_bot()
    blocked = (await _next_update(bot)).my_chat_member
    assert isinstance(blocked, ChatMemberUpdated)
    assert blocked.old_chat_member.status == ChatMemberStatus.MEMBER
    assert blocked.new_chat_member.status == ChatMemberStatus.BANNED
    assert blocked.from_user.id == alice.id
    assert blocked.new_chat_member.user.id == bot.id
    await alice.unblock_bot()
    updates = await bot.get_updates(timeout=0)
    unblocked = updates[-1].my_chat_member
    assert unblocked is not None
    assert unblocked.new_chat_member.status == ChatMemberStatus.MEMBER


async def test_the_bot_cannot_start_a_conversation(bot: Bot, sim: TelegramSimulator) -> None:
    bob = sim.add_user("Bob")
    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_message(bob.id, "Hello Bob")
    await bob.send("/start")
    assert (await bot.send_message(bob.id, "Hello Bob")).chat.id == bob.id


async def test_a_group_reports_its_type_username_and_member_statuses(
    bot: Bot, sim: TelegramSimulator, alice: SimUser
) -> None:
    nurse = sim.add_user("Nina")
    group = sim.add_group(
        "Clinic staff", [alice, nurse], username="clinic_staff", owner=alice, admins=[nurse]
    )
    chat = await bot.get_chat(group.id)
    assert chat.type == ChatType.SUPERGROUP
    assert chat.title == "Clinic staff"
    assert (await bot.get_chat("@clinic_staff")).id == group.id
    statuses = [
        (await bot.get_chat_member(group.id, user_id)).status
        for user_id in (alice.id, nurse.id, sim.add_user("Stranger").id, bot.id)
    ]
    assert statuses == ["creator", "administrator", "left", "member"]


async def test_a_bot_outside_a_group_is_forbidden_to_write_there(
    bot: Bot, sim: TelegramSimulator, alice: SimUser
) -> None:
    group = sim.add_group("Night shift", [alice], type="group", bot_status="left")
    with pytest.raises(Forbidden, match="bot is not a member of the group chat"):
        await bot.send_message(group.id, "hi")
    await alice.add_bot_to(group)
    update = await _next_update(bot)
    assert update.message is not None
    assert [u.id for u in update.message.new_chat_members] == [bot.id]
    assert (await bot.send_message(group.id, "hi")).chat.type == ChatType.GROUP


async def test_leaving_a_group_is_final_until_re_added(
    bot: Bot, sim: TelegramSimulator, alice: SimUser
) -> None:
    group = sim.add_group("Clinic staff", [alice])
    assert await bot.leave_chat(group.id)
    with pytest.raises(Forbidden, match="bot is not a member of the supergroup chat"):
        await bot.send_message(group.id, "still here?")
    with pytest.raises(BadRequest, match="Chat member status can't be changed in private chats"):
        await bot.leave_chat(alice.id)


async def test_privacy_mode_hides_ordinary_group_chatter(
    bot: Bot, sim: TelegramSimulator, alice: SimUser
) -> None:
    group = sim.add_group("Clinic staff", [alice])
    await alice.send("lunch anyone?", chat=group)
    await alice.send("/bindgroup", chat=group)
    updates = await bot.get_updates(timeout=0)
    assert [u.message.text for u in updates if u.message] == ["/bindgroup"]
    assert updates[-1].message is not None
    assert updates[-1].message.chat.id == group.id
