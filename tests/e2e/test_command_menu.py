"""Patients find every command of theirs in Telegram's menu, in their own language."""

from pathlib import Path

from telegram import BotCommandScopeAllPrivateChats

from aftercare_bot.adapters.telegram.views.commands import PATIENT_COMMANDS
from aftercare_bot.bootstrap import BotRuntime
from aftercare_bot.clock import ManualClock
from aftercare_bot.config import Config, load_config
from aftercare_bot.sandbox import TelegramSimulator
from tests.config_files import write_config
from tests.e2e.conftest import START, ImmediatePacer, RunningBot

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


async def test_a_patient_is_answered_while_telegram_is_still_taking_the_command_menu(
    simulator: TelegramSimulator, tmp_path: Path, database_url: str
) -> None:
    # On Telegram the menu is ten round trips; polling does not wait for them.
    config = _config(simulator, tmp_path, database_url)
    menu = simulator.faults.hold_next("setMyCommands")
    async with BotRuntime(config, clock=ManualClock(START), pacer=ImmediatePacer()) as runtime:
        await menu.arrived()
        vera = simulator.add_user(first_name="Vera")
        await vera.send("/help")
        assert "/checkin" in (await vera.wait_for_reply())["text"]
        assert simulator.commands(PRIVATE, language_code="en") == []
        menu.release()
        await runtime.introduced()
        assert "checkin" in simulator.commands(PRIVATE, language_code="en")


async def test_a_command_menu_telegram_refuses_leaves_the_bot_running(
    simulator: TelegramSimulator, tmp_path: Path, database_url: str
) -> None:
    config = _config(simulator, tmp_path, database_url)
    simulator.faults.fail_next("setMyCommands", status=500)
    async with BotRuntime(config, clock=ManualClock(START), pacer=ImmediatePacer()) as runtime:
        await runtime.introduced()
        vera = simulator.add_user(first_name="Vera")
        await vera.send("/help")
        assert "/checkin" in (await vera.wait_for_reply())["text"]


def _config(simulator: TelegramSimulator, tmp_path: Path, database_url: str) -> Config:
    """A clinic whose admin, Grey, is known to the simulator."""
    grey = simulator.add_user(first_name="Grey")
    return load_config(
        write_config(
            tmp_path, database_url=database_url, base_url=simulator.base_url, admin_ids=(grey.id,)
        )
    )
