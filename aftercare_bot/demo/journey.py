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
from functools import partial
from pathlib import Path
from typing import Any, TextIO

from aftercare_bot.adapters.persistence import migrate
from aftercare_bot.bootstrap import BotRuntime
from aftercare_bot.config import Config, load_config
from aftercare_bot.demo import DEMO_TOML
from aftercare_bot.sandbox import SimUser, TelegramSimulator, TranscriptEvent

REPLY_TIMEOUT_SECONDS = 10.0
PLAN_TIMEOUT_SECONDS = 20.0


def demo_config(
    directory: Path, simulator_url: str = "http://127.0.0.1:1/bot", admin_id: int = 0
) -> Config:
    """The shipped demo config, with a database in `directory` and the simulator's address."""
    path = directory / "demo.toml"
    text = DEMO_TOML.replace("admin_ids = [700001]", f"admin_ids = [{admin_id or 700001}]")
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
        self._texts: dict[int, str | None] = {}

    def say(self, line: str) -> None:
        """Print a line of narration."""
        print(line, file=self._out, flush=True)

    def step(self, title: str) -> None:
        """Start a new step of the journey."""
        self.say(f"\n── {title}")

    def show_new_lines(self) -> None:
        """Print what the simulator recorded since the last call, minus bookkeeping.

        Silent acknowledgements of button presses, and edits that only take a prompt's
        buttons away, are real API calls but say nothing to a reader.
        """
        events = self._simulator.transcript
        for event in events[self._shown :]:
            if event.message_id is not None and event.is_new_message:
                self._texts[event.message_id] = event.text
            if self._is_bookkeeping(event):
                continue
            self.say(f"  {self._simulator.format_transcript(event)}")
        self._shown = len(events)

    def _is_bookkeeping(self, event: TranscriptEvent) -> bool:
        if event.kind == "answer":
            return not event.text
        return (
            event.kind == "edit"
            and not event.buttons
            and self._texts.get(event.message_id or 0) == event.text
        )


async def _exchange(
    narrator: Narrator,
    user: SimUser,
    action: Callable[[], Awaitable[object]],
    replies: int = 1,
) -> None:
    await action()
    await user.wait_for_replies(replies, timeout=REPLY_TIMEOUT_SECONDS)
    narrator.show_new_lines()


async def play_journey(simulator: TelegramSimulator, narrator: Narrator, admin_id: int) -> None:
    """The steps a newcomer sees; each waits for the bot's real answer over HTTP."""
    grey = simulator.user(admin_id)
    anna = simulator.add_user(first_name="Anna", language_code="en")
    boris = simulator.add_user(first_name="Boris", language_code="ru")
    staff_group = simulator.add_group("Clinic staff", [grey])

    menu = simulator.commands({"type": "all_private_chats"}, "en")
    narrator.step("The bot published its command menu for patients")
    narrator.say("  " + "  ".join(f"/{command}" for command in menu))

    narrator.step("An admin binds the clinic's private staff group")
    await _exchange(narrator, grey, lambda: grey.send("/bindgroup", chat=staff_group))

    narrator.step("After Anna's session, Dr Grey enrolls her: a short guided conversation")
    token = await _enroll(narrator, grey)

    narrator.step("Anna scans the QR code: the link opens the bot, which asks for her consent")
    welcome = await _reply_to(narrator, anna, lambda: anna.send(f"/start {token}"))
    narrator.step("She agrees: the chat is linked and the aftercare instructions arrive at once")
    await _exchange(narrator, anna, lambda: anna.press(welcome, "Yes, I agree"), replies=2)

    narrator.step("The plan runs (in seconds for the demo): this evening's advice, then a check-in")
    _evening, check_in = await anna.wait_for_replies(2, timeout=PLAN_TIMEOUT_SECONDS)
    narrator.show_new_lines()

    narrator.step("Anna answers the check-in in a few taps; the same message is edited in place")
    await _answer_check_in(simulator, anna, check_in, ("Mild", "None", "None", "Done", "Skip"))
    await anna.press(_current(simulator, check_in), "Skip")
    await anna.wait_for_reply(timeout=REPLY_TIMEOUT_SECONDS)
    narrator.show_new_lines()

    narrator.step("Before the next session: a reminder with the questions that matter")
    [reminder] = await anna.wait_for_replies(1, timeout=PLAN_TIMEOUT_SECONDS)
    narrator.show_new_lines()
    narrator.step("Anna confirms; the staff group sees it")
    await anna.press(reminder, "Confirm")
    await anna.wait_for_reply(timeout=REPLY_TIMEOUT_SECONDS)
    await grey.wait_for_reply(timeout=REPLY_TIMEOUT_SECONDS, chat=staff_group)
    narrator.show_new_lines()

    narrator.step("Anna checks her next appointment, then stops the messages, and resumes")
    await _exchange(narrator, anna, lambda: anna.send("/next"))
    await _exchange(narrator, anna, lambda: anna.send("STOP"))
    await grey.wait_for_reply(timeout=REPLY_TIMEOUT_SECONDS, chat=staff_group)
    narrator.show_new_lines()
    await _exchange(narrator, anna, lambda: anna.send("START"))
    await grey.wait_for_reply(timeout=REPLY_TIMEOUT_SECONDS, chat=staff_group)
    narrator.show_new_lines()

    narrator.step('Later Anna is worried: she taps "I have a concern" and starts a check-in')
    question = await _reply_to(narrator, anna, lambda: anna.send("I have a concern"))
    narrator.step(
        "She answers Severe: at that tap, before she finishes, staff get the urgent post "
        "and Anna the urgent advice"
    )
    mark = simulator.mark()
    await anna.press(question, "Severe")
    event = await simulator.wait_for(
        lambda e: e.chat_id == staff_group.id and e.is_new_message,
        timeout=REPLY_TIMEOUT_SECONDS,
        since=mark,
    )
    await simulator.wait_for(
        lambda e: e.kind == "edit" and e.message_id == question["message_id"],
        timeout=REPLY_TIMEOUT_SECONDS,
        since=mark,
    )
    assert event.message is not None
    post = event.message
    narrator.show_new_lines()
    narrator.step("She finishes the check-in: her full answers go under the same post")
    await _answer_check_in(simulator, anna, question, ("None", "None", "Done", "Skip"))
    await anna.press(_current(simulator, question), "Skip")
    await anna.wait_for_reply(timeout=REPLY_TIMEOUT_SECONDS)
    narrator.show_new_lines()
    narrator.step("Dr Grey acknowledges the incident in the staff group; Anna is told who saw it")
    await grey.press(post, "Acknowledge")
    await anna.wait_for_reply(timeout=REPLY_TIMEOUT_SECONDS)
    narrator.show_new_lines()
    narrator.step("After phoning Anna, Dr Grey resolves it with its outcome, for the clinic's log")
    await _answer_check_in(simulator, grey, post, ("Resolved", "Phoned the patient"))
    await grey.wait_for_reply(timeout=REPLY_TIMEOUT_SECONDS, chat=staff_group)
    narrator.show_new_lines()

    narrator.step("Someone opens the bot without a link, in Russian, and sends a sticker")
    await _exchange(narrator, boris, lambda: boris.send("/start"))
    await _exchange(narrator, boris, lambda: boris.send_sticker())

    narrator.step("The staff's day starts with the digest (posted daily; here on demand)")
    await grey.send("/digest", chat=staff_group)
    await grey.wait_for_reply(timeout=REPLY_TIMEOUT_SECONDS, chat=staff_group)
    narrator.show_new_lines()


def _current(simulator: TelegramSimulator, message: dict[str, Any]) -> dict[str, Any]:
    """A message as it is now: check-ins are edited in place."""
    return next(
        m
        for m in simulator.messages_in(message["chat"]["id"])
        if m["message_id"] == message["message_id"]
    )


async def _answer_check_in(
    simulator: TelegramSimulator, user: SimUser, message: dict[str, Any], labels: tuple[str, ...]
) -> None:
    for label in labels:
        mark = simulator.mark()
        await user.press(_current(simulator, message), label)
        await simulator.wait_for(
            lambda event: event.kind == "edit" and event.message_id == message["message_id"],
            timeout=REPLY_TIMEOUT_SECONDS,
            since=mark,
        )


async def _enroll(narrator: Narrator, grey: SimUser) -> str:
    """Dr Grey's /enroll, answered step by step; returns the token of the link."""
    question = await _reply_to(narrator, grey, lambda: grey.send("/enroll"))
    question = await _reply_to(narrator, grey, lambda: grey.send("Anna"))
    for label in ("Now", "Me (Grey)", "In 3 weeks", "English"):
        question = await _reply_to(narrator, grey, partial(grey.press, question, label))
    preview = await _reply_to(narrator, grey, lambda: grey.send("Dermaheal HSR, LOT-42"))
    await grey.press(preview, "Confirm and create the link")
    done, _qr = await grey.wait_for_replies(2, timeout=REPLY_TIMEOUT_SECONDS)
    narrator.show_new_lines()
    return str(done["text"]).split("?start=")[1].split()[0]


async def _reply_to(
    narrator: Narrator, user: SimUser, action: Callable[[], Awaitable[object]]
) -> dict[str, Any]:
    await action()
    reply = await user.wait_for_reply(timeout=REPLY_TIMEOUT_SECONDS)
    narrator.show_new_lines()
    return reply


async def play_demo(out: TextIO = sys.stdout) -> int:
    """Run the simulator and the bot, play the journey, print the transcript; 0 on success."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="aftercare-demo-") as folder:
        config = demo_config(Path(folder))
        # The demo types at machine speed, far faster than people tap; flood limits would
        # only make it wait (the tests and benchmarks exercise them).
        simulator = TelegramSimulator(
            token=config.require_token(), bot_username="aftercare_demo_bot", rate_limits=False
        )
        grey = simulator.add_user(first_name="Grey", language_code="en")
        config = demo_config(Path(folder), admin_id=grey.id)
        await simulator.start()
        narrator = Narrator(simulator, out)
        try:
            config = demo_config(Path(folder), simulator.base_url, admin_id=grey.id)
            narrator.say(f"Telegram Bot API simulator listening at {simulator.base_url}")
            await asyncio.to_thread(migrate.upgrade, config.database_url)
            async with BotRuntime(config) as runtime:
                narrator.say(f"Bot @{runtime.application.bot.username} started (no token needed)")
                await play_journey(simulator, narrator, grey.id)
        except (TimeoutError, LookupError) as error:
            narrator.show_new_lines()
            narrator.say(f"\nThe bot did not answer as expected ({error}): the demo failed.")
            return 1
        finally:
            await simulator.stop()
    narrator.say(f"\nDemo finished in {time.monotonic() - started:.1f} s.")
    return 0
