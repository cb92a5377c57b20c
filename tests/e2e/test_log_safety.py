"""The demo from the command line: the whole journey plays, at the hours a patient meets it,
its console then opens with a sign-in link, and its logs, at DEBUG, hold no token, no link and
no patient's words (one run of the demo serves all four; it takes ~40 s)."""

import html
import json
import re
import signal
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from datetime import UTC, date, datetime, timedelta

import pytest

from aftercare_bot.demo import DEMO_TOKEN
from tests.e2e.test_command_line import REPOSITORY
from tests.ports import free_port

# What patients type or tap in the demo (the transcript shows them; logs must not).
PATIENT_WORDS = ("I have a concern", "STOP", "START", "Yes, I agree")


@pytest.mark.slow
def test_the_demo_plays_the_journey_then_opens_its_console_and_logs_no_secrets() -> None:
    """`demo --console`: the journey, then the demo clinic stays up with its console and a
    sign-in link for its admin, until Ctrl-C (SIGINT), which ends it cleanly."""
    port = free_port()
    demo = subprocess.Popen(
        [
            *(sys.executable, "bot.py", "demo", "--log-level", "debug", "--json-logs"),
            *("--console", "--console-port", str(port)),
        ],
        cwd=REPOSITORY,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(180, demo.kill)  # a demo that hangs fails, it does not hang CI
    watchdog.start()
    try:
        assert demo.stdout is not None
        lines = []
        for line in demo.stdout:
            lines.append(line)
            if line.startswith("Press Ctrl-C to stop."):
                break
        signed_in = sign_in_to_demo_console("".join(lines), port)
        demo.send_signal(signal.SIGINT)
        rest, logged = demo.communicate(timeout=60)
    finally:
        watchdog.cancel()
    transcript = "".join(lines) + rest
    assert demo.returncode == 0, transcript + logged
    assert "Signed in as Grey" in signed_in and "Open incidents" in signed_in
    assert "Anna -> bot: /start" in transcript
    assert "Demo finished" in transcript
    links = re.findall(r"start=([A-Za-z0-9_-]{8,})", transcript)
    assert links, "the demo shows the enrollment link"
    assert_plan_shows_at_the_patients_hours(transcript)
    # A third language: Lucía's phone is in Spanish, and so is everything she reads.
    assert "bot -> Lucía: ¡Hola, Lucía!" in transcript
    assert "bot -> Lucía: Cuidados después de su sesión" in transcript

    records = [json.loads(line) for line in logged.splitlines()]  # every line one JSON object
    assert len(records) > 20
    assert {"time", "level", "logger", "message"} <= set(records[0])
    # The demo's default shows errors only: there must be none for its output to be quiet.
    assert [r for r in records if r["level"] in ("ERROR", "CRITICAL")] == []
    assert DEMO_TOKEN not in logged and DEMO_TOKEN.split(":")[1] not in logged
    for token in links:
        assert token not in logged
    for words in PATIENT_WORDS:
        assert words not in logged, words
    secret = re.search(r"/console/sign-in/(\S+)", transcript)
    assert secret is not None and secret[1] not in logged


def sign_in_to_demo_console(printed: str, port: int) -> str:
    """Open the printed link, press Sign in, as a browser would; the page that follows."""
    link = re.search(rf"http://127\.0\.0\.1:{port}/console/sign-in/\S+", printed)
    assert link is not None, printed
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    with browser.open(link[0], timeout=10) as form:
        secret = re.search(r'name="secret" value="([^"]+)"', form.read().decode())
    assert secret is not None
    data = urllib.parse.urlencode({"secret": secret[1]}).encode()
    with browser.open(f"http://127.0.0.1:{port}/console/sign-in", data=data, timeout=10) as page:
        return html.unescape(page.read().decode())


def assert_plan_shows_at_the_patients_hours(transcript: str) -> None:
    """The evening's advice at 19:00, the check-in at 10:00, the reminder on the day before."""
    assert "\n  19:00  bot -> Anna: Good evening" in transcript
    assert "\n  10:00  bot -> Anna: Hello Anna, how is your scalp today?" in transcript
    before, reminder = transcript.split("bot -> Anna: Reminder:", 1)
    *_, sent_on = re.findall(r"^  (\w{3} \d{1,2} \w{3} \d{4})$", before, re.MULTILINE)
    appointment = re.match(r" .*? tomorrow, (\w{3} \d{1,2} \w{3} \d{4}),", reminder)
    assert appointment, reminder[:200]
    assert _day(appointment[1]) - _day(sent_on) == timedelta(days=1)


def _day(text: str) -> date:
    """A date as the bot and the demo write it, e.g. "Sat 26 Dec 2026"."""
    return datetime.strptime(text, "%a %d %b %Y").replace(tzinfo=UTC).date()
