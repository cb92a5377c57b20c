"""Patients find every command of theirs in Telegram's menu, in their own language."""

from telegram import BotCommandScopeAllPrivateChats

from aftercare_bot.adapters.telegram.views.commands import PATIENT_COMMANDS
from tests.e2e.conftest import RunningBot

PRIVATE = {"type": "all_private_chats"}


async def test_the_patients_menu_offers_checkin_in_every_language(bot: RunningBot) -> None:
    texts = bot.runtime.services.texts
    assert "checkin" in PATIENT_COMMANDS
    for language in texts.languages:
        assert "checkin" in bot.simulator.commands(PRIVATE, language_code=language), language
    # A patient whose app is in another language gets the clinic's (English here).
    assert bot.simulator.commands(PRIVATE) == list(PATIENT_COMMANDS)


async def test_checkin_is_described_in_the_patients_language(bot: RunningBot) -> None:
    telegram = bot.runtime.application.bot
    scope = BotCommandScopeAllPrivateChats()
    described = {
        language: {
            command.command: command.description
            for command in await telegram.get_my_commands(scope=scope, language_code=language)
        }
        for language in ("en", "ru")
    }
    assert described["en"]["checkin"] == "Tell the clinic how your scalp is"
    assert described["ru"]["checkin"] == "Рассказать клинике, как ваша кожа головы"
