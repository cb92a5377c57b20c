"""`make demo`: the real bot against the built-in Telegram simulator, played as a patient would.

Nothing here is special-cased for the demo: the bot is built by `BotRuntime` exactly as
`python bot.py run` builds it, only its `telegram.base_url` points at the simulator and its
database is a temporary file. The demo fails (exit 1) if the bot does not answer a step.
"""

import asyncio
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from importlib.resources import files
from pathlib import Path
from typing import TextIO

from aftercare_bot.adapters.persistence import migrate
from aftercare_bot.bootstrap import BotRuntime
from aftercare_bot.config import Config, load_config
from aftercare_bot.sandbox import SimUser, TelegramSimulator

REPLY_TIMEOUT_SECONDS = 10.0
DEMO_ADMIN_ID = 700001


def demo_config(directory: Path, simulator_url: str = "http://127.0.0.1:1/bot") -> Config:
    """The shipped demo config, with a database in `directory` and the simulator's address."""
    path = directory / "demo.toml"
    text = files("aftercare_bot.demo").joinpath("demo.toml").read_text(encoding="utf-8")
    file_url = simulator_url.replace("/bot", "/file/bot")
    text = text.replace(
        "[telegram]\n",
        f'[telegram]\nbase_url = "{simulator_url}"\nbase_file_url = "{file_url}"\n',
    )
    text += f'\n[database]\nurl = "sqlite:///{directory / "demo.sqlite3"}"\n'
    path.write_text(text, encoding="utf-8")
    return load_config(path)


class Narrator:
    """Prints the transcript as it grows, with a heading for each step of the journey."""

    def __init__(self, simulator: TelegramSimulator, out: TextIO) -> None:
        self._simulator = simulator
        self._out = out
        self._shown = 0

    def say(self, line: str) -> None:
        """Print a line of narration."""
        print(line, file=self._out, flush=True)

    def step(self, title: str) -> None:
        """Start a new step of the journey."""
        self.say(f"\n── {title}")

    def show_new_lines(self) -> None:
        """Print whatever the simulator recorded since the last call."""
        lines = self._simulator.transcript_lines()
        for line in lines[self._shown :]:
            self.say(f"  {line}")
        self._shown = len(lines)


async def _exchange(
    narrator: Narrator, user: SimUser, action: Callable[[], Awaitable[object]]
) -> None:
    await action()
    await user.wait_for_reply(timeout=REPLY_TIMEOUT_SECONDS)
    narrator.show_new_lines()


async def play_journey(simulator: TelegramSimulator, narrator: Narrator) -> None:
    """The steps a newcomer sees; each waits for the bot's real answer over HTTP."""
    anna = simulator.add_user(first_name="Anna", language_code="en")
    boris = simulator.add_user(first_name="Boris", language_code="ru")

    menu = simulator.commands({"type": "all_private_chats"}, "en")
    narrator.step("The bot published its command menu for patients")
    narrator.say("  " + "  ".join(f"/{command}" for command in menu))
    narrator.step("A patient opens the bot without an enrollment link")
    await _exchange(narrator, anna, lambda: anna.send("/start"))
    narrator.step("She asks for help")
    await _exchange(narrator, anna, lambda: anna.send("/help"))
    narrator.step("She sends a sticker, which the bot cannot read, and a mistyped command")
    await _exchange(narrator, anna, lambda: anna.send_sticker())
    await _exchange(narrator, anna, lambda: anna.send("/hlep"))
    narrator.step("A Russian-speaking patient is answered in Russian")
    await _exchange(narrator, boris, lambda: boris.send("/start"))


async def play_demo(out: TextIO = sys.stdout) -> int:
    """Run the simulator and the bot, play the journey, print the transcript; 0 on success."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="aftercare-demo-") as folder:
        config = demo_config(Path(folder))
        simulator = TelegramSimulator(
            token=config.require_token(), bot_username="aftercare_demo_bot"
        )
        await simulator.start()
        narrator = Narrator(simulator, out)
        try:
            config = demo_config(Path(folder), simulator.base_url)
            narrator.say(f"Telegram Bot API simulator listening at {simulator.base_url}")
            await asyncio.to_thread(migrate.upgrade, config.database_url)
            async with BotRuntime(config) as runtime:
                narrator.say(f"Bot @{runtime.application.bot.username} started (no token needed)")
                await play_journey(simulator, narrator)
        except TimeoutError:
            narrator.show_new_lines()
            narrator.say("\nThe bot did not answer in time: the demo failed.")
            return 1
        finally:
            await simulator.stop()
    narrator.say(f"\nDemo finished in {time.monotonic() - started:.1f} s.")
    return 0
