"""A person who opens the bot for the first time, without an enrollment link."""

from datetime import timedelta

from aftercare_bot.adapters.persistence.database import Database
from tests.e2e.conftest import START, RunningBot


async def test_someone_without_a_link_is_told_how_to_get_one(bot: RunningBot) -> None:
    anna = bot.simulator.add_user(first_name="Anna", language_code="en")
    await anna.send("/start")
    reply = await anna.wait_for_reply(timeout=5)
    assert "Riverside Hair Clinic" in reply["text"]
    assert "scan the QR code or open the link" in reply["text"]
    assert "+44 20 7946 0000" in reply["text"]


async def test_help_says_what_the_bot_does_and_how_to_reach_the_clinic(bot: RunningBot) -> None:
    anna = bot.simulator.add_user(first_name="Anna", language_code="en")
    await anna.send("/help")
    reply = await anna.wait_for_reply(timeout=5)
    assert "/start" in reply["text"]
    assert "Mon\u2013Fri 09:00\u201319:00, Sat 10:00\u201314:00" in reply["text"]
    assert "999" in reply["text"]


async def test_a_russian_speaker_is_answered_in_russian(bot: RunningBot) -> None:
    boris = bot.simulator.add_user(first_name="Борис", language_code="ru")
    await boris.send("/start")
    reply = await boris.wait_for_reply(timeout=5)
    assert "Здравствуйте" in reply["text"]


async def test_a_language_without_texts_falls_back_to_the_clinics_language(
    bot: RunningBot,
) -> None:
    klaus = bot.simulator.add_user(first_name="Klaus", language_code="de")
    await klaus.send("/help")
    reply = await klaus.wait_for_reply(timeout=5)
    assert "What I can do" in reply["text"]


async def test_a_sticker_gets_a_short_answer_instead_of_silence(bot: RunningBot) -> None:
    anna = bot.simulator.add_user(first_name="Anna", language_code="en")
    await anna.send_sticker()
    reply = await anna.wait_for_reply(timeout=5)
    assert "Send /help" in reply["text"]


async def test_a_mistyped_command_points_to_help(bot: RunningBot) -> None:
    anna = bot.simulator.add_user(first_name="Anna", language_code="en")
    await anna.send("/hlep")
    reply = await anna.wait_for_reply(timeout=5)
    assert "I do not know that command" in reply["text"]


async def test_free_text_is_answered_with_where_to_get_help(bot: RunningBot) -> None:
    anna = bot.simulator.add_user(first_name="Anna", language_code="en")
    await anna.send("my scalp itches a bit <is that ok?>")
    reply = await anna.wait_for_reply(timeout=5)
    assert "+44 20 7946 0000" in reply["text"]


async def test_the_command_menu_is_published_in_every_language(bot: RunningBot) -> None:
    menus = {
        call.params.get("language_code", ""): call.params["commands"]
        for call in bot.simulator.api_calls
        if call.method == "setMyCommands"
    }
    assert set(menus) == {"", "en", "ru"}
    assert [command["command"] for command in menus["ru"]] == [
        "start",
        "checkin",
        "next",
        "language",
        "timezone",
        "stop",
        "mydata",
        "delete",
        "help",
    ]
    assert menus["ru"][-1]["description"] == "Что умеет этот бот"


async def test_the_bot_start_is_in_the_audit_trail(bot: RunningBot) -> None:
    database: Database = bot.runtime.services.database
    async with database.unit_of_work() as uow:
        events = await uow.audit.since(START - timedelta(seconds=1))
    assert [(event.action, event.subject) for event in events] == [
        ("bot.started", "@aftercare_test_bot")
    ]


async def test_an_admin_opening_the_bot_sees_the_staff_commands(bot: RunningBot) -> None:
    await bot.admin.send("/start")
    assert "Staff commands" in (await bot.admin.wait_for_reply())["text"]


async def test_a_button_no_flow_knows_is_answered_not_left_spinning(bot: RunningBot) -> None:
    anna = bot.simulator.add_user(first_name="Anna", language_code="en")
    await anna.send("/help")
    greeting = await anna.wait_for_reply()
    query_id = await anna.forge_press(greeting, "gone:42")
    assert "no longer current" in (await anna.wait_for_reply())["text"]
    answered = [
        call
        for call in bot.simulator.calls("answerCallbackQuery")
        if call.params.get("callback_query_id") == query_id
    ]
    assert len(answered) == 1


async def test_an_old_button_pressed_again_and_again_is_explained_once_per_window(
    bot: RunningBot,
) -> None:
    """Thirty presses on an old keyboard: every press is answered (no spinner left), the
    chat is told once, not thirty times at a second each."""
    anna = bot.simulator.add_user(first_name="Anna", language_code="en")
    await anna.send("/help")
    greeting = await anna.wait_for_reply()
    queries = [await anna.forge_press(greeting, "gone:42") for _ in range(30)]
    for query in queries:  # each press answered (a waiting one early, in any order)
        await bot.simulator.wait_for_call(
            "answerCallbackQuery",
            predicate=lambda call, query=query: call.params.get("callback_query_id") == query,  # type: ignore[misc]
        )
    mark = bot.simulator.mark()
    await anna.send("/help")  # handled after every press before it (one chat, in order)
    await bot.simulator.wait_for(
        lambda e: e.chat_id == anna.id and "What I can do" in (e.text or ""), since=mark
    )
    told = [m for m in bot.simulator.messages_in(anna) if "no longer current" in m["text"]]
    assert len(told) == 1
    bot.clock.advance(timedelta(seconds=10))
    await anna.forge_press(greeting, "gone:43")
    assert "no longer current" in (await anna.wait_for_reply())["text"]
