"""6. Another chat's answer during a flood: one patient sends N messages at once, another sends
/help right after them; how long does the second patient wait for her answer?

Each run: a fresh simulator (flood limits on) and database with two linked patients; the bot
started as a real process. Once it polls, the flooder sends N messages without a pause (text,
every tenth a sticker, every tenth a photo), then the other patient types /help. Measured from
the simulator handing each update out (getUpdates returning it) to the simulator logging the
bot's send: the /help reply, and the flooder's one "received" answer; and until every one of
the flooder's messages is stored (the database read every POLL_SECONDS), which is when the
flood has been worked through.
"""

import asyncio
import math
import os
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from aftercare_bot.sandbox import ApiCall, SimUser
from benchmarks.databases import Backend, Target
from benchmarks.harness import (
    STARTUP_SECONDS,
    BotProcess,
    PatientRow,
    Telegram,
    insert_patients,
    is_sent,
    now,
    too_many_requests,
    update_key,
    write_config,
)
from benchmarks.options import Options, progress
from benchmarks.report import REPOSITORY, Section, fmt, median, not_measured, verdict

GOAL_SECONDS = 1.0
REPLY_TIMEOUT = 30.0
STORED_TIMEOUT = 120.0
POLL_SECONDS = 0.05
STORED_SQL = "SELECT count(*) FROM patient_messages WHERE patient_id = 1"  # the flooder's
RECEIVED = "received your messages"  # messages/en.toml floods.received
# A 1x1 PNG: a photo as small as Telegram allows.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8cfc0f01f0005000201e221bc330000000049454e44ae426082"
)


@dataclass(frozen=True)
class FloodRun:
    """What one run measured, in seconds (inf: never within the timeout)."""

    flood: int
    help_reply: float
    received: float
    stored_after: float
    stored: int
    too_many: int
    too_many_elsewhere: int


async def run_once(backend: Backend, flood: int) -> FloodRun:
    """One flood of `flood` messages with a /help from another patient right behind it."""
    with tempfile.TemporaryDirectory(prefix="aftercare-flood-") as tmp:
        directory = Path(tmp)
        async with Telegram() as telegram:
            admin = telegram.add_users(1, "Admin")[0]
            flooder, asker = telegram.add_users(2, "Patient")
            database = backend.target(directory, "bench")
            await asyncio.to_thread(database.create)
            with database.bulk() as loader:
                insert_patients(
                    loader,
                    (PatientRow(i + 1, u.id, u.first_name) for i, u in enumerate((flooder, asker))),
                    datetime.now(UTC),
                )
            bot = BotProcess.aftercare(write_config(directory, telegram, database, admin.id))
            await bot.start()
            try:
                polling = asyncio.ensure_future(telegram.sim.wait_for_poll(STARTUP_SECONDS))
                await bot.until(polling, STARTUP_SECONDS)
                since = now()
                first = await _flood(flooder, flood)
                sent = await asker.send("/help")
                # Nothing yields between the send and the watches: no reply can be missed.
                help_reply = telegram.watch(is_sent("sendMessage", asker.id))
                received = telegram.watch(
                    lambda call: (
                        is_sent("sendMessage", flooder.id)(call)
                        and RECEIVED in str(call.params.get("text", ""))
                    )
                )
                help_at = await _at(bot, help_reply)
                received_at = await _at(bot, received)
                stored, stored_at = await _stored(bot, database, flood)
            finally:
                await bot.stop()
                await asyncio.to_thread(database.drop)
            handed_out = telegram.handed_out
            flood_out = handed_out.get(("message", flooder.id, first), math.inf)
            help_out = handed_out.get(_key(sent), math.inf)
            calls = telegram.calls
            return FloodRun(
                flood=flood,
                help_reply=help_at - help_out,
                received=received_at - flood_out,
                stored_after=stored_at - flood_out,
                stored=stored,
                too_many=too_many_requests(calls, since),
                too_many_elsewhere=too_many_requests(_elsewhere(calls, flooder.id), since),
            )


async def _flood(user: SimUser, count: int) -> int:
    """`count` messages without a pause; returns the first one's id. A SimUser queues each
    update without yielding, so the bot gets them all at once."""
    first = 0
    for number in range(count):
        if number % 10 == 5:
            sent = await user.send_sticker()
        elif number % 10 == 7:
            sent = await user.send_photo(PNG)
        else:
            sent = await user.send(f"flood message {number}")
        first = first or int(sent["message_id"])
    return first


def _key(message: dict[str, object]) -> tuple[object, ...]:
    key = update_key({"message": message})
    assert key is not None
    return key


async def _at(bot: BotProcess, call: asyncio.Future[ApiCall]) -> float:
    """When the watched call was logged; infinitely late when it never came."""
    try:
        return (await bot.until(call, REPLY_TIMEOUT)).at
    except TimeoutError:
        return math.inf


async def _stored(bot: BotProcess, database: Target, flood: int) -> tuple[int, float]:
    """Wait until every flood message is in patient_messages (patient 1 is the flooder): how
    many are, and when the last one was seen there."""
    deadline = now() + STORED_TIMEOUT
    stored = 0
    while now() < deadline:
        bot.check_alive()
        stored = await asyncio.to_thread(database.count, STORED_SQL)
        if stored >= flood:
            return stored, now()
        await asyncio.sleep(POLL_SECONDS)
    return stored, math.inf


def _elsewhere(calls: list[ApiCall], chat_id: int) -> list[ApiCall]:
    return [call for call in calls if call.params.get("chat_id") != chat_id]


def commit() -> str:
    """The commit the figures were measured at (reading git only), or "unknown"."""
    try:
        found = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPOSITORY,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return found.stdout.strip() or "unknown"


async def run(options: Options) -> list[Section]:
    """The table: the other patient's answer while one floods."""
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    results: dict[tuple[str, int], list[FloodRun]] = {}
    missing: dict[str, str] = {}
    for backend in options.backends():
        if backend.missing:
            missing[backend.name] = backend.missing
            continue
        for flood in options.pick(full=(60, 600), quick=(60,)):
            for number in range(1, options.runs + 1):
                result = await run_once(backend, flood)
                results.setdefault((backend.name, flood), []).append(result)
                _report(backend, flood, number, options.runs, result)
    return [_section(options, results, missing, load)]


def _report(backend: Backend, flood: int, number: int, runs: int, result: FloodRun) -> None:
    progress(
        f"flood of {flood} on {backend.name}, run {number}/{runs}: /help answered in "
        f"{result.help_reply:.3f} s, flooder told in {result.received:.3f} s, "
        f"{result.stored}/{flood} stored after {result.stored_after:.2f} s, "
        f"{result.too_many} x 429 ({result.too_many_elsewhere} in other chats)"
    )


def _section(
    options: Options,
    results: dict[tuple[str, int], list[FloodRun]],
    missing: dict[str, str],
    load: str,
) -> Section:
    section = Section(
        key="flood",
        title="6. Another chat's answer during a flood",
        goal=f"another patient's /help answered under {GOAL_SECONDS:g} s after it reaches the "
        "bot while one patient floods, zero 429s in other chats",
        headers=[
            "database",
            "flood messages",
            "/help reply median s",
            "/help reply worst s",
            "flooder's 'received' s",
            "flood stored s",
            "stored",
            "429s",
            "429s other chats",
            "goal",
            "reproduce",
        ],
    )
    for (database, flood), runs in results.items():
        worst = max(run.help_reply for run in runs)
        met = worst < GOAL_SECONDS and max(run.too_many_elsewhere for run in runs) == 0
        section.rows.append(
            [
                database,
                f"{flood:,}",
                fmt(median(run.help_reply for run in runs), 3),
                fmt(worst, 3),
                fmt(median(run.received for run in runs), 3),
                fmt(median(run.stored_after for run in runs)),
                fmt(median(run.stored for run in runs), 0),
                fmt(median(run.too_many for run in runs), 0),
                fmt(median(run.too_many_elsewhere for run in runs), 0),
                verdict(met),
                options.command("flood", flood, database),
            ]
        )
    section.rows += [not_measured(name, why, len(section.headers)) for name, why in missing.items()]
    section.notes += [
        f"Median of {options.runs} run(s); worst = the slowest run. Measured at commit "
        f"{commit()} (load average {load} when this benchmark started), with the bot's "
        "default [floods] (more than 10 messages in 10 s is a flood) and [delivery] settings; "
        "the simulator allows 30/s overall and 1/s per private chat (burst 5).",
        "The flooder sends all her messages at once (text; every tenth a sticker, every tenth a "
        "photo), and the other patient types /help right behind them. /help reply = from "
        "getUpdates handing the /help out to the simulator logging the reply; 'received' = "
        "from the flood's first message handed out to the flooder's one short answer; flood "
        f"stored = from the same moment until all her messages are in the database (read every "
        f"{POLL_SECONDS * 1000:g} ms): the flood worked through.",
        "429s count every Bot API call answered 429 during the run; other chats = all but the "
        "flooder's. The flood's bundled staff post is due 50 s later and is covered by "
        "tests/e2e/test_floods.py, not timed here.",
    ]
    return section
