"""APScheduler only wakes the bot's periodic work; what is due lives in the database.

Each beat (the dispatcher, the leader lease, the digest ...) is a coroutine run every
`interval` by APScheduler, and at once when woken: every beat at start and after the clock
moves in a test (`wake()`); only the beats a use case names when it has just made something
due (`waker`: the dispatcher, for a patient's every tap, so a tap costs one round, not the
lease, retention and digest queries besides). A beat may also arm one wake of its own
with `wake_at` (the dispatcher, for the next row's due time), so what falls due between two
ticks goes out on time; the interval stays as a safety net. A beat never runs twice at the same
time; a wake that arrives while it runs makes it run once more afterwards, so no wake is lost.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

logger = logging.getLogger(__name__)

BeatWork = Callable[[], Awaitable[None]]

# The beats use cases wake by name: the dispatcher (something is due now) and the settings
# (staff changed one on the console; the active instance posts it to the staff group).
DISPATCH = "dispatch"
SETTINGS = "settings"

# An armed wake never comes sooner than this: something due now that cannot go yet must not
# make a beat spin.
SOONEST = timedelta(milliseconds=50)


class _Beat:
    """One periodic piece of work that coalesces overlapping wakes."""

    def __init__(self, name: str, interval: timedelta, work: BeatWork) -> None:
        self.name = name
        self.interval = interval
        self._work = work
        # The armed wake: (the moment asked for, the caller's `now` when it asked).
        self.armed: tuple[datetime, datetime] | None = None
        self._task: asyncio.Task[None] | None = None
        self._again = False

    def kick(self) -> None:
        """Run the work now, or once more right after the current run."""
        if self._task is not None and not self._task.done():
            self._again = True
            return
        self._task = asyncio.get_running_loop().create_task(self._run(), name=f"beat:{self.name}")

    async def _run(self) -> None:
        while True:
            self._again = False
            try:
                await self._work()
            except Exception:
                # One failed round must not stop the next; the work logs its own details.
                logger.exception("beat %s failed", self.name)
            if not self._again:
                return

    async def tick(self) -> None:
        """APScheduler's job: a coroutine, so that it runs on the bot's event loop.

        (AsyncIOScheduler hands plain functions to a thread pool, where there is no loop.)
        """
        self.kick()

    @property
    def busy(self) -> bool:
        """Whether a run is in progress or pending."""
        return self._task is not None and not self._task.done()

    async def idle(self) -> None:
        """Wait until no run is in progress or pending."""
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)

    async def cut_short(self) -> None:
        """Cancel the run in progress, and any run pending after it."""
        self._again = False
        if self._task is not None and not self._task.done():
            self._task.cancel()
            await asyncio.wait({self._task})


class Heartbeat:
    """The scheduler adapter: periodic beats, `wake()` to run them at once, and `waker` for a
    use case's `WakeUp` that runs only the beats it names."""

    def __init__(self) -> None:
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        self._beats: dict[str, _Beat] = {}

    def every(self, interval: timedelta, name: str, work: BeatWork) -> None:
        """Run `work` every `interval` (and on every wake) once the heartbeat starts."""
        beat = _Beat(name, interval, work)
        self._beats[name] = beat
        self._scheduler.add_job(
            beat.tick,
            IntervalTrigger(seconds=interval.total_seconds(), timezone=UTC),
            id=name,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
        )

    def start(self) -> None:
        """Start the timers and run every beat once, to catch up on what fell due while down."""
        self._scheduler.start()
        self.wake()

    def wake(self, *names: str) -> None:
        """Run the beats named, or every beat when none is, now (a no-op before `start`)."""
        if not self._scheduler.running:
            return
        for beat in [self._beats[name] for name in names] or self._beats.values():
            beat.kick()

    def waker(self, *names: str) -> "BeatWake":
        """A `WakeUp` for use cases that runs only the beats `names` (at least one)."""
        assert names, "a waker names the beats it wakes"
        return BeatWake(self, names)

    def wake_at(self, name: str, moment: datetime | None, now: datetime) -> None:
        """Run beat `name` once at `moment` of the clock that read `now`, replacing the wake
        it armed before (`None`: nothing to wake for).

        The moment is on the caller's clock (a test's ManualClock too); the wait is real time.
        It is not armed when the interval comes first, and comes no sooner than SOONEST. Asked
        again for the same moment while the clock stands still (a ManualClock between moves), it
        is left as it is: waking at the same clock reading would find nothing new, and moving
        the clock wakes every beat anyway.
        """
        beat = self._beats[name]
        if not self._scheduler.running or beat.armed == (moment, now):
            return
        job_id = f"{name}:armed"
        if moment is None or moment - now >= beat.interval:
            beat.armed = None
            if self._scheduler.get_job(job_id) is not None:
                self._scheduler.remove_job(job_id)
            return
        beat.armed = (moment, now)
        self._scheduler.add_job(
            beat.tick,
            DateTrigger(datetime.now(UTC) + max(moment - now, SOONEST), timezone=UTC),
            id=job_id,
            replace_existing=True,
            misfire_grace_time=None,
        )

    def armed(self, name: str) -> datetime | None:
        """The moment (on the caller's clock) of the wake beat `name` has armed and not yet run."""
        beat = self._beats[name]
        if beat.armed is None or self._scheduler.get_job(f"{name}:armed") is None:
            return None
        return beat.armed[0]

    async def idle(self) -> None:
        """Wait until every beat has finished its current and pending runs, including runs
        one beat's work started in another (a new nudge wakes the dispatcher)."""
        while any(beat.busy for beat in self._beats.values()):
            for beat in self._beats.values():
                await beat.idle()

    async def shutdown(self, grace: float | None = None) -> None:
        """Stop the timers and let runs in progress finish, within `grace` seconds if given.

        A round cut short loses nothing: the dispatcher's claimed rows are sent again by the
        next start's recovery, and other beats only read what is due.
        """
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        try:
            await asyncio.wait_for(self.idle(), grace)
        except TimeoutError:
            busy = [beat for beat in self._beats.values() if beat.busy]
            logger.warning("stopping: cut short %s", ", ".join(beat.name for beat in busy))
            for beat in busy:
                await beat.cut_short()


class BeatWake:
    """The use cases' `WakeUp`: runs the beats it was made for, not the heartbeat's others."""

    def __init__(self, heartbeat: Heartbeat, names: tuple[str, ...]) -> None:
        self._heartbeat = heartbeat
        self._names = names

    def wake(self) -> None:
        """Run this wake's beats now (a no-op before the heartbeat starts)."""
        self._heartbeat.wake(*self._names)
