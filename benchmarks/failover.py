"""8. Failover in a burst: two `python bot.py run` on one PostgreSQL, the active one killed.

Each run: a fresh simulator (flood limits on) and a database of its own with N linked
patients, each with two plan messages due at the same moment (the burst of table 1), and one
probe patient. Instance A starts and becomes active; instance B starts and stands by. The
probe opens a check-in and answers None, None while A is active. Once a third of the burst is
out, A gets SIGKILL, as a crash or the kernel's OOM killer would end it, and the outbox is
read at once: the rows A had claimed and not yet recorded. One second later the probe taps
Severe, which nobody takes until B does. B takes the lease when A's has not been renewed for
`ha.takeover_after` (the clinic's default, 30 s), recovers A's claimed rows and delivers the
rest of the burst.

Measured from outside: the kill to B's first getUpdates (the takeover) and to its first send;
messages lost (never delivered), duplicated (delivered twice) and chats out of order; the
sends in flight at the kill (the simulator carried them out, the outbox still held them as
claimed: Telegram had them, A had not written it down, so B sends them again); and the
probe's Severe tap to the URGENT post in the staff group, across the takeover.
"""

import asyncio
import math
import subprocess
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from aftercare_bot.config import HaConfig, ScheduleConfig
from aftercare_bot.sandbox import ApiCall, SimUser
from benchmarks.burst import FIRST, PROBE_TAPS, SECOND, THINK_SECONDS, BurstWatch, burst_kind, fill
from benchmarks.databases import POSTGRES, SQLITE, Backend, Target
from benchmarks.harness import (
    STARTUP_SECONDS,
    BotProcess,
    Telegram,
    is_sent,
    now,
    write_config,
)
from benchmarks.options import Options, progress
from benchmarks.report import Section, fmt, median, not_measured, verdict

TAKEOVER_AFTER = HaConfig().takeover_after.total_seconds()
TICK = ScheduleConfig().tick.total_seconds()
GOAL_TAKEOVER = TAKEOVER_AFTER + TICK
DUE_LEAD = 10.0  # both instances are up (A active, B standing by) before the burst is due
KILL_AT = 1 / 3  # of the burst delivered
TAP_AFTER_KILL = 1.0
STEP_TIMEOUT = 30.0
SETTLE_SECONDS = 3.0
FINISH_TIMEOUT = TAKEOVER_AFTER + 120.0
ONE, TWO = 1, 2  # machines
CLAIMED_SQL = (
    "SELECT p.chat_id, m.message_key FROM scheduled_messages m "
    "JOIN patients p ON p.id = m.patient_id WHERE m.state = 'sending'"
)


@dataclass(frozen=True)
class FailoverRun:
    """What one run measured (seconds; inf: never within the timeout)."""

    patients: int
    delivered_before_kill: int
    takeover: float  # the kill to B's first getUpdates
    first_send: float  # the kill to B's first burst message
    lost: int
    duplicated: int
    in_flight: int
    out_of_order: int
    urgent_post: float  # the Severe tap (after the kill) to the URGENT post


async def run_once(backend: Backend, patients: int, machines: int) -> FailoverRun:
    """One burst of `patients` x 2 messages with the active instance killed a third in; the
    two instances on one machine, or each with a host name of its own (two machines)."""
    with tempfile.TemporaryDirectory(prefix="aftercare-failover-") as tmp:
        directory = Path(tmp)
        async with Telegram() as telegram:
            admin = telegram.add_users(1, "Admin")[0]
            group = telegram.add_staff_group(admin)
            burst_users = telegram.add_users(patients, "Patient")
            probe = telegram.add_users(1, "Probe")[0]
            database = backend.target(directory, "bench")
            await asyncio.to_thread(database.create)
            due_at = now() + DUE_LEAD
            await asyncio.to_thread(
                fill, database, burst_users, [probe], timedelta(seconds=DUE_LEAD)
            )
            first, second = (
                _instance(
                    _config(directory / name, telegram, database, admin.id, group.id),
                    f"bench-{name}" if machines == TWO else None,
                )
                for name in ("a", "b")
            )
            try:
                return await _fail_over(
                    telegram, database, first, second, burst_users, probe, group.id, due_at
                )
            finally:
                await first.stop()
                await second.stop()
                await asyncio.to_thread(database.drop)


def _instance(config: Path, host: str | None) -> BotProcess:
    """`bot.py run`; with `host`, in a UTS namespace of its own under that host name: to the
    other instance it is on another machine, whose processes it cannot see."""
    process = BotProcess.aftercare(config)
    if host is None:
        return process
    rename = 'hostname "$0" && exec "$@"'
    return BotProcess(["unshare", "--uts", "sh", "-c", rename, host, *process.argv], process.log)


def own_host_names() -> str:
    """Why instances cannot have host names of their own here; "" when they can."""
    try:
        done = subprocess.run(
            ["unshare", "--uts", "sh", "-c", "hostname bench-probe"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as error:
        return str(error)
    return "" if done.returncode == 0 else (done.stderr.strip() or f"exit {done.returncode}")


def _config(
    directory: Path, telegram: Telegram, database: Target, admin_id: int, group_id: int
) -> Path:
    directory.mkdir()
    return write_config(directory, telegram, database, admin_id, escalation_chat_id=group_id)


async def _fail_over(
    telegram: Telegram,
    database: Target,
    first: BotProcess,
    second: BotProcess,
    burst_users: list[SimUser],
    probe: SimUser,
    group_id: int,
    due_at: float,
) -> FailoverRun:
    chats = {user.id for user in burst_users}
    expected = 2 * len(burst_users)
    await first.start()
    polling = asyncio.ensure_future(telegram.sim.wait_for_poll(STARTUP_SECONDS))
    await first.until(polling, STARTUP_SECONDS)
    await second.start()
    await _logged(second, "standing by")
    message = await _open_check_in(telegram, probe)
    watch = BurstWatch(telegram, chats, expected)
    while watch.seen < expected * KILL_AT:
        first.check_alive()
        if now() > due_at + STARTUP_SECONDS:
            raise TimeoutError("the burst did not start")
        await asyncio.sleep(0.02)
        watch.update()
    killed_at = await first.kill()
    claimed = set(await asyncio.to_thread(database.fetch, CLAIMED_SQL))
    carried_out = _delivered(telegram, chats, before=killed_at)
    in_flight = sum(1 for chat, key in claimed if (chat, key) in carried_out)
    await asyncio.sleep(max(killed_at + TAP_AFTER_KILL - now(), 0.0))
    post = telegram.watch(
        lambda call: (
            is_sent("sendMessage", group_id)(call) and "URGENT" in str(call.params.get("text", ""))
        )
    )
    tapped = now()
    await probe.press(message, PROBE_TAPS[-1])
    posted = await _within(second, post, FINISH_TIMEOUT)
    deadline = now() + FINISH_TIMEOUT
    while len(_delivered(telegram, chats)) < expected and now() < deadline:
        second.check_alive()
        await asyncio.sleep(0.2)
    await asyncio.sleep(SETTLE_SECONDS)  # a late second copy would still be counted
    return _measure(telegram, chats, len(burst_users), killed_at, in_flight, posted - tapped)


def _delivered(
    telegram: Telegram, chats: set[int], before: float = math.inf
) -> set[tuple[int, str]]:
    """The burst messages delivered so far (or before `before`), each once, by chat and kind."""
    return {
        (int(call.params["chat_id"]), kind)
        for call in telegram.calls
        if call.at < before and (kind := burst_kind(call, chats)) is not None
    }


async def _logged(process: BotProcess, words: str) -> None:
    """Until the process's log says `words`."""
    deadline = now() + STARTUP_SECONDS
    while words not in process.log_tail(50):
        process.check_alive()
        if now() > deadline:
            raise TimeoutError(f"no {words!r} in the log; tail:\n{process.log_tail()}")
        await asyncio.sleep(0.05)


async def _open_check_in(telegram: Telegram, probe: SimUser) -> dict[str, object]:
    """The probe types /checkin and answers all but the last question: the message to tap."""
    question = telegram.watch(is_sent("sendMessage", probe.id))
    await probe.send("/checkin")
    await asyncio.wait_for(question, STEP_TIMEOUT)
    message = telegram.latest_bot_message(probe.id)
    assert message is not None, "the check-in question never arrived"
    for label in PROBE_TAPS[:-1]:
        await asyncio.sleep(THINK_SECONDS)
        edited = telegram.watch(is_sent("editMessageText", probe.id))
        await probe.press(message, label)
        await asyncio.wait_for(edited, STEP_TIMEOUT)
    return message


async def _within(process: BotProcess, future: asyncio.Future[ApiCall], seconds: float) -> float:
    """When the watched call was logged; infinitely late when it never came."""
    try:
        return (await process.until(future, seconds)).at
    except TimeoutError:
        return math.inf


def _measure(
    telegram: Telegram,
    chats: set[int],
    patients: int,
    killed_at: float,
    in_flight: int,
    urgent_post: float,
) -> FailoverRun:
    sends = [
        (call.at, int(call.params["chat_id"]), kind)
        for call in telegram.calls
        if (kind := burst_kind(call, chats)) is not None
    ]
    counted = Counter((chat, kind) for _, chat, kind in sends)
    order: dict[int, list[str]] = {}
    for _, chat, kind in sorted(sends):
        order.setdefault(chat, []).append(kind)
    out_of_order = sum(
        1
        for kinds in order.values()
        if FIRST in kinds and SECOND in kinds and kinds.index(SECOND) < kinds.index(FIRST)
    )
    after = [at for at, _, _ in sends if at > killed_at]
    polls = [at for at in telegram.polls if at > killed_at]
    return FailoverRun(
        patients=patients,
        delivered_before_kill=sum(1 for at, _, _ in sends if at <= killed_at),
        takeover=(polls[0] - killed_at) if polls else math.inf,
        first_send=(min(after) - killed_at) if after else math.inf,
        lost=2 * patients - len(counted),
        duplicated=sum(number - 1 for number in counted.values()),
        in_flight=in_flight,
        out_of_order=out_of_order,
        urgent_post=urgent_post,
    )


async def run(options: Options) -> list[Section]:
    """The table: one row per burst size on PostgreSQL (SQLite runs one instance only)."""
    section = Section(
        key="failover",
        title="8. Failover in a burst: the active instance killed (two instances, PostgreSQL)",
        goal=f"takeover within ha.takeover_after + one tick ({TAKEOVER_AFTER:g} + {TICK:g} = "
        f"{GOAL_TAKEOVER:g} s) of the kill; 0 lost; duplicated at most the sends in flight at "
        "the kill; 0 out of order",
        headers=[
            "database",
            "machines",
            "patients",
            "messages",
            "sent before kill",
            "takeover s",
            "first send after kill s",
            "lost",
            "duplicated",
            "in flight at kill",
            "out of order",
            "urgent post s",
            "goal (worst run)",
            "reproduce",
        ],
    )
    for backend in options.backends():
        if backend.name == SQLITE:
            section.rows.append(
                not_measured(
                    SQLITE,
                    "not applicable: a second `run` on one SQLite file refuses to start",
                    len(section.headers),
                )
            )
            continue
        if backend.missing:
            section.rows.append(not_measured(POSTGRES, backend.missing, len(section.headers)))
            continue
        hosts = own_host_names()
        for machines, patients in (
            (machines, patients)
            for machines in (TWO, ONE)
            for patients in options.pick(full=(600,), quick=(150,))
        ):
            if machines == TWO and hosts:
                row = not_measured(POSTGRES, "", len(section.headers))
                row[1] = f"two: not measured (no host name of its own: {hosts})"
                section.rows.append(row)
                continue
            runs = []
            for number in range(1, options.runs + 1):
                result = await run_once(backend, patients, machines)
                runs.append(result)
                progress(
                    f"failover, {machines} machine(s), {patients} patients, "
                    f"run {number}/{options.runs}: "
                    f"{result.delivered_before_kill} sent before the kill; takeover "
                    f"{result.takeover:.2f} s, first send {result.first_send:.2f} s after; "
                    f"{result.lost} lost, {result.duplicated} duplicated "
                    f"({result.in_flight} in flight), {result.out_of_order} out of order; "
                    f"urgent post {result.urgent_post:.2f} s after the tap"
                )
            section.rows.append(_row(options, backend, machines, patients, runs))
    section.notes += [
        f"Median of {options.runs} run(s); the goal column takes the worst run. Both "
        f"instances run `python bot.py run` with the clinic's defaults: ha.takeover_after "
        f"{TAKEOVER_AFTER:g} s, schedule.tick {TICK:g} s, the leader lease renewed every "
        f"{TAKEOVER_AFTER / 3:g} s.",
        "A is killed (SIGKILL) once a third of the burst is out. takeover = from the kill to "
        "B's first getUpdates reaching the simulator; first send = to B's first burst message. "
        "lost = burst messages never delivered by the end of the run; duplicated = deliveries "
        "beyond the first; in flight = the rows A had claimed ('sending' in the outbox, read "
        "at the kill) whose message the simulator had already carried out: B sends those again, "
        "the window README documents; out of order = chats whose evening reminder came before "
        "their aftercare text.",
        "machines: one = both instances side by side on this machine, where the standby sees "
        "that the lease's holder is a process that no longer exists and takes over at its next "
        "lease beat; two = each instance in a UTS namespace with a host name of its own "
        "(`unshare --uts`), as on two servers, where the standby cannot see the dead process "
        "and waits for the lease to lapse: the goal's case.",
        f"urgent post = the probe's Severe tap, {TAP_AFTER_KILL:g} s after the kill (None, None "
        "answered while A was active), to the URGENT post in the staff group: the update waits "
        "at Telegram until B polls, so this is about the takeover time.",
    ]
    return [section]


def _row(
    options: Options, backend: Backend, machines: int, patients: int, runs: list[FailoverRun]
) -> list[str]:
    worst_takeover = max(run.takeover for run in runs)
    met = (
        worst_takeover <= GOAL_TAKEOVER
        and max(run.lost for run in runs) == 0
        and all(run.duplicated <= run.in_flight for run in runs)
        and max(run.out_of_order for run in runs) == 0
    )
    return [
        backend.name,
        "two (emulated)" if machines == TWO else "one",
        f"{patients:,}",
        f"{2 * patients:,}",
        fmt(median(run.delivered_before_kill for run in runs), 0),
        fmt(median(run.takeover for run in runs)),
        fmt(median(run.first_send for run in runs)),
        fmt(median(run.lost for run in runs), 0),
        fmt(median(run.duplicated for run in runs), 0),
        fmt(median(run.in_flight for run in runs), 0),
        fmt(median(run.out_of_order for run in runs), 0),
        fmt(median(run.urgent_post for run in runs)),
        f"{verdict(met)} (takeover {fmt(worst_takeover)} s)",
        options.command("failover", patients, backend.name),
    ]
