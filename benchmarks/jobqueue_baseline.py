"""5. The usual alternatives: one APScheduler job per reminder, kept in memory or on disk.

A process of its own, run by the scale benchmark against the same simulator:

    python -m benchmarks.jobqueue_baseline --store memory|sqlalchemy --jobs N --token T
        --base-url URL --due-chats C1,C2,... [--database PATH]

Both are python-telegram-bot Applications run with `run_polling()`, as reminder bots are:

- `memory`: PTB's JobQueue (APScheduler's memory job store). Nothing survives a restart, so at
  start (`post_init`) the bot re-adds every pending reminder as a `run_once` job, in time order
  (the cheapest order for APScheduler's job list): one due now for each of --due-chats, the
  others spread over the next 90 days.
- `sqlalchemy`: APScheduler's own `AsyncIOScheduler` with a `SQLAlchemyJobStore` on the SQLite
  file --database, the persistent way most guides recommend. The file already holds the
  reminders (`build_job_store` writes them as the store's `add_job` would have, one row each);
  nothing is re-added at start. PTB's JobQueue cannot use this store (its jobs can't be
  pickled), so the jobs name a module-level function that sends through the Application's bot.

It runs until SIGTERM. The benchmark times it and reads its memory from outside, exactly as it
does the bot's.
"""

import argparse
import pickle
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from apscheduler.job import Job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.util import datetime_to_utc_timestamp
from telegram import Bot
from telegram.ext import Application, ApplicationBuilder, CallbackContext, ContextTypes

HORIZON = timedelta(days=90)
FIRST_FUTURE = timedelta(days=1)
FAR_CHAT_IDS = 900_000_000  # chats of reminders not due: never written to
MESSAGES_PER_PATIENT = 10
DUE_AGO = timedelta(seconds=30)
CHUNK = 20_000

Context = CallbackContext[Any, Any, Any, Any]
AnyApplication = Application[Any, Any, Any, Any, Any, Any]
AnyBuilder = ApplicationBuilder[Any, Any, Any, Any, Any, Any]

# The running Application's bot, for jobs the SQLAlchemy store restores (they name a function,
# not an object).
_bots: list[Bot] = []


async def send_reminder(context: Context) -> None:
    """What a JobQueue reminder does when it is due: send its message."""
    job = context.job
    assert job is not None and job.chat_id is not None
    data: dict[str, Any] = job.data  # type: ignore[assignment]
    await context.bot.send_message(job.chat_id, f"Reminder {data['message_key']}")


async def send_stored_reminder(chat_id: int, message_key: str) -> None:
    """What a SQLAlchemy-stored reminder does when it is due: send its message."""
    await _bots[0].send_message(chat_id, f"Reminder {message_key}")


def _schedule(
    jobs: int, due_chats: Sequence[int], start: datetime
) -> Iterator[tuple[str, int, datetime]]:
    """(job id, chat id, when) for each reminder, in time order: the due ones at `start`, the
    others spread over the 90 days after the first day, one patient per 10 reminders."""
    total = max(jobs, len(due_chats))
    for number, chat_id in enumerate(due_chats):
        yield f"reminder:{number + 1}:due", chat_id, start
    future = total - len(due_chats)
    spacing = (HORIZON - FIRST_FUTURE) / max(future, 1)
    for index in range(future):
        patient = index // MESSAGES_PER_PATIENT + 1
        when = start + FIRST_FUTURE + index * spacing
        yield f"reminder:{patient}:{index}", FAR_CHAT_IDS + patient, when


def add_reminders(application: AnyApplication, jobs: int, due_chats: Sequence[int]) -> None:
    """N run_once jobs in the JobQueue, in time order."""
    queue = application.job_queue
    assert queue is not None, "python-telegram-bot[job-queue] is needed"
    start = datetime.now(UTC)
    for job_id, chat_id, when in _schedule(jobs, due_chats, start):
        queue.run_once(
            send_reminder,
            when=when,
            data={"message_key": "plan.evening"},
            name=job_id,
            chat_id=chat_id,
            # APScheduler's default grace is 1 s: a reminder that fell due while the others
            # were being added would be dropped as "missed" (logged, never sent).
            job_kwargs={"misfire_grace_time": None},
        )


def build_job_store(path: Path, jobs: int, due_chats: Sequence[int], built_at: datetime) -> None:
    """A SQLAlchemyJobStore database holding `jobs` reminders, the due ones due 30 s before
    `built_at`: each row exactly as the store's add_job writes it (id, next run as a UTC
    timestamp, the pickled job state), inserted in bulk rather than one transaction each."""
    store = SQLAlchemyJobStore(url=f"sqlite:///{path}")
    scheduler = AsyncIOScheduler(timezone=UTC)
    store.start(scheduler, "default")  # creates the table and its index, as at first start
    rows: list[dict[str, Any]] = []
    try:
        with store.engine.begin() as connection:
            for job_id, chat_id, when in _schedule(jobs, due_chats, built_at - DUE_AGO):
                job = Job(
                    scheduler,
                    id=job_id,
                    func=send_stored_reminder,
                    trigger=DateTrigger(when, timezone=UTC),
                    executor="default",
                    args=(chat_id, "plan.evening"),
                    kwargs={},
                    name="send_stored_reminder",
                    # As for the JobQueue: run however late (the default drops it after 1 s).
                    misfire_grace_time=None,
                    coalesce=True,
                    max_instances=1,
                    next_run_time=when,
                )
                rows.append(
                    {
                        "id": job.id,
                        "next_run_time": datetime_to_utc_timestamp(job.next_run_time),
                        "job_state": pickle.dumps(job.__getstate__(), store.pickle_protocol),
                    }
                )
                if len(rows) >= CHUNK:
                    connection.execute(store.jobs_t.insert(), rows)
                    rows.clear()
            if rows:
                connection.execute(store.jobs_t.insert(), rows)
    finally:
        store.shutdown()


def _memory_application(args: argparse.Namespace) -> AnyApplication:
    async def post_init(application: AnyApplication) -> None:
        add_reminders(application, args.jobs, args.due_chats)

    return _builder(args).post_init(post_init).build()


def _sqlalchemy_application(args: argparse.Namespace) -> AnyApplication:
    scheduler = AsyncIOScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=f"sqlite:///{args.database}")},
        timezone=UTC,
    )

    async def post_init(application: AnyApplication) -> None:
        _bots.append(application.bot)
        scheduler.start()  # due jobs run as soon as the loop is free; nothing is re-added

    async def post_shutdown(_application: AnyApplication) -> None:
        scheduler.shutdown(wait=False)

    return _builder(args).post_init(post_init).post_shutdown(post_shutdown).build()


def _builder(args: argparse.Namespace) -> AnyBuilder:
    return (
        ApplicationBuilder().token(args.token).base_url(args.base_url).context_types(ContextTypes())
    )


def _chats(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(",") if part)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the flags and run the bot until SIGTERM."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.jobqueue_baseline")
    parser.add_argument("--store", choices=("memory", "sqlalchemy"), required=True)
    parser.add_argument("--jobs", type=int, required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--due-chats", type=_chats, required=True)
    parser.add_argument("--database", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.store == "sqlalchemy" and args.database is None:
        parser.error("--store sqlalchemy needs --database")
    application = (
        _memory_application(args) if args.store == "memory" else _sqlalchemy_application(args)
    )
    application.run_polling()
    return 0


if __name__ == "__main__":
    # Run as the importable module rather than as __main__: the stored jobs name their function
    # as benchmarks.jobqueue_baseline:send_stored_reminder, and it must see the bot set here.
    from benchmarks.jobqueue_baseline import main as _main

    raise SystemExit(_main())
