"""`make demo`: the real bot against the built-in Telegram simulator, played as a patient would.

Nothing here is special-cased for the demo: the bot is built by `BotRuntime` exactly as
`python bot.py run` builds it, only its `telegram.base_url` points at the simulator and its
database is a temporary file, and its clock is the demo's: the patient's days, with the hours in
which nothing happens skipped. The demo fails (exit 1) if the bot does not answer a step.
"""

import asyncio
import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from pathlib import Path
from time import monotonic
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from aftercare_bot.adapters.persistence import migrate
from aftercare_bot.bootstrap import BotRuntime
from aftercare_bot.config import Config, load_config
from aftercare_bot.demo import DEMO_TOML
from aftercare_bot.sandbox import SimUser, TelegramSimulator, TranscriptEvent
from aftercare_bot.sandbox.transcript import format_event

REPLY_TIMEOUT_SECONDS = 10.0
# Anna's session is today at this time of day, in the clinic's zone.
SESSION_TIME = time(11, 0)

WaitForPlan = Callable[[], Awaitable[None]]


def demo_config(
    directory: Path,
    simulator_url: str = "http://127.0.0.1:1/bot",
    admin_id: int = 0,
    console_port: int | None = None,
) -> Config:
    """The shipped demo config, with a database in `directory` and the simulator's address;
    with `console_port`, the staff console on 127.0.0.1 at that port."""
    path = directory / "demo.toml"
    text = DEMO_TOML.replace("admin_ids = [700001]", f"admin_ids = [{admin_id or 700001}]")
    file_url = simulator_url.replace("/bot", "/file/bot")
    text = text.replace(
        "[telegram]\n",
        f'[telegram]\nbase_url = "{simulator_url}"\nbase_file_url = "{file_url}"\n',
    )
    text += f'\n[database]\nurl = "sqlite:///{directory / "demo.sqlite3"}"\n'
    if console_port is not None:
        text += f'\n[web]\nenabled = true\nlisten = "127.0.0.1"\nport = {console_port}\n'
    path.write_text(text, encoding="utf-8")
    return load_config(path)


class DemoClock:
    """The bot's clock (and the simulator's) in the demo: real time from a chosen start, plus
    the hours skipped.

    Between skips it runs at real speed, as the bot's clock does in production; the journey
    skips to the plan's next message where a patient would wait hours or weeks for it, so the
    transcript shows each message at the day and hour the patient meets it.
    """

    def __init__(self, start: datetime) -> None:
        self._ahead = start - datetime.now(UTC)
        self._listeners: list[Callable[[], None]] = []

    def now(self) -> datetime:
        """The demo's current moment, in UTC."""
        return datetime.now(UTC) + self._ahead

    def timestamp(self) -> float:
        """The current moment as Unix time: the simulator's clock for message dates."""
        return self.now().timestamp()

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call `listener` every time the clock skips ahead."""
        self._listeners.append(listener)

    def skip_to(self, moment: datetime) -> None:
        """Jump forward to `moment` (never back) and wake whoever waits on the clock."""
        ahead = moment - self.now()
        if ahead > timedelta(0):
            self._ahead += ahead
            for listener in self._listeners:
                listener()


def session_start(zone: ZoneInfo) -> datetime:
    """Today at a morning hour in the clinic's zone, whenever the demo runs: the plan's times
    (this evening, tomorrow morning) then fall as they would for a real session."""
    return datetime.combine(datetime.now(zone).date(), SESSION_TIME, zone)


class Narrator:
    """Prints the transcript as it grows, with a heading for each step of the journey.

    Each event shows the bot's clock as the patient meets it, in `zone`: the hour on the line,
    and the day on a line of its own when it changes.
    """

    def __init__(self, simulator: TelegramSimulator, out: TextIO, zone: ZoneInfo) -> None:
        self._simulator = simulator
        self._out = out
        self._zone = zone
        self._shown = 0
        self._day: date | None = None
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
            self.say(f"  {self._format(event)}")
        self._shown = len(events)

    def _format(self, event: TranscriptEvent) -> str:
        """The event's line, after a line with its day if the day has changed."""
        moment = datetime.fromtimestamp(event.at, self._zone)
        if moment.date() != self._day:
            self._day = moment.date()
            self.say(f"  {moment:%a} {moment.day} {moment:%b %Y}")
        return format_event(event, stamp=f"{moment:%H:%M}")

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


async def play_journey(
    simulator: TelegramSimulator, narrator: Narrator, admin_id: int, wait_for_plan: WaitForPlan
) -> None:
    """The steps a newcomer sees; each waits for the bot's real answer over HTTP.

    `wait_for_plan` stands for the hours until the plan's next message: it skips them.
    """
    grey = simulator.user(admin_id)
    anna = simulator.add_user(first_name="Anna", language_code="en")
    boris = simulator.add_user(first_name="Boris", language_code="ru")
    lucia = simulator.add_user(first_name="Lucía", language_code="es")
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

    narrator.step("The plan runs: this evening's advice, the next morning a check-in")
    await wait_for_plan()
    await anna.wait_for_reply(timeout=REPLY_TIMEOUT_SECONDS)
    narrator.show_new_lines()
    await wait_for_plan()
    check_in = await anna.wait_for_reply(timeout=REPLY_TIMEOUT_SECONDS)
    narrator.show_new_lines()

    narrator.step("Anna answers the check-in in a few taps; the same message is edited in place")
    await _answer_check_in(simulator, anna, check_in, ("Mild", "None", "None", "Done", "Skip"))
    await anna.press(_current(simulator, check_in), "Skip")
    await anna.wait_for_reply(timeout=REPLY_TIMEOUT_SECONDS)
    narrator.show_new_lines()

    narrator.step("The day before the next session: a reminder with the questions that matter")
    await wait_for_plan()
    reminder = await anna.wait_for_reply(timeout=REPLY_TIMEOUT_SECONDS)
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

    narrator.step("Lucía's phone is in Spanish: enrolled in her Telegram's language, she reads it")
    token = await _enroll(narrator, grey, "Lucía", "Their Telegram language", product=None)
    welcome = await _reply_to(narrator, lucia, lambda: lucia.send(f"/start {token}"))
    await _exchange(narrator, lucia, lambda: lucia.press(welcome, "Sí, acepto"), replies=2)

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


async def _enroll(
    narrator: Narrator,
    grey: SimUser,
    name: str = "Anna",
    language: str = "English",
    product: str | None = "Dermaheal HSR, LOT-42",
) -> str:
    """Dr Grey's /enroll, answered step by step; returns the token of the link."""
    question = await _reply_to(narrator, grey, lambda: grey.send("/enroll"))
    question = await _reply_to(narrator, grey, lambda: grey.send(name))
    for label in ("Now", "Me (Grey)", "In 3 weeks", language):
        question = await _reply_to(narrator, grey, partial(grey.press, question, label))
    preview = await _reply_to(
        narrator,
        grey,
        (lambda: grey.send(product)) if product else partial(grey.press, question, "Skip"),
    )
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


async def _skip_to_next_plan_message(runtime: BotRuntime, clock: DemoClock) -> None:
    """Move the clock to the moment the bot next has a plan message to send."""
    # Whatever the dispatcher is sending must be recorded first, or it would count as next.
    await runtime.heartbeat.idle()
    async with runtime.services.database.unit_of_work() as uow:
        due = await uow.outbox.next_wake_after(clock.now())
    if due is None:
        raise LookupError("the plan has nothing more to send")
    clock.skip_to(due)


async def play_demo(
    out: TextIO = sys.stdout,
    console_port: int | None = None,
    stay: "Callable[[], Awaitable[None]] | None" = None,
) -> int:
    """Run the simulator and the bot, play the journey, print the transcript; 0 on success.

    With `console_port`, the staff console runs too; after the journey the bot and the
    simulator keep running and a sign-in link for the demo's admin is printed, until `stay`
    returns (Ctrl-C from the command line), so a newcomer can click through the demo clinic.
    """
    started = monotonic()
    with tempfile.TemporaryDirectory(prefix="aftercare-demo-") as folder:
        config = demo_config(Path(folder))
        zone = config.clinic.timezone
        clock = DemoClock(session_start(zone))
        # The demo types at machine speed, far faster than people tap; flood limits would
        # only make it wait (the tests and benchmarks exercise them).
        simulator = TelegramSimulator(
            token=config.require_token(),
            bot_username="aftercare_demo_bot",
            rate_limits=False,
            clock=clock.timestamp,
        )
        grey = simulator.add_user(first_name="Grey", language_code="en")
        config = demo_config(Path(folder), admin_id=grey.id)
        await simulator.start()
        narrator = Narrator(simulator, out, zone)
        try:
            config = demo_config(
                Path(folder), simulator.base_url, admin_id=grey.id, console_port=console_port
            )
            narrator.say(f"Telegram Bot API simulator listening at {simulator.base_url}")
            await asyncio.to_thread(migrate.upgrade, config.database_url)
            async with BotRuntime(config, clock=clock) as runtime:
                await runtime.introduced()  # the menu and the staff check, before the story
                clock.on_change(runtime.heartbeat.wake)
                narrator.say(f"Bot @{runtime.application.bot.username} started (no token needed)")
                narrator.say(
                    f"Times are the bot's clock as the patient meets it ({zone.key}); "
                    "the demo skips the hours in which nothing happens."
                )
                wait_for_plan = partial(_skip_to_next_plan_message, runtime, clock)
                await play_journey(simulator, narrator, grey.id, wait_for_plan)
                if console_port is not None and stay is not None:
                    await _keep_console_open(runtime, narrator, grey.id, config, stay)
        except (TimeoutError, LookupError) as error:
            narrator.show_new_lines()
            narrator.say(f"\nThe bot did not answer as expected ({error}): the demo failed.")
            return 1
        finally:
            await simulator.stop()
    narrator.say(f"\nDemo finished in {monotonic() - started:.1f} s.")
    return 0


async def _keep_console_open(
    runtime: BotRuntime,
    narrator: "Narrator",
    admin_id: int,
    config: Config,
    stay: "Callable[[], Awaitable[None]]",
) -> None:
    """Leave the demo clinic running with its console, and hand the newcomer a way in."""
    secret = await runtime.services.console_access.issue_sign_in(admin_id, "Grey")
    base = config.web.base_url
    narrator.say(
        f"\nThe staff console of the demo clinic is at {base}/console\n"
        f"Sign in as Grey, the demo's admin (the link works once, for five minutes):\n"
        f"  {base}/console/sign-in/{secret}\n"
        "Press Ctrl-C to stop."
    )
    await stay()
