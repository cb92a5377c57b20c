"""The demo from the command line: the whole journey plays, and its logs, at DEBUG, hold no
token, no link and no patient's words (one run of the demo serves both; it takes ~50 s)."""

import json
import re
import subprocess
import sys

from aftercare_bot.demo import DEMO_TOKEN
from tests.e2e.test_command_line import REPOSITORY

# What patients type or tap in the demo (the transcript shows them; logs must not).
PATIENT_WORDS = ("I have a concern", "STOP", "START", "Yes, I agree")


def test_the_demo_plays_the_journey_and_logs_no_secrets_or_patients_words() -> None:
    result = subprocess.run(
        [sys.executable, "bot.py", "demo", "--log-level", "debug", "--json-logs"],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    transcript, logged = result.stdout, result.stderr
    assert result.returncode == 0, transcript + logged
    assert "Anna -> bot: /start" in transcript
    assert "Demo finished" in transcript
    links = re.findall(r"start=([A-Za-z0-9_-]{8,})", transcript)
    assert links, "the demo shows the enrollment link"

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
