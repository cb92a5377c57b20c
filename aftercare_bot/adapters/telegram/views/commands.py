"""The command menu patients see, in each supported language."""

from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats

from aftercare_bot.texts import Texts

# Every one needs `commands.<name>` in each language; /checkin is how a patient reports a worry
# between the plan's check-ins, so it comes right after /start.
PATIENT_COMMANDS = (
    "start",
    "checkin",
    "next",
    "language",
    "timezone",
    "stop",
    "mydata",
    "delete",
    "help",
)


async def publish_command_menu(bot: Bot, texts: Texts, default_language: str) -> None:
    """Set the menu for every language, and the clinic's language for everyone else."""
    scope = BotCommandScopeAllPrivateChats()
    for language in texts.languages:
        commands = [
            BotCommand(name, texts.render(language, f"commands.{name}"))
            for name in PATIENT_COMMANDS
        ]
        await bot.set_my_commands(commands, scope=scope, language_code=language)
        if language == default_language:
            await bot.set_my_commands(commands, scope=scope)
