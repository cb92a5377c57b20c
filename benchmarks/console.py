"""7: the staff console's pages with a clinic's worth of patients (SQLite).

Goal (issue 19): every page's server time p99 under 50 ms with 10,000 patients on SQLite.
The server time is what the console itself reports in `Server-Timing` (from the request
reaching its middleware to the page leaving it: session and role look-up, the use case, the
template), read on each of `REQUESTS` requests per page made one after another over
loopback. The clinic: 10,000 patients with a course and a session each, two answered check-ins
per patient, 1,000 resolved and 40 open incidents (20 of them urgent), 20,000 audit events
(pages of 100).
"""

import asyncio
import json
import re
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
from aiohttp import web

from aftercare_bot.adapters.live_config import LiveConfig
from aftercare_bot.adapters.persistence.database import Database
from aftercare_bot.adapters.web.console import build_console_app
from aftercare_bot.adapters.web.server import ACCESS_LOG, console_deps
from aftercare_bot.clock import SystemClock
from aftercare_bot.config import load_config, load_texts_and_plans
from aftercare_bot.domain.patients import CODE_ALPHABET, CODE_PREFIX
from benchmarks.databases import Backend, Target
from benchmarks.harness import PATIENT_COLUMNS
from benchmarks.options import Options, progress
from benchmarks.report import Section, fmt, median, not_measured, percentile, verdict

GOAL_MS = 50.0
REQUESTS = 200
QUICK_REQUESTS = 40
ADMIN = 1001
OPEN_INCIDENTS = 40
RESOLVED_INCIDENTS = 1_000
AUDIT_EVENTS = 20_000
TOKEN = "123456789:AAbench-token-for-the-console-000"


class _Wakes:
    def wake(self) -> None:
        """Nothing to wake: no dispatcher runs in this benchmark."""


def _code(number: int) -> str:
    letters = []
    for _ in range(4):
        number, digit = divmod(number, len(CODE_ALPHABET))
        letters.append(CODE_ALPHABET[digit])
    return CODE_PREFIX + "".join(letters)


def _seed(database: Target, patients: int, now: datetime) -> None:
    """A clinic with `patients` patients, written straight into the database."""
    names = ("Anna", "Maria", "Olga", "Lucía", "Sofia", "Elena", "Irina", "Chiara")
    every = range(1, patients + 1)
    with database.bulk() as db:
        db.insert(
            "patients",
            PATIENT_COLUMNS,
            (
                (
                    i,
                    _code(i),
                    names[i % len(names)],
                    "en",
                    "Europe/London",
                    ("Dr Lee", "Dr Petrova", "Grey")[i % 3],
                    "linked" if i % 10 else "stopped",
                    100_000 + i,
                    now - timedelta(minutes=i),
                )
                for i in every
            ),
        )
        db.insert(
            "courses",
            ("id", "patient_id", "plan_name", "sessions_planned", "spacing", "started_at"),
            (
                (i, i, "scalp-mesotherapy", 4, timedelta(weeks=3), now - timedelta(minutes=i))
                for i in every
            ),
        )
        db.insert(
            "treatment_sessions",
            ("course_id", "number", "held_at", "practitioner"),
            ((i, 1, now - timedelta(minutes=i), "Dr Lee") for i in every),
        )
        answers = json.dumps({"redness": "mild", "swelling": "none", "bruising": "none"})
        db.insert(
            "check_ins",
            ("patient_id", "opened_at", "state", "answered_at", "answers", "urgency"),
            (
                (
                    i,
                    now - timedelta(days=day),
                    "answered",
                    now - timedelta(days=day),
                    answers,
                    "nothing",
                )
                for i in every
                for day in (1, 3)
            ),
        )
        incidents = [
            (i, "urgent" if i % 2 else "routine", "resolved", "phoned")
            for i in range(1, RESOLVED_INCIDENTS + 1)
        ] + [
            (i, "urgent" if i % 2 else "routine", "open", None)
            for i in range(RESOLVED_INCIDENTS + 1, RESOLVED_INCIDENTS + OPEN_INCIDENTS + 1)
        ]
        db.insert(
            "incidents",
            ("patient_id", "urgency", "state", "opened_at", "post_text", "reports", "outcome"),
            (
                (
                    (patient - 1) % patients + 1,
                    urgency,
                    state,
                    now - timedelta(hours=patient % 48),
                    f"<b>URGENT check-in</b>: patient {_code((patient - 1) % patients + 1)}, day 1",
                    1,
                    outcome,
                )
                for patient, urgency, state, outcome in incidents
            ),
        )
        db.insert(
            "audit_events",
            ("occurred_at", "action", "actor_telegram_id", "subject"),
            (
                (now - timedelta(seconds=20 * i), "patient.viewed", ADMIN, _code(i % patients + 1))
                for i in range(AUDIT_EVENTS)
            ),
        )


def _config(directory: Path, database: Target) -> Path:
    path = directory / "config.toml"
    path.write_text(
        f"""
[telegram]
token = "{TOKEN}"

[database]
url = "{database.url}"

[clinic]
name = "Bench Hair Clinic"
timezone = "Europe/London"
phone = "+44 20 7946 0000"
emergency_number = "999"
hours = "Mon-Fri 09:00-19:00"

[staff]
admin_ids = [{ADMIN}]

[web]
enabled = true
""",
        encoding="utf-8",
    )
    return path


def _pages(patients: int) -> Iterator[tuple[str, str, dict[str, str] | None]]:
    """(label, path, form) of every page staff open; a form means a POST."""
    yield "incidents (40 open)", "/console/incidents", None
    yield "patients, first page", "/console/patients", None
    last = max(1, -(-patients // 25))
    yield f"patients, page {last} (the last)", f"/console/patients?page={last}", None
    yield "patients, state filter", "/console/patients?state=stopped", None
    yield "patients, search", "/console/patients/search", {"q": "ann"}
    yield "one patient's timeline", f"/console/patients/{_code(patients // 2)}", None
    yield "enroll form", "/console/enroll", None
    yield "staff", "/console/staff", None
    yield "audit trail, first page", "/console/audit", None
    yield "audit trail, page 50", "/console/audit?page=50", None
    yield "export form", "/console/export", None


async def _measure(backend: Backend, patients: int, requests: int) -> list[tuple[str, list[float]]]:
    """Server times (ms) of every page, `requests` times each."""
    with tempfile.TemporaryDirectory(prefix="aftercare-console-") as tmp:
        directory = Path(tmp)
        database = backend.target(directory, "bench")
        await asyncio.to_thread(database.create)
        now = datetime.now(UTC)
        await asyncio.to_thread(_seed, database, patients, now)
        config = load_config(_config(directory, database))
        texts, plans = load_texts_and_plans(config)
        units = Database(config.database_url)
        clock = SystemClock()
        deps = console_deps(LiveConfig(config, texts, plans), units, clock, _Wakes())
        runner = web.AppRunner(build_console_app(deps), access_log=ACCESS_LOG)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        base = f"http://127.0.0.1:{port}"
        try:
            secret = await deps.access.issue_sign_in(ADMIN, "Grey")
            assert secret is not None
            jar = aiohttp.CookieJar(unsafe=True)
            async with aiohttp.ClientSession(cookie_jar=jar) as browser:
                async with browser.post(f"{base}/console/sign-in", data={"secret": secret}) as r:
                    page = await r.text()
                csrf = re.search(r'name="csrf" value="([^"]+)"', page)
                assert csrf is not None, page[:300]
                results = []
                for label, path, form in _pages(patients):
                    times = []
                    for _ in range(requests):
                        if form is None:
                            call = browser.get(base + path)
                        else:
                            call = browser.post(base + path, data={"csrf": csrf[1], **form})
                        async with call as response:
                            await response.read()
                            assert response.status == 200, (label, response.status)
                            times.append(_server_ms(response.headers["Server-Timing"]))
                    results.append((label, times))
                return results
        finally:
            await runner.cleanup()
            await units.dispose()
            await asyncio.to_thread(database.drop)


def _server_ms(header: str) -> float:
    found = re.search(r"dur=([\d.]+)", header)
    return float(found[1]) if found else float("nan")


async def run(options: Options) -> list[Section]:
    """The console's pages with 10,000 patients (1,000 with --quick)."""
    sizes = options.pick((10_000,), (1_000,))
    requests = QUICK_REQUESTS if options.quick else REQUESTS
    section = Section(
        key="console",
        title="7. The staff console's page times",
        goal=f"every page's server time p99 under {GOAL_MS:g} ms with 10,000 patients",
        headers=["database", "patients", "page", "median ms", "p99 ms", "goal", "reproduce"],
    )
    for backend, size in ((backend, size) for backend in options.backends() for size in sizes):
        if backend.missing:
            section.rows.append(not_measured(backend.name, backend.missing, len(section.headers)))
            continue
        runs = []
        for number in range(options.runs):
            progress(
                f"console on {backend.name}: {size} patients, run {number + 1} of {options.runs}"
            )
            runs.append(await _measure(backend, size, requests))
        for index, (label, _times) in enumerate(runs[0]):
            medians = [median(run[index][1]) for run in runs]
            p99s = [percentile(run[index][1], 0.99) for run in runs]
            p99 = median(p99s)
            section.rows.append(
                [
                    backend.name,
                    f"{size:,}",
                    label,
                    fmt(median(medians), 1),
                    fmt(p99, 1),
                    verdict(p99 < GOAL_MS) if size >= 10_000 else "n/a",
                    options.command("console", size, backend.name),
                ]
            )
    section.notes += [
        f"{requests} requests per page, one after another, signed in as an admin; the "
        "figure is the console's own Server-Timing (middleware in to page out), the median "
        "over runs of each run's median and p99.",
        "The console runs alone here (no bot beside it in the event loop); with the bot "
        "delivering a burst the same loop is shared.",
    ]
    return [section]
