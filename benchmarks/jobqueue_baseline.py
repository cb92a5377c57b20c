"""5. The obvious alternative: one python-telegram-bot JobQueue job per reminder, in memory.

This is a process of its own, run by the scale benchmark against the same simulator:

    python -m benchmarks.jobqueue_baseline --jobs N --token T --base-url URL --chat-id C

It builds an `Application` (with its default JobQueue), initializes it (getMe), measures its
idle RSS, then re-adds N reminders as most reminder bots do at start: one `run_once` job each,
the first due now (it sends one message to `--chat-id`, which the benchmark times) and the
others spread over the next 90 days, then starts the Application. It prints one JSON line
(idle and loaded RSS, seconds to add and start) and stays up until SIGTERM.
"""

import argparse
import asyncio
import gc
import json
import signal
import time
from collections.abc import Sequence
from typing import Any

from telegram.ext import Application, ApplicationBuilder, CallbackContext, ContextTypes

from benchmarks.memory import memory_of

HORIZON_SECONDS = 90 * 24 * 3600.0
FIRST_FUTURE_SECONDS = 24 * 3600.0

Context = CallbackContext[Any, Any, Any, Any]


async def send_reminder(context: Context) -> None:
    """What a reminder job does when it is due: send its message."""
    job = context.job
    assert job is not None and job.chat_id is not None
    data: dict[str, Any] = job.data  # type: ignore[assignment]
    await context.bot.send_message(job.chat_id, f"Reminder {data['message_key']}")


def add_reminders(
    application: Application[Any, Any, Any, Any, Any, Any], jobs: int, chat_id: int
) -> None:
    """N run_once jobs, in time order (the cheapest order for APScheduler's job list)."""
    queue = application.job_queue
    assert queue is not None, "python-telegram-bot[job-queue] is needed"
    spacing = (HORIZON_SECONDS - FIRST_FUTURE_SECONDS) / max(jobs, 1)
    for number in range(jobs):
        due_now = number == 0
        queue.run_once(
            send_reminder,
            when=0.0 if due_now else FIRST_FUTURE_SECONDS + number * spacing,
            data={"patient_id": number // 10 + 1, "message_key": "plan.evening"},
            name=f"bench:{number // 10 + 1}:{number % 10}",
            chat_id=chat_id if due_now else 900_000_000 + number // 10,
            # APScheduler's default grace is 1 s: a reminder that fell due while the others
            # were being added would be dropped as "missed" (logged, never sent).
            job_kwargs={"misfire_grace_time": None},
        )


async def serve(args: argparse.Namespace) -> None:
    """Start, add the jobs, report, and wait for SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    application = (
        ApplicationBuilder()
        .token(args.token)
        .base_url(args.base_url)
        .context_types(ContextTypes())
        .build()
    )
    await application.initialize()
    gc.collect()
    idle = memory_of()
    began = time.perf_counter()
    add_reminders(application, args.jobs, args.chat_id)
    added = time.perf_counter() - began
    await application.start()  # the scheduler starts: the pending jobs enter its job store
    started = time.perf_counter() - began
    gc.collect()
    loaded = memory_of()
    print(
        json.dumps(
            {
                "jobs": args.jobs,
                "idle_rss_mib": idle.rss,
                "rss_mib": loaded.rss,
                "peak_mib": loaded.peak,
                "add_seconds": added,
                "add_and_start_seconds": started,
            }
        ),
        flush=True,
    )
    await stop.wait()
    await application.stop()
    await application.shutdown()


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the flags and serve."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.jobqueue_baseline")
    parser.add_argument("--jobs", type=int, required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--chat-id", type=int, required=True)
    asyncio.run(serve(parser.parse_args(argv)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
