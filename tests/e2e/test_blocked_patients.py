"""A patient who blocks the bot is news, not a crash: staff hear of it once, at once, and the
bot stops talking into the closed chat."""

import asyncio
import logging
from typing import Any

import pytest

from aftercare_bot.domain.patients import PatientStatus
from aftercare_bot.sandbox import SimChat, SimUser
from tests.e2e.conftest import RunningBot
from tests.e2e.test_delivery import linked
from tests.e2e.test_incidents import staff_group
from tests.e2e.test_patient_lifecycle import status_of


def texts_in(bot: RunningBot, chat: SimUser | SimChat) -> list[str]:
    return [message.get("text", "") for message in bot.simulator.messages_in(chat)]


def sends_to(bot: RunningBot, user: SimUser, since: int = 0) -> list[dict[str, Any]]:
    """Every sendMessage the bot attempted in the user's private chat, refused ones too."""
    chat = str(user.private_chat.id)
    return [
        {"status": call.status, "text": str(call.params.get("text", ""))}
        for call in bot.simulator.api_calls[since:]
        if call.method.lower() == "sendmessage" and str(call.params.get("chat_id")) == chat
    ]


async def updates_in_hand(bot: RunningBot, count: int) -> None:
    """Wait until the bot has taken every update Telegram holds and has `count` in hand."""
    application = bot.runtime.application

    def settled() -> bool:
        return (
            bot.simulator.pending_updates == 0
            and application.update_queue.empty()
            and application.update_processor.current_concurrent_updates == count
        )

    async def steadily() -> None:
        steady = 0
        while steady < 3:  # a fetched update may be a step away from being counted
            steady = steady + 1 if settled() else 0
            await asyncio.sleep(0.01)

    await asyncio.wait_for(steadily(), timeout=5)


def assert_no_failure_anywhere(bot: RunningBot, anna: SimUser, caplog: Any) -> None:
    """No traceback, no error line, nobody told something went wrong."""
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert [r.getMessage() for r in caplog.records if r.exc_info] == []
    attempted = [send["text"] for send in sends_to(bot, anna)] + texts_in(bot, bot.admin)
    assert not any("went wrong" in text for text in attempted)


@pytest.mark.parametrize(
    ("refusal", "status", "staff_hear"),
    [
        ("Forbidden: bot was blocked by the user", PatientStatus.STOPPED, "blocked the bot"),
        ("Forbidden: user is deactivated", PatientStatus.UNREACHABLE, "cannot be reached"),
    ],
)
async def test_a_patient_gone_before_the_reply_is_paused_and_staff_hear_once(
    bot: RunningBot,
    caplog: pytest.LogCaptureFixture,
    refusal: str,
    status: PatientStatus,
    staff_hear: str,
) -> None:
    group = await staff_group(bot)
    anna, code = await linked(bot)
    admin_before = len(texts_in(bot, bot.admin))
    caplog.set_level(logging.INFO, logger="aftercare_bot.adapters.telegram.runtime.errors")
    # Telegram refuses the reply before the bot has heard of the block.
    bot.simulator.faults.fail_next("sendMessage", status=403, description=refusal)
    await anna.send("/next")
    await bot.simulator.wait_for(lambda e: e.chat_id == group.id and code in (e.text or ""))
    if status == PatientStatus.STOPPED:
        await anna.block_bot()  # then Telegram's own news of it comes
        await updates_in_hand(bot, 0)
    await bot.settle()
    assert await status_of(bot, code) == status
    about_anna = [text for text in texts_in(bot, group) if code in text]
    assert len(about_anna) == 1 and staff_hear in about_anna[0]
    assert len(texts_in(bot, bot.admin)) == admin_before  # no operators' notice
    assert_no_failure_anywhere(bot, anna, caplog)
    [line] = [r.getMessage() for r in caplog.records if "refused the bot" in r.getMessage()]
    assert code in line and "Anna" not in line


async def test_a_block_overtakes_the_chats_queued_updates_and_their_replies_are_dropped(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    group = await staff_group(bot)
    anna, code = await linked(bot)
    admin_before = len(texts_in(bot, bot.admin))
    chat = str(anna.private_chat.id)
    first_reply = bot.simulator.faults.hold_next(
        "sendMessage", matching=lambda params: str(params.get("chat_id")) == chat
    )
    await anna.send("/next")
    await asyncio.wait_for(first_reply.arrived(), timeout=5)
    await anna.send("/next")
    await anna.send("/help")
    await updates_in_hand(bot, 3)  # one sending its reply, two waiting behind it
    blocked_at = len(bot.simulator.api_calls)
    await anna.block_bot()
    notice = await bot.simulator.wait_for(
        lambda e: e.chat_id == group.id and code in (e.text or "")
    )
    assert "blocked the bot" in (notice.text or "")  # while the chat's first reply still waits
    assert await status_of(bot, code) == PatientStatus.STOPPED
    first_reply.release()
    await updates_in_hand(bot, 0)
    # Only the reply already at Telegram was tried (and refused); the queued ones never went.
    assert [send["status"] for send in sends_to(bot, anna, since=blocked_at)] == [403]
    assert len([text for text in texts_in(bot, group) if code in text]) == 1
    assert len(texts_in(bot, bot.admin)) == admin_before
    assert_no_failure_anywhere(bot, anna, caplog)


@pytest.mark.parametrize(
    ("where", "refusal"),
    [
        ("group", "Forbidden: bot was kicked from the supergroup chat"),
        ("admin", "Forbidden: bot was blocked by the user"),
    ],
)
async def test_a_staff_chat_refusing_the_bot_still_reaches_the_operators(
    bot: RunningBot, where: str, refusal: str
) -> None:
    group = await staff_group(bot)
    await bot.admin.send("/help")  # the admin's private chat with the bot
    await bot.admin.wait_for_replies(2)
    bot.simulator.faults.fail_next("sendMessage", status=403, description=refusal)
    await bot.admin.send("/incidents", chat=group if where == "group" else None)
    notice = await bot.admin.wait_for_reply(chat=bot.admin.private_chat)
    assert notice["text"].startswith("⚠️ Technical error Forbidden while handling update")
