"""1 and 2. A burst: every patient has two messages due at the same moment; meanwhile patients
answer a check-in with a severe symptom, and we time how long staff wait for the post.

Each run: a fresh simulator (flood limits on) and database; N linked patients with two pending
plan messages each (the aftercare text, then the evening reminder), due DUE_LEAD seconds after
the database is written; the bot started as a real process. From the first burst message to
the last we count messages/s against the simulator's 30/s, the 429s Telegram answered,
duplicates, and whether each chat got its two messages in order.

Escalation probes cover the whole burst: other patients (with no burst messages) type /checkin
and answer None, None, Severe a person's pace apart, timed so that the Severe tap (the answer
that makes the check-in urgent, and the staff post at once) falls in the burst's first second,
then every PROBE_SPACING seconds, and once more in its last second. Runs alternate their
offset by PROBE_STEP, so that together they probe every PROBE_STEP seconds of the burst. The
figure is the time from that tap to the URGENT post in the staff group; a post that never comes
counts as never.
"""

import asyncio
import contextlib
import itertools
import math
import tempfile
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aftercare_bot.adapters.telegram.runtime.pacing import GROUP_BURST, GROUP_PER_MINUTE
from aftercare_bot.sandbox import ApiCall, SimUser
from aftercare_bot.sandbox.rate_limits import is_rate_limited
from benchmarks.databases import Backend, Target
from benchmarks.harness import (
    SENT_OK,
    STARTUP_SECONDS,
    BotProcess,
    MessageRow,
    PatientRow,
    Telegram,
    insert_messages,
    insert_patients,
    is_sent,
    now,
    too_many_requests,
    write_config,
)
from benchmarks.options import Options, progress
from benchmarks.report import Section, fmt, median, not_measured, verdict

TELEGRAM_LIMIT = 30.0  # RateLimits().global_rate: the simulator's overall messages per second
GOAL_RATIO = 0.95
GOAL_ESCALATION = 10.0
FIRST, SECOND = "plan.aftercare", "plan.evening"
MARKERS = {FIRST: "Aftercare after your session", SECOND: "Good evening"}
# Redness none, swelling none, bruising severe: the third tap makes the check-in urgent, and
# the bot posts to staff at that tap. The probe stops there: finishing the check-in would add a
# second post in the staff group (the completed answers, under the first).
PROBE_TAPS = ("None", "None", "Severe")
THINK_SECONDS = 1.0  # a person reads each question before tapping
# Across runs the burst is probed every PROBE_STEP seconds; within one run every PROBE_SPACING
# seconds, because each probe is a post in the one staff group, and Telegram allows 20 posts
# a minute in a group (the bot keeps to 17: a burst of 3, then one every 3.5 s). A post every
# 2 s would queue behind that limit and time the group's queue, not the burst.
PROBE_STEP = 2.0
PROBE_SPACING = 4.0
PHASES = round(PROBE_SPACING / PROBE_STEP)
GROUP_INTERVAL = 60.0 / (GROUP_PER_MINUTE - GROUP_BURST)  # the bot's pace in a group
assert GROUP_INTERVAL < PROBE_SPACING, "the probes' posts would queue in the staff group"
# A probe types /checkin this long before its urgent tap is due (three questions read 1 s each).
PROBE_LEAD = len(PROBE_TAPS) * THINK_SECONDS + 1.0
FIRST_TAP = 0.3  # the first probe's urgent tap, after the moment the burst falls due
LAST_TAP = 0.5  # the closing probe's urgent tap, before the predicted end of the burst
# The burst falls due this long after the database is written: time for the bot to start and
# for the first probe to reach its urgent tap in the burst's first second.
DUE_LEAD = 8.0
STEP_TIMEOUT = 60.0
POST_TIMEOUT = 60.0  # no staff post this long after the tap: never
STALL_SECONDS = 45.0  # no burst message for this long: the run is over, whatever is missing
SLOWEST_RATE = 10.0  # msg/s: only sizes the number of probe patients to create
RECENT_SECONDS = 3.0  # the burst's recent rate, to predict its end


@dataclass(frozen=True)
class Probe:
    """One probe patient: when her urgent tap was due and made, and the staff post's delay."""

    target: float
    tapped: float | None  # None: her check-in stalled before the urgent tap
    post: float  # seconds from the urgent tap to the staff post; inf: never


@dataclass(frozen=True)
class BurstRun:
    """What one burst run measured."""

    patients: int
    messages: int
    sent: int
    rate: float
    all_rate: float  # every send and edit of the bot in the burst's span: the limit's measure
    too_many: int
    duplicates: int
    out_of_order: int
    first_send: float
    last_send: float
    probes: tuple[Probe, ...]

    @property
    def all_ratio(self) -> float:
        """Everything the bot sent per second (burst, replies to probes, staff posts) as a
        fraction of Telegram's limit, which counts them all."""
        return self.all_rate / TELEGRAM_LIMIT

    @property
    def other_rate(self) -> float:
        """The probes' sends and edits per second in the burst's span (replies, staff posts)."""
        return self.all_rate - self.rate

    @property
    def during(self) -> tuple[Probe, ...]:
        """The probes whose urgent tap fell in the burst (up to 1 s before its first message,
        which the bot was about to send), and those stalled before a tap due in it."""
        return tuple(
            probe
            for probe in self.probes
            if self.first_send - 1.0
            <= (probe.tapped if probe.tapped is not None else probe.target)
            <= self.last_send
        )

    @property
    def escalations(self) -> tuple[float, ...]:
        """Seconds from each urgent tap in the burst to its staff post (inf: never)."""
        return tuple(probe.post for probe in self.during)

    @property
    def taps(self) -> list[float]:
        """The urgent taps in the burst, as seconds after its first message."""
        return sorted(
            probe.tapped - self.first_send for probe in self.during if probe.tapped is not None
        )

    @property
    def from_start(self) -> float:
        """Seconds from the first burst message to the first urgent tap."""
        return self.taps[0] if self.taps else math.inf

    @property
    def to_end(self) -> float:
        """Seconds from the last urgent tap to the last burst message."""
        return (self.last_send - self.first_send) - self.taps[-1] if self.taps else math.inf


class BurstWatch:
    """The burst as the simulator logs it: how far it got, and when it will likely end."""

    def __init__(self, telegram: Telegram, chats: set[int], expected: int) -> None:
        self.telegram = telegram
        self.chats = chats
        self.expected = expected
        self.seen = 0
        self.first: float | None = None
        self.last_progress = now()
        self._index = 0
        self._recent: deque[float] = deque()

    def update(self) -> None:
        """Count the burst messages logged since the last look."""
        calls = self.telegram.calls
        for call in calls[self._index :]:
            if burst_kind(call, self.chats) is None:
                continue
            self.seen += 1
            self.first = call.at if self.first is None else self.first
            self._recent.append(call.at)
            self.last_progress = now()
        self._index = len(calls)
        while self._recent and self._recent[0] < now() - RECENT_SECONDS:
            self._recent.popleft()

    @property
    def done(self) -> bool:
        """Every burst message went out, or none did for STALL_SECONDS."""
        return self.seen >= self.expected or now() - self.last_progress >= STALL_SECONDS

    def predicted_end(self) -> float | None:
        """When the last burst message will likely go, at the recent rate (None: too early)."""
        if len(self._recent) < 2 or self._recent[-1] <= self._recent[0]:
            return None
        rate = (len(self._recent) - 1) / (self._recent[-1] - self._recent[0])
        return self._recent[-1] + (self.expected - self.seen) / rate


async def run_once(
    backend: Backend, patients: int, phase: int, max_per_second: float | None
) -> BurstRun:
    """One burst of `patients` x 2 messages, probed for escalation from its first second to its
    last, every PROBE_SPACING seconds from `phase` x PROBE_STEP."""
    slowest_seconds = 2 * patients / SLOWEST_RATE
    probe_count = math.ceil(slowest_seconds / PROBE_SPACING) + 3
    with tempfile.TemporaryDirectory(prefix="aftercare-burst-") as tmp:
        directory = Path(tmp)
        async with Telegram() as telegram:
            admin = telegram.add_users(1, "Admin")[0]
            group = telegram.add_staff_group(admin)
            burst_users = telegram.add_users(patients, "Patient")
            probe_users = telegram.add_users(probe_count, "Probe")
            database = backend.target(directory, "bench")
            await asyncio.to_thread(database.create)
            due_at = now() + DUE_LEAD
            await asyncio.to_thread(
                fill, database, burst_users, probe_users, timedelta(seconds=DUE_LEAD)
            )
            config = write_config(
                directory,
                telegram,
                database,
                admin.id,
                escalation_chat_id=group.id,
                max_per_second=max_per_second,
            )
            bot = BotProcess.aftercare(config)
            burst_chats = {user.id for user in burst_users}
            watch = BurstWatch(telegram, burst_chats, 2 * patients)
            await bot.start()
            over = asyncio.Event()
            probing = asyncio.create_task(
                _probes(telegram, probe_users, group.id, due_at, phase, watch, over)
            )
            try:
                await _follow_burst(bot, watch, due_at)
                over.set()
                probes = await probing
            finally:
                probing.cancel()
                await bot.stop()
                await asyncio.to_thread(database.drop)
            return _measure(telegram, bot.started_at, patients, burst_chats, probes)


def fill(
    database: Target, burst_users: list[SimUser], probe_users: list[SimUser], due_in: timedelta
) -> None:
    users = burst_users + probe_users
    enrolled = datetime.now(UTC)
    due = enrolled + due_in
    with database.bulk() as loader:
        insert_patients(
            loader,
            (PatientRow(i + 1, user.id, user.first_name) for i, user in enumerate(users)),
            enrolled,
        )
        insert_messages(
            loader,
            (
                MessageRow(i + 1, f"bench:{i + 1}:{key}", key, due)
                for i in range(len(burst_users))
                for key in (FIRST, SECOND)
            ),
        )


async def _follow_burst(bot: BotProcess, watch: BurstWatch, due_at: float) -> None:
    """Until every burst message went out, or none went out for STALL_SECONDS once due."""
    while True:
        await asyncio.sleep(0.1)
        bot.check_alive()
        watch.update()
        if now() < due_at + STARTUP_SECONDS and watch.first is None:
            watch.last_progress = now()  # not due yet, or the bot still starting
        if watch.done:
            return


def burst_kind(call: ApiCall, chats: set[int]) -> str | None:
    """Which burst message a successful sendMessage was, if it was one."""
    if not is_sent("sendMessage")(call) or call.params.get("chat_id") not in chats:
        return None
    text = str(call.params.get("text", ""))
    return next((key for key, marker in MARKERS.items() if marker in text), None)


async def _probes(
    telegram: Telegram,
    users: list[SimUser],
    group_id: int,
    due_at: float,
    phase: int,
    watch: BurstWatch,
    over: asyncio.Event,
) -> tuple[Probe, ...]:
    """Probe patients whose urgent taps fall in the burst's first second (it is due at
    `due_at`), then every PROBE_SPACING seconds from `phase` x PROBE_STEP while it lasts, and
    once more in its predicted last second."""
    started: list[asyncio.Task[Probe]] = []
    waiting = iter(users)
    schedule = _targets(due_at + FIRST_TAP, phase)
    target = next(schedule)
    closing = False

    last_second = asyncio.Event()  # set when the burst's end is under LAST_TAP away

    def launch(at: float, hold: asyncio.Event | None = None) -> bool:
        user = next(waiting, None)
        if user is None:
            progress("burst: out of probe patients")
            return False
        started.append(asyncio.create_task(_probe(telegram, user, group_id, at, hold)))
        return True

    try:
        while not over.is_set():
            moment = now()
            end = watch.predicted_end()
            if end is not None and not closing and end - moment <= PROBE_LEAD + LAST_TAP:
                # The closing probe starts its check-in now but holds its urgent tap until
                # the end, predicted again at every look, is LAST_TAP away: a burst that
                # slows down near its end (a 429 pause, a busy moment) still gets a tap in
                # its last second, not one aimed at an end predicted seconds too early.
                closing = True
                if not launch(max(end - LAST_TAP, moment + PROBE_LEAD), last_second):
                    break
            if watch.done or (end is not None and end - moment <= LAST_TAP):
                last_second.set()
            if moment >= target - PROBE_LEAD:
                if (end is None or target <= end) and not launch(target):
                    break
                target = next(schedule)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(over.wait(), 0.05)
        last_second.set()  # the burst is over: a closing probe still holding taps now
        return tuple(await asyncio.gather(*started))
    finally:
        for task in started:
            task.cancel()  # only when the run was cancelled: finished tasks ignore it


def _targets(first: float, phase: int) -> Iterator[float]:
    """When the regular probes' urgent taps are due: `first`, then every PROBE_SPACING
    seconds from `first` + `phase` x PROBE_STEP (from the second spacing for phase 0)."""
    yield first
    target = first + (phase * PROBE_STEP if phase else PROBE_SPACING)
    while True:
        yield target
        target += PROBE_SPACING


async def _probe(
    telegram: Telegram,
    user: SimUser,
    group_id: int,
    tap_at: float,
    last_second: asyncio.Event | None = None,
) -> Probe:
    """A patient answers a check-in None, None, Severe, the Severe tap at `tap_at` (or a
    person's pace after the question, if later; with `last_second`, not before it says the
    burst's last second has come); seconds from it to the staff post about her."""
    chat = user.id
    await asyncio.sleep(max(tap_at - PROBE_LEAD - now(), 0.0))
    question = telegram.watch(is_sent("sendMessage", chat))
    post = telegram.watch(
        lambda call: (
            is_sent("sendMessage", group_id)(call)
            and "URGENT" in str(call.params.get("text", ""))
            and f"({user.first_name})" in str(call.params.get("text", ""))
        )
    )
    tapped: float | None = None
    try:
        await user.send("/checkin")
        await asyncio.wait_for(question, STEP_TIMEOUT)
        shown = now()
        message = telegram.latest_bot_message(chat)
        assert message is not None, "the check-in question never arrived"
        for number, label in enumerate(PROBE_TAPS, start=1):
            if number == len(PROBE_TAPS):
                await asyncio.sleep(max(shown + THINK_SECONDS - now(), 0.0))
                if last_second is None:
                    await asyncio.sleep(max(tap_at - now(), 0.0))
                else:
                    await last_second.wait()
                tapped = now()
                await user.press(message, label)
                break
            await asyncio.sleep(max(shown + THINK_SECONDS - now(), 0.0))
            edited = telegram.watch(is_sent("editMessageText", chat))
            await user.press(message, label)
            await asyncio.wait_for(edited, STEP_TIMEOUT)
            shown = now()
        posted = await asyncio.wait_for(post, POST_TIMEOUT)
    except TimeoutError:
        post.cancel()
        return Probe(tap_at, tapped, math.inf)
    assert tapped is not None
    return Probe(tap_at, tapped, posted.at - tapped)


def _measure(
    telegram: Telegram,
    started_at: float,
    patients: int,
    chats: set[int],
    probes: tuple[Probe, ...],
) -> BurstRun:
    sends = [
        (call.at, int(call.params["chat_id"]), kind)
        for call in telegram.calls
        if (kind := burst_kind(call, chats)) is not None
    ]
    times = [at for at, _, _ in sends]
    span = max(times) - min(times) if len(times) > 1 else 0.0
    rate = (len(times) - 1) / span if span > 0 else float("nan")
    first, last = (min(times), max(times)) if times else (math.inf, -math.inf)
    within = sum(
        1
        for call in telegram.calls
        if call.status == SENT_OK and is_rate_limited(call.method) and first <= call.at <= last
    )
    all_rate = (within - 1) / span if span > 0 else float("nan")
    counts = Counter((chat, kind) for _, chat, kind in sends)
    first_seen: dict[tuple[int, str], float] = {}
    for at, chat, kind in sends:
        first_seen.setdefault((chat, kind), at)
    out_of_order = sum(
        1
        for chat in chats
        if (chat, FIRST) not in first_seen
        or first_seen.get((chat, SECOND), math.inf) < first_seen[(chat, FIRST)]
    )
    return BurstRun(
        patients=patients,
        messages=2 * patients,
        sent=len(counts),
        rate=rate,
        all_rate=all_rate,
        too_many=too_many_requests(telegram.calls, since=started_at),
        duplicates=sum(count - 1 for count in counts.values()),
        out_of_order=out_of_order,
        first_send=first,
        last_send=last,
        probes=probes,
    )


async def run(options: Options) -> list[Section]:
    """Both tables: delivery during the burst, and escalation during it (probes every
    PROBE_SPACING seconds, see the module)."""
    results: Results = {}
    missing: dict[str, str] = {}
    for backend in options.backends():
        if backend.missing:
            missing[backend.name] = backend.missing
            continue
        for patients in options.pick(full=(600, 3000), quick=(60, 150)):
            for number in range(1, options.runs + 1):
                phase = (number - 1) % PHASES
                result = await run_once(backend, patients, phase, options.max_per_second)
                results.setdefault((backend.name, patients), []).append(result)
                _report(backend, patients, number, options.runs, result)
    return [
        _delivery_section(options, results, missing),
        _escalation_section(options, results, missing),
    ]


Results = dict[tuple[str, int], list[BurstRun]]


def _report(backend: Backend, patients: int, number: int, runs: int, result: BurstRun) -> None:
    progress(
        f"burst on {backend.name}, {patients} patients, run {number}/{runs}: "
        f"{result.rate:.2f} msg/s ({result.all_rate:.2f} with replies and posts), "
        f"{result.too_many} x 429, "
        f"{result.duplicates} duplicates, {result.out_of_order} out of order; "
        f"{len(result.escalations)} probes from {result.from_start:+.2f} s to "
        f"{result.to_end:.2f} s before the end: "
        f"{', '.join(_seconds(s) for s in result.escalations)} s"
    )


def _seconds(value: float) -> str:
    return "never" if math.isinf(value) else f"{value:.2f}"


def _delivery_section(options: Options, results: Results, missing: dict[str, str]) -> Section:
    pacing = (
        f"{options.max_per_second:g}/s (--max-per-second)"
        if options.max_per_second is not None
        else "the bot's default [delivery] max_per_second"
    )
    section = Section(
        key="burst",
        title="1. Burst delivery (flood limits on)",
        goal=f">= {GOAL_RATIO:g} of the 30 msg/s limit, zero 429s, zero duplicates, per-chat "
        "order kept",
        headers=[
            "database",
            "patients",
            "messages",
            "delivered",
            "burst msg/s",
            "probes' sends/s",
            "all sends/s",
            "all of 30/s",
            "429s",
            "duplicates",
            "out of order",
            "goal (worst run)",
            "reproduce",
        ],
    )
    for (database, patients), runs in results.items():
        met = (
            min(run.all_ratio for run in runs) >= GOAL_RATIO
            and max(run.too_many for run in runs) == 0
            and max(run.duplicates for run in runs) == 0
            and max(run.out_of_order for run in runs) == 0
            and min(run.sent for run in runs) == 2 * patients
        )
        section.rows.append(
            [
                database,
                f"{patients:,}",
                f"{2 * patients:,}",
                fmt(median(run.sent for run in runs), 0),
                fmt(median(run.rate for run in runs)),
                fmt(median(run.other_rate for run in runs)),
                fmt(median(run.all_rate for run in runs)),
                fmt(median(run.all_ratio for run in runs)),
                fmt(median(run.too_many for run in runs), 0),
                fmt(median(run.duplicates for run in runs), 0),
                fmt(median(run.out_of_order for run in runs), 0),
                verdict(met),
                options.command("burst", patients, database),
            ]
        )
    section.rows += [not_measured(name, why, len(section.headers)) for name, why in missing.items()]
    probe_sends = len(PROBE_TAPS) + 3
    section.notes += [
        f"Median of {options.runs} run(s); the goal column takes the worst run (its lowest "
        "rate, its most 429s, duplicates and chats out of order). burst msg/s = (messages - 1) "
        "/ (last send - first send), both as the simulator logged them. all sends/s = every "
        "send and edit the bot made in that span, which is what Telegram's 30/s counts and "
        "what the goal is judged on: the burst plus the probes' sends (table 2), which go "
        "first while the burst takes the rest. 429s count every Bot API call answered 429 "
        "during the run (bulk sends and handler replies alike).",
        f"The probes of table 2 make about {probe_sends} sends and edits each (the question, "
        f"{len(PROBE_TAPS) - 1} edits, the staff post, the urgent advice, the next question), "
        f"one probe every {PROBE_SPACING:g} s: about {probe_sends / PROBE_SPACING:.1f}/s of the "
        "budget, which the burst's own rate leaves to them.",
        f"Pacing: {pacing}; the simulator allows 30/s overall (burst 30) and 1/s per private "
        "chat (burst 5), 20/min per group — aftercare_bot/sandbox/rate_limits.py RateLimits().",
        "Each patient has two messages due at the same moment; order means the first-inserted "
        "arrived first in every chat.",
    ]
    return section


def _escalation_section(options: Options, results: Results, missing: dict[str, str]) -> Section:
    section = Section(
        key="escalation",
        title="2. Escalation during the burst",
        goal=f"under {GOAL_ESCALATION:g} s from the urgent answer (the tap) to the staff post, "
        "for every probe of every run (the worst probe of the worst run); a post that never "
        "came is a miss",
        headers=[
            "database",
            "burst patients",
            "probes (all runs)",
            "first tap after start s",
            "last tap before end s",
            "largest gap s",
            "median s",
            "worst s",
            "never",
            "goal (worst)",
            "reproduce",
        ],
    )
    for (database, patients), runs in results.items():
        everything = [value for run in runs for value in run.escalations]
        worst = max(everything, default=math.inf)
        never = sum(1 for value in everything if math.isinf(value))
        section.rows.append(
            [
                database,
                f"{patients:,}",
                f"{len(everything):,}",
                fmt(max(run.from_start for run in runs)),
                fmt(max(run.to_end for run in runs)),
                fmt(_largest_gap(runs)),
                fmt(median(median(run.escalations) for run in runs)),
                _seconds(worst),
                f"{never:,}",
                verdict(bool(everything) and worst < GOAL_ESCALATION),
                options.command("burst", patients, database),
            ]
        )
    section.rows += [not_measured(name, why, len(section.headers)) for name, why in missing.items()]
    section.notes += [
        "Probe patients (no burst messages of their own) type /checkin and tap None, None, "
        f"Severe, each at least {THINK_SECONDS:g} s after the question shows; the Severe tap "
        "makes the check-in urgent and the bot posts to staff at once; she stops there "
        "(finishing would add a second post per probe in the staff group, under the first). "
        "Measured from that tap "
        "(the update queued at the simulator) to the simulator logging the URGENT post in the "
        f"staff group; never = no post within {POST_TIMEOUT:g} s (a check-in that stalled "
        "before the tap counts as never too).",
        f"The taps are aimed at the burst's first second, then every {PROBE_SPACING:g} s, and "
        "once more in its last second (that probe holds its Severe tap until the end, predicted "
        "afresh from the recent rate every 50 ms, is under 0.5 s away); successive runs shift "
        f"by {PROBE_STEP:g} s, so together they probe every {PROBE_STEP:g} s of the burst. One "
        f"run probes every {PROBE_SPACING:g} s only, not every {PROBE_STEP:g} s: each probe is "
        f"a post in the one staff group, where Telegram allows {GROUP_PER_MINUTE} a minute (the "
        f"bot keeps to one every {GROUP_INTERVAL:.1f} s after a burst of {GROUP_BURST}); with a "
        f"probe every {PROBE_STEP:g} s each post would wait about "
        f"{GROUP_INTERVAL - PROBE_STEP:.1f} s longer than the one before, timing the group's "
        "queue, not the burst.",
        "first tap after start / last tap before end = the worst run's distance from the "
        "burst's first message to its first probe tap, and from its last probe tap to its last "
        "message; largest gap = between consecutive taps of all runs together, as seconds into "
        "the burst. A tap counts for the burst from 1 s before its first message to its last.",
        f"median s = median over runs of each run's median; worst s = the slowest probe of all "
        f"{options.runs} run(s) (the goal's measure).",
    ]
    return section


def _largest_gap(runs: list[BurstRun]) -> float:
    """The longest stretch of the burst without a probe tap, over all runs together."""
    taps = sorted(tap for run in runs for tap in run.taps)
    if not taps:
        return math.inf
    length = min(run.last_send - run.first_send for run in runs)
    edges = [0.0, *(tap for tap in taps if 0.0 <= tap <= length), length]
    return max(b - a for a, b in itertools.pairwise(edges))
