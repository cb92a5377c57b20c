"""4 and 5. Handler latency: patients answering check-ins at a combined rate, on SQLite.

Each run starts the bot as a process of its own over a database of P linked patients. Every
patient acts in turn, P / rate seconds apart, so that together they send `rate` updates a
second: she types /checkin when no question is open, otherwise taps the first of None, Done,
Skip on the question in front of her (a full check-in: None, None, None, Done, Skip, Skip).

Two kinds of patient:
* impatient (the goal's load): she acts on her schedule whatever the screen shows; when the
  next question has not come yet she taps the one in front of her again. The bot gets the
  offered rate, whatever Telegram's limit does to the replies.
* patient: she taps only once the next question is on screen. Each tap asks for an edit,
  which counts against Telegram's 30/s, so above that the rate she manages falls to what the
  limit lets through.

Latency is measured from the simulator handing the update out (getUpdates returning it) to
the simulator logging the bot's answer:
* answer: answerCallbackQuery for a tap (the spinner on the button stops), the reply for a
  typed /checkin;
* visible: the first message edited or sent in her chat (the next question on screen).
Answers are what a handler does first; visible replies are sends and edits, which count
against Telegram's 30/s (edits included, as in the simulator).

The same load, against python-telegram-bot alone doing the same calls with no database
(benchmarks/plain_bot.py), is the baseline: the difference is our own work.
"""

import asyncio
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aftercare_bot.sandbox import ApiCall, SimUser
from benchmarks.harness import (
    SENT_OK,
    STARTUP_SECONDS,
    TOKEN,
    BotProcess,
    PatientRow,
    Telegram,
    bulk_connection,
    create_database,
    insert_patients,
    now,
    too_many_requests,
    write_config,
)
from benchmarks.options import Options, progress
from benchmarks.report import Section, fmt, median, percentile, verdict

RATE = 50.0  # updates per second, all patients together: the goal's load
IMPATIENT, PATIENT = "impatient", "patient"
WITHIN_LIMIT_RATE = 20.0  # check-ins make ~8 sends or edits per 7 updates: 23/s, under 30/s
TAP_ORDER = ("None", "Done", "Skip")
REPLY_TIMEOUT = 30.0
GOAL_P99_MS = 50.0
OURS, PLAIN, CONCURRENT = "aftercare_bot", "plain PTB", "plain PTB, concurrent"


@dataclass(frozen=True)
class Sample:
    """One update: when it was handed out, answered, and visibly replied to (None: never)."""

    kind: str
    handed_out: float
    answer: float | None
    visible: float | None


@dataclass(frozen=True)
class LatencyRun:
    """One run's samples and circumstances."""

    bot: str
    patients: int
    model: str
    seconds: float
    samples: tuple[Sample, ...]
    too_many: int

    @property
    def rate(self) -> float:
        """Updates per second actually sent in the measured window."""
        return len(self.samples) / self.seconds

    def answer_ms(self, fraction: float) -> float:
        """A percentile of the answer latency to taps, unanswered counting as infinitely
        late."""
        chosen = tuple(sample for sample in self.samples if sample.kind == "press")
        return _ms(percentile(_latencies(chosen, "answer"), fraction))

    def visible_ms(self, fraction: float) -> float:
        """A percentile of the visible reply latency."""
        return _ms(percentile(_latencies(self.samples, "visible"), fraction))

    @property
    def unanswered(self) -> int:
        """Updates never answered within the timeout."""
        return sum(1 for sample in self.samples if sample.answer is None)


def _latencies(samples: tuple[Sample, ...], which: str) -> list[float]:
    found = []
    for sample in samples:
        moment = sample.answer if which == "answer" else sample.visible
        found.append(float("inf") if moment is None else moment - sample.handed_out)
    return found


def _ms(seconds: float) -> float:
    return seconds * 1000


class Patient:
    """A simulated patient working through check-ins, one update at a time."""

    def __init__(self, telegram: Telegram, user: SimUser) -> None:
        self.telegram = telegram
        self.user = user

    async def act(
        self,
    ) -> tuple[tuple[Any, ...], str, asyncio.Future[ApiCall], asyncio.Future[ApiCall]]:
        """Tap the next button, or /checkin; returns the update's key, its kind, and futures
        for the bot's answer and its visible reply.

        The futures are made right after the action: SimUser actions queue their update
        without yielding, so nothing the bot does in reply can be missed.
        """
        telegram, chat = self.telegram, self.user.id
        message = telegram.latest_bot_message(chat)
        label = _next_label(message)
        key: tuple[Any, ...]
        if message is None or label is None:
            sent = await self.user.send("/checkin")
            key, kind = ("message", chat, int(sent["message_id"])), "message"
        else:
            query_id = await self.user.press(message, label)
            key, kind = ("press", str(query_id)), "press"

        def replied(call: ApiCall) -> bool:
            handed_out = telegram.handed_out.get(key)
            return (
                handed_out is not None
                and call.at >= handed_out
                and call.status == SENT_OK
                and call.method in ("sendMessage", "editMessageText")
                and call.params.get("chat_id") == chat
                # /checkin is answered by a question (with buttons), not by the closing reply
                # of the previous check-in that may still be on its way
                and (kind == "press" or "inline_keyboard" in str(call.params.get("reply_markup")))
            )

        visible = telegram.watch(replied)
        if kind == "message":
            return key, kind, visible, visible
        answer = telegram.watch(
            lambda call: (
                call.method == "answerCallbackQuery"
                and str(call.params.get("callback_query_id")) == key[1]
            )
        )
        return key, kind, answer, visible


def _next_label(message: dict[str, Any] | None) -> str | None:
    if message is None:
        return None
    labels = {
        button.get("text")
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", [])
        for button in row
    }
    return next((label for label in TAP_ORDER if label in labels), None)


async def _patient_loop(
    patient: Patient,
    first_at: float,
    period: float,
    window: tuple[float, float],
    samples: list[Sample],
    model: str,
) -> None:
    """Act every `period` seconds (a patient one, at once when the last reply came later
    than that); keep the updates sent inside the measured window."""
    slot = first_at
    outstanding: list[asyncio.Future[None]] = []
    while slot < window[1]:
        await asyncio.sleep(max(0.0, slot - now()))
        acted = now()
        key, kind, answer, visible = await patient.act()
        recorded = asyncio.ensure_future(
            _record(patient.telegram, key, kind, answer, visible, acted, window, samples)
        )
        if model == PATIENT:
            await recorded
        else:
            outstanding.append(recorded)
        slot += period
    await asyncio.gather(*outstanding)


async def _record(
    telegram: Telegram,
    key: tuple[Any, ...],
    kind: str,
    answer: asyncio.Future[ApiCall],
    visible: asyncio.Future[ApiCall],
    acted: float,
    window: tuple[float, float],
    samples: list[Sample],
) -> None:
    """Wait for the bot's answer and visible reply to one update and keep its sample."""
    try:
        replied = await asyncio.wait_for(asyncio.shield(visible), REPLY_TIMEOUT)
    except TimeoutError:
        replied = None
    answered = replied if answer is visible else await _result(answer)
    for future in (answer, visible):
        future.cancel()  # no-op when done; otherwise the simulator stops watching for it
    handed_out = telegram.handed_out.get(key)
    if window[0] <= acted < window[1] and handed_out is not None:
        samples.append(
            Sample(
                kind,
                handed_out,
                answered.at if answered is not None and answered.status == SENT_OK else None,
                replied.at if replied is not None else None,
            )
        )


async def _result(future: asyncio.Future[ApiCall]) -> ApiCall | None:
    try:
        return await asyncio.wait_for(future, REPLY_TIMEOUT)
    except TimeoutError:
        return None


async def run_once(
    bot_name: str, patients: int, rate: float, model: str, seconds: float
) -> LatencyRun:
    """One run: warm-up (every patient acts once), then `seconds` measured."""
    with tempfile.TemporaryDirectory(prefix="aftercare-latency-") as tmp:
        directory = Path(tmp)
        async with Telegram() as telegram:
            admin = telegram.add_users(1, "Admin")[0]
            users = telegram.add_users(patients, "Patient")
            bot = _bot(bot_name, telegram, directory, admin.id, users)
            await bot.start()
            try:
                polling = asyncio.ensure_future(telegram.sim.wait_for_poll(STARTUP_SECONDS))
                await bot.until(polling, STARTUP_SECONDS)
                period = patients / rate
                start = now() + 0.5
                window = (start + period, start + period + seconds)
                samples: list[Sample] = []
                since = now()
                await asyncio.gather(
                    *(
                        _patient_loop(
                            Patient(telegram, user),
                            start + index / rate,
                            period,
                            window,
                            samples,
                            model,
                        )
                        for index, user in enumerate(users)
                    )
                )
                bot.check_alive()
            finally:
                await bot.stop()
            return LatencyRun(
                bot=bot_name,
                patients=patients,
                model=model,
                seconds=seconds,
                samples=tuple(samples),
                too_many=too_many_requests(telegram.calls, since),
            )


def _bot(
    name: str, telegram: Telegram, directory: Path, admin_id: int, users: list[SimUser]
) -> BotProcess:
    if name in (PLAIN, CONCURRENT):
        argv = [
            sys.executable,
            "-m",
            "benchmarks.plain_bot",
            f"--token={TOKEN}",
            f"--base-url={telegram.sim.base_url}",
        ]
        if name == CONCURRENT:
            argv.append("--concurrent")
        return BotProcess(argv, directory / "plain.log")
    database = directory / "bench.sqlite3"
    create_database(database)
    with bulk_connection(database) as connection:
        insert_patients(
            connection,
            (PatientRow(i + 1, user.id, user.first_name) for i, user in enumerate(users)),
            datetime.now(UTC),
        )
    return BotProcess.aftercare(write_config(directory, telegram, database, admin_id))


Key = tuple[str, int, float, str]  # bot, patients, offered updates per second, patient model
_ORDER = (OURS, PLAIN, CONCURRENT)
# (offered rate, patient model, bots): the goal's load against every bot; the same load from
# patients who wait for each question, and a load within Telegram's limit, for reference.
PLAN = (
    (RATE, IMPATIENT, (OURS, PLAIN, CONCURRENT)),
    (RATE, PATIENT, (OURS, PLAIN)),
    (WITHIN_LIMIT_RATE, PATIENT, (OURS, PLAIN)),
)


async def run(options: Options) -> list[Section]:
    """Table 4 (ours) and 5b (ours against plain python-telegram-bot)."""
    seconds = 6.0 if options.quick else 20.0
    results: dict[Key, list[LatencyRun]] = {}
    for patients in options.pick(full=(200,), quick=(200,)):
        for rate, model, bots in PLAN:
            for bot_name in bots:
                for number in range(1, options.runs + 1):
                    result = await run_once(bot_name, patients, rate, model, seconds)
                    results.setdefault((bot_name, patients, rate, model), []).append(result)
                    progress(
                        f"latency {bot_name}, {patients} {model} patients at {rate:g}/s, run "
                        f"{number}/{options.runs}: {result.rate:.1f} updates/s, press answer "
                        f"p50 {result.answer_ms(0.5):.1f} ms p99 {result.answer_ms(0.99):.1f} "
                        "ms, "
                        f"visible p50 {result.visible_ms(0.5):.1f} ms p99 "
                        f"{result.visible_ms(0.99):.1f} ms, {result.too_many} x 429, "
                        f"{result.unanswered} unanswered"
                    )
    return [_latency_section(options, results, seconds), _versus_section(options, results)]


def _row(runs: list[LatencyRun]) -> list[str]:
    """sent/s, press answer p50, p99, visible p50, p99, 429s: medians over runs."""
    return [
        fmt(median(run.rate for run in runs), 1),
        fmt(median(run.answer_ms(0.5) for run in runs), 1),
        fmt(median(run.answer_ms(0.99) for run in runs), 1),
        fmt(median(run.visible_ms(0.5) for run in runs), 1),
        fmt(median(run.visible_ms(0.99) for run in runs), 1),
        fmt(median(run.too_many for run in runs), 0),
    ]


MEASURES = [
    "sent/s",
    "press answer p50 ms",
    "press answer p99 ms",
    "visible p50 ms",
    "visible p99 ms",
    "429s",
]


def _latency_section(
    options: Options, results: dict[Key, list[LatencyRun]], seconds: float
) -> Section:
    section = Section(
        key="latency",
        title="4. Handler latency (SQLite)",
        goal=f"p99 under {GOAL_P99_MS:g} ms from a check-in answer (a tap) handed out to the "
        f"bot's answer, {RATE:g} updates/s from 200 patients",
        headers=[
            "patients",
            "offered/s",
            "patients act",
            *MEASURES,
            "goal (press answer p99)",
            "reproduce",
        ],
    )
    for (bot_name, patients, rate, model), runs in results.items():
        if bot_name != OURS:
            continue
        p99 = median(run.answer_ms(0.99) for run in runs)
        goal_load = rate == RATE and model == IMPATIENT
        section.rows.append(
            [
                f"{patients:,}",
                fmt(rate, 0),
                _ACTS[model],
                *_row(runs),
                verdict(p99 < GOAL_P99_MS) if goal_load else "(reference)",
                options.command("latency", patients),
            ]
        )
    section.notes += [
        f"Median of {options.runs} run(s) of {seconds:g} s each, after a warm-up in which every "
        "patient acts once. sent/s = updates actually sent in the window.",
        "on schedule = every patient acts every 200/offered seconds whatever the screen shows "
        "(if the next question has not come, she taps the one in front of her again): the "
        "bot gets the offered load. when shown = she taps only once the next question is on "
        "screen, so above Telegram's limit she manages only what the limit lets through.",
        "The measured updates are taps on check-in questions (each patient types /checkin in "
        "the warm-up). press answer = answerCallbackQuery (the spinner stops: the goal's "
        "measure); visible = the first message edited or sent in her chat after the tap (the "
        "next question). Both from getUpdates handing the update out to the simulator logging "
        f"the call; an update never answered within {REPLY_TIMEOUT:g} s counts as infinitely "
        "late.",
        f"A check-in is 7 updates for 8 sends or edits, so {RATE:g} updates/s asks for about "
        f"{RATE * 8 / 7:.0f} sends+edits/s where Telegram allows 30: no bot can show the next "
        f"question at that rate. {WITHIN_LIMIT_RATE:g}/s (about "
        f"{WITHIN_LIMIT_RATE * 8 / 7:.0f}/s) is the same flow within the limit.",
    ]
    return section


_ACTS = {IMPATIENT: "on schedule", PATIENT: "when shown"}


def _versus_section(options: Options, results: dict[Key, list[LatencyRun]]) -> Section:
    section = Section(
        key="latency-baseline",
        title="5b. Handler latency against python-telegram-bot alone",
        goal="(no goal of its own: shows which part of the latency is ours)",
        headers=[
            "bot",
            "offered/s",
            "patients act",
            *MEASURES,
            "press answer p99 ours/plain",
            "reproduce",
        ],
    )
    for (bot_name, patients, rate, model), runs in sorted(
        results.items(),
        key=lambda item: (-item[0][2], item[0][3], item[0][1], _ORDER.index(item[0][0])),
    ):
        plain = results.get((PLAIN, patients, rate, model), [])
        ratio = median(run.answer_ms(0.99) for run in runs) / median(
            run.answer_ms(0.99) for run in plain
        )
        section.rows.append(
            [
                bot_name,
                fmt(rate, 0),
                _ACTS[model],
                *_row(runs),
                fmt(ratio) if bot_name == OURS else "",
                options.command("latency", patients),
            ]
        )
    section.notes += [
        "plain PTB = benchmarks/plain_bot.py: the same Bot API calls for the same taps "
        "(answer, edit to the next question, a closing reply), the same AIORateLimiter and "
        "polling settings, updates one at a time as python-telegram-bot does by default, and "
        "no database. plain PTB, concurrent = the same with concurrent_updates (64), at the "
        "goal's load only: what handling updates side by side would change by itself.",
        "Above 30 sends+edits/s the queue of replies never drains, so visible latencies grow "
        "with the length of the run: they are not a property of the handler.",
    ]
    return section
