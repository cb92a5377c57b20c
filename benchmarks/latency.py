"""4 and 5b. The patient's view: from her tap reaching the bot to the next question on her screen.

Each run starts the bot as a process of its own over a database of P linked patients, and P
simulated patients work through check-ins (/checkin, then None, None, None, Done, Skip, Skip)
as people do: each waits until the bot's answer to her last action is on her screen, then
reads it for at least 1 s (1 s plus an exponential wait, mean 1 s: her cycle averages 2 s,
so P patients offer P / 2 updates a second), then taps. They act independently (seeded, the
same for every bot), so their updates together come at random moments, not on a grid.

Measured for every update a patient sent in the window, from the simulator handing it to the
bot (getUpdates returning it):
* bot time: to the bot's first request for it, as the simulator logs it (for a tap its
  answerCallbackQuery or the edit, for /checkin the question it sends);
* visible: to the simulator logging the call that puts the answer on her screen (the
  sendMessage or editMessageText showing the next question; after the last question, the
  edit closing the check-in).
An update the bot never took or never answered by the end of the run (the window, then up to
DRAIN_SECONDS for the answers still owed) counts with its wait until the run's end (from its
hand-out, or from being sent when never handed out): a lower bound of its wait, never dropped.

At P patients the flow asks for P / 2 x 8/7 sends and edits a second (a check-in is 7 updates
for 8 sends or edits). Within Telegram's limit (at most 29/s, ours' pace) the goal applies;
above it no bot can show every next question at once, and the table shows how the wait is
shared among the chats instead.

The same patients, against python-telegram-bot alone doing the same calls with no database
(benchmarks/plain_bot.py, with ours' concurrency and pace), are the baseline.
"""

import asyncio
import bisect
import random
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aftercare_bot.adapters.telegram.runtime.pacing import GLOBAL_BURST
from aftercare_bot.sandbox import ApiCall, SimUser
from aftercare_bot.sandbox.rate_limits import is_rate_limited
from benchmarks.databases import SQLITE, Backend
from benchmarks.harness import (
    SENT_OK,
    STARTUP_SECONDS,
    TOKEN,
    BotProcess,
    PatientRow,
    Telegram,
    insert_patients,
    now,
    too_many_requests,
    write_config,
)
from benchmarks.options import Options, progress
from benchmarks.report import Section, fmt, median, not_measured, percentile, verdict

OURS, PLAIN = "aftercare_bot", "plain PTB"
BOTS = (OURS, PLAIN)
THINK_AT_LEAST = 1.0  # seconds a patient reads the question before she taps
THINK_EXTRA_MEAN = 1.0  # plus an exponential wait of this mean
UPDATES_PER_PATIENT = 1.0 / (THINK_AT_LEAST + THINK_EXTRA_MEAN)  # offered, a second
FLOW_UPDATES, FLOW_SENDS = 7, 8  # a check-in: /checkin and 6 taps; 1 send, 5 edits, edit + reply
LIMIT_PER_SECOND = 29.0  # sends+edits a second: ours' [delivery] max_per_second, under 30
GOAL_VISIBLE_MS = 100.0
GOAL_BOT_MS = 20.0
FULL_SIZES = (40, 100)  # 40 patients: 23 sends+edits/s offered; 100: 57/s, above the limit
WINDOW_SECONDS, QUICK_WINDOW_SECONDS = 30.0, 8.0
WARM_UP_SECONDS, QUICK_WARM_UP_SECONDS = 5.0, 3.0
DRAIN_SECONDS = 15.0
TAP_ORDER = ("None", "Done", "Skip")
PRESS, MESSAGE = "press", "message"


def offered_sends(patients: int) -> float:
    """Sends and edits a second the patients ask for when every answer comes at once."""
    return patients * UPDATES_PER_PATIENT * FLOW_SENDS / FLOW_UPDATES


def within_limit(patients: int) -> bool:
    """Whether that is within Telegram's limit (the goal's load)."""
    return offered_sends(patients) <= LIMIT_PER_SECOND


@dataclass(frozen=True)
class Sample:
    """One update sent in the window: sent, handed to the bot, the bot's first request for
    it, its answer on screen (None: never, within the run)."""

    chat: int
    kind: str
    sent: float
    handed_out: float | None
    first_out: float | None
    visible: float | None

    def wait(self, moment: float | None, end: float) -> float:
        """Seconds from reaching the bot (or, never handed out, from being sent) to `moment`,
        or to the run's `end` when it never came."""
        start = self.handed_out if self.handed_out is not None else self.sent
        return (moment if moment is not None else end) - start


@dataclass(frozen=True)
class LatencyRun:
    """One run's samples and circumstances."""

    bot: str
    patients: int
    seconds: float
    end: float
    samples: tuple[Sample, ...]
    sends: int  # sends+edits Telegram accepted in the window, every chat
    too_many: int
    completed: int  # check-ins completed in the run
    flow_calls: int  # sends+edits calls those check-ins took

    @property
    def rate(self) -> float:
        """Updates a second the patients sent in the window."""
        return len(self.samples) / self.seconds

    @property
    def sends_per_second(self) -> float:
        """Sends and edits a second in the window (what Telegram's limit counts)."""
        return self.sends / self.seconds

    @property
    def per_check_in(self) -> float:
        """Sends and edits per completed check-in."""
        return self.flow_calls / self.completed if self.completed else float("nan")

    def visible_waits(self) -> list[float]:
        """Every sample's wait for its answer on screen, seconds."""
        return [sample.wait(sample.visible, self.end) for sample in self.samples]

    def visible_ms(self, fraction: float) -> float:
        """A percentile of the wait for the answer on screen."""
        return percentile(self.visible_waits(), fraction) * 1000

    def bot_ms(self, fraction: float, kind: str | None = None) -> float:
        """A percentile of the bot's own time (of one kind of update, or of all)."""
        waits = [
            sample.wait(sample.first_out, self.end)
            for sample in self.samples
            if kind is None or sample.kind == kind
        ]
        return percentile(waits, fraction) * 1000 if waits else float("nan")

    @property
    def late(self) -> int:
        """Updates never answered on screen within the run (counted with their wait until its
        end)."""
        return sum(1 for sample in self.samples if sample.visible is None)

    def per_chat(self) -> dict[int, list[float]]:
        """Each chat's waits for the answer on screen."""
        chats: dict[int, list[float]] = {}
        for sample, wait in zip(self.samples, self.visible_waits(), strict=True):
            chats.setdefault(sample.chat, []).append(wait)
        return chats

    def chat_p99_ms(self) -> list[float]:
        """Every chat's own p99 wait, ms."""
        return [percentile(waits, 0.99) * 1000 for waits in self.per_chat().values()]

    def jain(self) -> float:
        """Jain's fairness index over the chats' mean waits: 1 = every chat waits alike, 1/n =
        one chat takes all the wait."""
        means = [sum(waits) / len(waits) for waits in self.per_chat().values()]
        squares = sum(mean * mean for mean in means)
        return sum(means) ** 2 / (len(means) * squares) if squares else float("nan")

    def meets_goal(self) -> bool:
        """The goal, on this run: both p99s under their goals, within the limit."""
        return (
            self.visible_ms(0.99) < GOAL_VISIBLE_MS
            and self.bot_ms(0.99) < GOAL_BOT_MS
            and self.sends_per_second <= LIMIT_PER_SECOND
        )


@dataclass
class CheckIn:
    """One of a patient's check-ins: when she sent /checkin, when its closing showed."""

    sent: float
    closed: float | None = None


@dataclass(frozen=True)
class Action:
    """An update a patient sent, and a future for its answer on her screen."""

    chat: int
    key: tuple[Any, ...]
    kind: str
    sent: float
    visible: asyncio.Future[ApiCall]


@dataclass
class Patient:
    """A simulated patient working through check-ins, one update at a time."""

    telegram: Telegram
    user: SimUser
    rng: random.Random
    check_ins: list[CheckIn] = field(default_factory=list)

    def think(self) -> float:
        """How long she reads her screen before the next tap."""
        return THINK_AT_LEAST + self.rng.expovariate(1.0 / THINK_EXTRA_MEAN)

    async def act(self) -> Action:
        """Tap the next button of the question on her screen, or type /checkin when there is
        none. The future is made right after: SimUser actions queue their update without
        yielding, so nothing the bot does in reply can be missed."""
        telegram, chat = self.telegram, self.user.id
        question = telegram.latest_bot_message(chat)
        label = _next_label(question)
        key: tuple[Any, ...]
        sent = now()
        if question is None or label is None:
            message = await self.user.send("/checkin")
            key, kind = ("message", chat, int(message["message_id"])), MESSAGE
            self.check_ins.append(CheckIn(sent))
        else:
            key, kind = ("press", str(await self.user.press(question, label))), PRESS

        def shows_answer(call: ApiCall) -> bool:
            handed_out = telegram.handed_out.get(key)
            return (
                handed_out is not None
                and call.at >= handed_out
                and call.status == SENT_OK
                and call.method in ("sendMessage", "editMessageText")
                and call.params.get("chat_id") == chat
                # /checkin is answered by a question (with buttons), not by the closing reply
                # of the previous check-in that may still be on its way
                and (kind == PRESS or _has_buttons(call))
            )

        return Action(chat, key, kind, sent, telegram.watch(shows_answer))

    def saw(self, action: Action, call: ApiCall) -> None:
        """Her answer came: after a tap, an answer without buttons closes the check-in."""
        if action.kind == PRESS and not _has_buttons(call) and self.check_ins:
            self.check_ins[-1].closed = call.at


def _has_buttons(call: ApiCall) -> bool:
    return "inline_keyboard" in str(call.params.get("reply_markup"))


def _next_label(message: dict[str, Any] | None) -> str | None:
    if message is None:
        return None
    labels = {
        button.get("text")
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", [])
        for button in row
    }
    return next((label for label in TAP_ORDER if label in labels), None)


@dataclass
class Recorded:
    """What a patient saw of one update she sent in the window."""

    action: Action
    visible: float | None


async def _patient_loop(
    patient: Patient,
    first_at: float,
    window: tuple[float, float],
    deadline: float,
    recorded: list[Recorded],
) -> None:
    """Act at `first_at`, then each time her answer has been on screen for her think time;
    keep the updates sent inside the window. No action starts after the window; an answer
    still owed is awaited until `deadline`."""
    at = first_at
    while at < window[1]:
        await asyncio.sleep(max(0.0, at - now()))
        action = await patient.act()
        try:
            call: ApiCall | None = await asyncio.wait_for(
                asyncio.shield(action.visible), max(0.0, deadline - now())
            )
        except TimeoutError:
            call = None
        action.visible.cancel()  # no-op when done; otherwise the simulator stops watching
        if window[0] <= action.sent < window[1]:
            recorded.append(Recorded(action, call.at if call is not None else None))
        if call is None:
            return
        patient.saw(action, call)
        at = call.at + patient.think()


async def run_once(
    bot_name: str,
    backend: Backend | None,
    patients: int,
    warm_up: float,
    seconds: float,
    seed: str,
) -> LatencyRun:
    """One run: `warm_up` seconds, `seconds` measured, then the answers still owed."""
    with tempfile.TemporaryDirectory(prefix="aftercare-latency-") as tmp:
        directory = Path(tmp)
        async with Telegram() as telegram:
            admin = telegram.add_users(1, "Admin")[0]
            users = telegram.add_users(patients, "Patient")
            bot = await _bot(bot_name, backend, telegram, directory, admin.id, users)
            await bot.start()
            try:
                polling = asyncio.ensure_future(telegram.sim.wait_for_poll(STARTUP_SECONDS))
                await bot.until(polling, STARTUP_SECONDS)
                start = now() + 0.5
                window = (start + warm_up, start + warm_up + seconds)
                deadline = window[1] + DRAIN_SECONDS
                recorded: list[Recorded] = []
                crowd = [
                    Patient(telegram, user, random.Random(f"{seed}:{index}"))
                    for index, user in enumerate(users)
                ]
                # Each starts at a random moment of her first cycle: the load is even from
                # the start, not a wave of /checkin.
                await asyncio.gather(
                    *(
                        _patient_loop(
                            patient,
                            start + patient.rng.uniform(0.0, 1.0 / UPDATES_PER_PATIENT),
                            window,
                            deadline,
                            recorded,
                        )
                        for patient in crowd
                    )
                )
                end = now()
                bot.check_alive()
            finally:
                await bot.stop()
            calls = list(telegram.calls)
            completed, flow_calls = _flow_calls(crowd, calls)
            return LatencyRun(
                bot=bot_name,
                patients=patients,
                seconds=seconds,
                end=end,
                samples=_samples(recorded, telegram.handed_out, calls),
                sends=sum(
                    1
                    for call in calls
                    if call.status == SENT_OK
                    and is_rate_limited(call.method)
                    and window[0] <= call.at < window[1]
                ),
                too_many=too_many_requests(calls, start),
                completed=completed,
                flow_calls=flow_calls,
            )


def _samples(
    recorded: list[Recorded], handed_out: dict[tuple[Any, ...], float], calls: list[ApiCall]
) -> tuple[Sample, ...]:
    """The samples, each with the bot's first request for it found in the call log: for a
    tap its answerCallbackQuery or a send or edit in her chat, whichever came first after
    the hand-out; for /checkin the question it sends."""
    by_chat: dict[int, tuple[list[float], list[ApiCall]]] = {}
    answered: dict[str, float] = {}
    for call in calls:  # in the order logged, which is time order
        if call.method == "answerCallbackQuery":
            answered.setdefault(str(call.params.get("callback_query_id")), call.at)
        chat = call.params.get("chat_id")
        if isinstance(chat, int) and is_rate_limited(call.method):
            times, found = by_chat.setdefault(chat, ([], []))
            times.append(call.at)
            found.append(call)
    samples = []
    for item in recorded:
        action = item.action
        start = handed_out.get(action.key)
        first: float | None = None
        if start is not None:
            times, found = by_chat.get(action.chat, ([], []))
            for call in found[bisect.bisect_left(times, start) :]:
                if action.kind == PRESS or _has_buttons(call):
                    first = call.at
                    break
            answer = answered.get(str(action.key[1])) if action.kind == PRESS else None
            if answer is not None and answer >= start and (first is None or answer < first):
                first = answer
        samples.append(Sample(action.chat, action.kind, action.sent, start, first, item.visible))
    return tuple(samples)


def _flow_calls(crowd: Iterable[Patient], calls: list[ApiCall]) -> tuple[int, int]:
    """Completed check-ins, and the sends and edits (calls, whatever Telegram answered) they
    took in the patients' chats: a call with buttons belongs to the check-in open when it was
    made, one without (the closing edit and reply) to the last check-in closed by then."""
    by_chat: dict[int, list[ApiCall]] = {}
    for call in calls:
        chat = call.params.get("chat_id")
        if isinstance(chat, int) and is_rate_limited(call.method):
            by_chat.setdefault(chat, []).append(call)
    completed = counted = 0
    for patient in crowd:
        check_ins = patient.check_ins
        starts = [check_in.sent for check_in in check_ins]
        closes = [(check_in.closed, index) for index, check_in in enumerate(check_ins)]
        closed = sorted((at, index) for at, index in closes if at is not None)
        closed_at = [at for at, _ in closed]
        took = [0] * len(check_ins)
        for call in by_chat.get(patient.user.id, []):
            index = bisect.bisect_right(starts, call.at) - 1
            if not _has_buttons(call):
                last = bisect.bisect_right(closed_at, call.at) - 1
                if last >= 0:
                    index = closed[last][1]
            if index >= 0:
                took[index] += 1
        for check_in, number in zip(check_ins, took, strict=True):
            if check_in.closed is not None:
                completed += 1
                counted += number
    return completed, counted


async def _bot(
    name: str,
    backend: Backend | None,
    telegram: Telegram,
    directory: Path,
    admin_id: int,
    users: list[SimUser],
) -> BotProcess:
    if name == PLAIN or backend is None:
        argv = [
            sys.executable,
            "-m",
            "benchmarks.plain_bot",
            f"--token={TOKEN}",
            f"--base-url={telegram.sim.base_url}",
        ]
        return BotProcess(argv, directory / "plain.log")
    database = backend.target(directory, "bench")
    await asyncio.to_thread(database.create)
    with database.bulk() as loader:
        insert_patients(
            loader,
            (PatientRow(i + 1, user.id, user.first_name) for i, user in enumerate(users)),
            datetime.now(UTC),
        )
    return BotProcess.aftercare(write_config(directory, telegram, database, admin_id))


Key = tuple[str, str, int]  # bot, database, patients
NO_DATABASE = "none"


async def run(options: Options) -> list[Section]:
    """Table 4 (within Telegram's limit: the goal) and 5b (above it: how the wait is shared),
    ours and plain python-telegram-bot side by side."""
    seconds = QUICK_WINDOW_SECONDS if options.quick else WINDOW_SECONDS
    warm_up = QUICK_WARM_UP_SECONDS if options.quick else WARM_UP_SECONDS
    results: dict[Key, list[LatencyRun]] = {}
    backends = options.backends()
    variants: list[tuple[str, Backend | None]] = [
        (OURS, backend) for backend in backends if not backend.missing
    ]
    variants.append((PLAIN, None))
    for patients in options.pick(full=FULL_SIZES, quick=FULL_SIZES):
        for number in range(1, options.runs + 1):
            # Taking turns, so that a busier moment hits every bot alike.
            for bot_name, backend in variants:
                result = await run_once(
                    bot_name, backend, patients, warm_up, seconds, f"{patients}:{number}"
                )
                database = backend.name if backend is not None else NO_DATABASE
                results.setdefault((bot_name, database, patients), []).append(result)
                progress(
                    f"latency {bot_name} ({database}), {patients} patients, "
                    f"run {number}/{options.runs}: "
                    f"{result.rate:.1f} updates/s, {result.sends_per_second:.1f} sends+edits/s, "
                    f"{result.per_check_in:.2f} per check-in ({result.completed}); bot time "
                    f"p50 {result.bot_ms(0.5):.1f} p99 {result.bot_ms(0.99):.1f} ms; visible "
                    f"p50 {result.visible_ms(0.5):.1f} p99 {result.visible_ms(0.99):.1f} ms; "
                    f"{result.too_many} x 429, {result.late} never answered; bot time p99 "
                    f"/checkin {result.bot_ms(0.99, MESSAGE):.1f}, taps "
                    f"{result.bot_ms(0.99, PRESS):.1f} ms"
                )
    missing = {backend.name: backend.missing for backend in backends if backend.missing}
    sections = [
        _goal_section(options, results, seconds),
        _shared_section(options, results, seconds),
    ]
    for section in sections:
        section.rows += [
            not_measured(f"{OURS}, {name}", why, len(section.headers))
            for name, why in missing.items()
        ]
    return [section for section in sections if section.rows]


def _ordered(
    results: dict[Key, list[LatencyRun]], within: bool
) -> list[tuple[Key, list[LatencyRun]]]:
    chosen = [item for item in results.items() if within_limit(item[0][2]) == within]
    return sorted(
        chosen, key=lambda item: (item[0][2], BOTS.index(item[0][0]), item[0][1] != SQLITE)
    )


def _database_flag(database: str) -> str | None:
    """The row's --database, none for plain PTB (which runs with either)."""
    return None if database == NO_DATABASE else database


def _common(runs: list[LatencyRun]) -> list[str]:
    """updates/s, sends+edits/s, per check-in: medians over runs."""
    return [
        fmt(median(run.rate for run in runs), 1),
        fmt(median(run.sends_per_second for run in runs), 1),
        fmt(median(run.per_check_in for run in runs), 2),
    ]


def _goal_cell(runs: list[LatencyRun]) -> str:
    worst_visible = max(run.visible_ms(0.99) for run in runs)
    worst_bot = max(run.bot_ms(0.99) for run in runs)
    busiest = max(run.sends_per_second for run in runs)
    met = all(run.meets_goal() for run in runs)
    return (
        f"{verdict(met)} (worst run: {fmt(worst_visible, 1)} / {fmt(worst_bot, 1)} ms, "
        f"{fmt(busiest, 1)} sends+edits/s)"
    )


def _goal_section(
    options: Options, results: dict[Key, list[LatencyRun]], seconds: float
) -> Section:
    section = Section(
        key="latency",
        title="4. The patient's view: her tap to the next question, within Telegram's limit",
        goal=f"p99 under {GOAL_VISIBLE_MS:g} ms from an update reaching the bot to the next "
        f"question on her screen, and p99 under {GOAL_BOT_MS:g} ms from an update reaching the "
        "bot to its first request for it, at a load within Telegram's limit (sends+edits at "
        f"most {LIMIT_PER_SECOND:g}/s), each patient tapping at least "
        f"{THINK_AT_LEAST:g} s after her question appears",
        headers=[
            "bot, database",
            "patients",
            "updates/s",
            "sends+edits/s",
            "sends+edits per check-in",
            "bot time p50 ms",
            "bot time p99 ms",
            "bot time p99 ms: /checkin, taps",
            "visible p50 ms",
            "visible p99 ms",
            "never answered",
            "429s",
            "goal (worst run: visible / bot time p99)",
            "reproduce",
        ],
    )
    for (bot_name, database, patients), runs in _ordered(results, within=True):
        section.rows.append(
            [
                f"{bot_name}, {database}",
                f"{patients:,}",
                *_common(runs),
                fmt(median(run.bot_ms(0.5) for run in runs), 1),
                fmt(median(run.bot_ms(0.99) for run in runs), 1),
                f"{fmt(median(run.bot_ms(0.99, MESSAGE) for run in runs), 1)}, "
                f"{fmt(median(run.bot_ms(0.99, PRESS) for run in runs), 1)}",
                fmt(median(run.visible_ms(0.5) for run in runs), 1),
                fmt(median(run.visible_ms(0.99) for run in runs), 1),
                fmt(median(run.late for run in runs), 0),
                fmt(median(run.too_many for run in runs), 0),
                _goal_cell(runs),
                options.command("latency", patients, _database_flag(database)),
            ]
        )
    section.notes += [
        *_load_notes(options, seconds),
        "The goal is judged on the worst run: met only when every run has both p99s under "
        f"their goals and at most {LIMIT_PER_SECOND:g} sends+edits/s in its window; the cell "
        "shows the worst run's figures.",
        "bot time p99 is over every update; the next column splits it by kind. For a tap the "
        "first request is answerCallbackQuery, made on the handler's first line. For /checkin "
        f"(1 update in {FLOW_UPDATES}) it is the question itself, which ours sends only after "
        "storing the new check-in with its nudge and expiry timers in one transaction (the "
        "question's buttons carry the check-in's id, and a check-in must never exist without "
        "the timers that close it): the overall p99 is about /checkin's p93. plain PTB stores "
        "nothing.",
        *_baseline_notes(),
    ]
    return section


def _shared_section(
    options: Options, results: dict[Key, list[LatencyRun]], seconds: float
) -> Section:
    section = Section(
        key="latency-baseline",
        title="5b. Above Telegram's limit: how the wait is shared, ours and plain "
        "python-telegram-bot",
        goal="(none: above 29 sends+edits/s no bot can show every next question at once; "
        "shows how each bot shares the wait among the chats)",
        headers=[
            "bot, database",
            "patients",
            "offered updates/s",
            "updates/s",
            "sends+edits/s",
            "sends+edits per check-in",
            "bot time p99 ms",
            "visible p50 ms",
            "visible p99 ms",
            "chat p99 median ms",
            "chat p99 worst ms",
            "worst / median chat",
            "Jain's index",
            "never answered",
            "429s",
            "reproduce",
        ],
    )
    for (bot_name, database, patients), runs in _ordered(results, within=False):
        chat_median = median(median(run.chat_p99_ms()) for run in runs)
        chat_worst = median(max(run.chat_p99_ms()) for run in runs)
        section.rows.append(
            [
                f"{bot_name}, {database}",
                f"{patients:,}",
                fmt(patients * UPDATES_PER_PATIENT, 0),
                *_common(runs),
                fmt(median(run.bot_ms(0.99) for run in runs), 1),
                fmt(median(run.visible_ms(0.5) for run in runs), 1),
                fmt(median(run.visible_ms(0.99) for run in runs), 1),
                fmt(chat_median, 1),
                fmt(chat_worst, 1),
                fmt(median(max(run.chat_p99_ms()) / median(run.chat_p99_ms()) for run in runs)),
                fmt(median(run.jain() for run in runs), 3),
                fmt(median(run.late for run in runs), 0),
                fmt(median(run.too_many for run in runs), 0),
                options.command("latency", patients, _database_flag(database)),
            ]
        )
    section.notes += [
        *_load_notes(options, seconds),
        "Each chat's p99 is taken over that chat's own waits for the answer on screen in the "
        "window (a few to a dozen per chat and run, so close to her worst wait); chat p99 "
        "median and worst are the median and the largest of them, worst / median their ratio "
        "(1 = no chat waits longer than the typical one). Jain's index is over the chats' mean "
        "waits: 1 when every chat waits alike, 1/n when one chat takes all the wait. Each "
        "figure is the median over runs of the run's figure.",
        "Above the limit the wait settles where the patients' taps match what the bot may "
        "send: each patient waits for her question before tapping again, so the queue does "
        "not grow with the length of the run. Bot time here includes /checkin, whose first "
        "request is the question it sends, which waits its turn among the sends like any "
        "other (ours also runs a chat's updates in order, so a /checkin waits until the "
        "closing reply of her previous check-in is out).",
        *_baseline_notes(),
    ]
    return section


def _load_notes(options: Options, seconds: float) -> list[str]:
    return [
        f"Median of {options.runs} run(s) of each run's figure; each run measures the updates "
        f"the patients sent in {seconds:g} s, after a warm-up. Each patient, once the answer "
        f"to her last action is on her screen, waits {THINK_AT_LEAST:g} s plus an "
        f"exponential time of mean {THINK_EXTRA_MEAN:g} s (seeded; the same for both bots), "
        "then taps the next button (None, None, None, Done, Skip, Skip), or types /checkin "
        f"when no question is open: P patients offer about P x {UPDATES_PER_PATIENT:g} "
        f"updates/s, at random moments. A check-in is {FLOW_UPDATES} updates for "
        f"{FLOW_SENDS} sends or edits, so {FULL_SIZES[0]} patients ask for about "
        f"{offered_sends(FULL_SIZES[0]):.0f} sends+edits/s (within the limit) and "
        f"{FULL_SIZES[1]} for about {offered_sends(FULL_SIZES[1]):.0f}/s (above it).",
        "Times from the simulator handing the update out in getUpdates (the update reaching "
        "the bot): bot time = to the bot's first request for it as the simulator logs it (for "
        "a tap, answerCallbackQuery or the edit, whichever first; for /checkin, the question "
        "it sends); visible = to the sendMessage or editMessageText that puts the answer on "
        "her screen (the next question; after the last, the closing edit). updates/s = "
        "updates sent in the window; sends+edits/s = sends and edits Telegram accepted in the "
        "window, every chat (what its limit counts); per check-in = sends and edits the bot "
        "made in the patients' chats for the check-ins completed in the run, divided by "
        "their number.",
        "never answered = updates sent in the window whose answer never reached the screen by "
        f"the run's end (the window plus up to {DRAIN_SECONDS:g} s for the answers still "
        "owed): they are not dropped but counted with their wait until the run's end (from "
        "the hand-out, or from being sent when the bot never took them), a lower bound.",
    ]


def _baseline_notes() -> list[str]:
    return [
        "plain PTB = benchmarks/plain_bot.py: python-telegram-bot alone making the same Bot "
        "API calls for the same updates (answer the tap, edit to the next question, close with "
        "an edit and a reply) with no database, configured with ours' concurrency and pace: "
        "concurrent_updates(1024) (ours handles up to 1,024 updates at once, each chat's in "
        "order), AIORateLimiter(overall_max_rate=29, overall_time_period=1, group_max_rate=20, "
        "group_time_period=60, max_retries=3), and, since AIORateLimiter has no limit per "
        "private chat, one send a second per private chat with a burst of 3 (as ours). Ours "
        "does not use AIORateLimiter: every send and edit takes a turn from its own pacer, "
        "29/s on average, replies and urgent posts with a burst of "
        f"{GLOBAL_BURST} and reminders spaced evenly, where AIORateLimiter's leaky bucket lets "
        "up to 29 go at once.",
        "Simulator: Telegram's limits as aftercare_bot/sandbox/rate_limits.py RateLimits(): "
        "30/s overall with a burst of 30, 1/s per private chat with a burst of 5; edits "
        "count.",
    ]
