"""A whole demo journey's logs, at DEBUG, hold no token, no link and no patient's words."""

import io
import json
import logging
import re

import pytest

from aftercare_bot import logs
from aftercare_bot.demo.journey import play_demo

DEMO_TOKEN = "123456789:AAdemo-token-for-the-simulator"
# What patients type or tap in the demo (the transcript shows them; logs must not).
PATIENT_WORDS = ("I have a concern", "STOP", "START", "Yes, I agree")


@pytest.fixture
def captured_logs(capsys: pytest.CaptureFixture[str]) -> io.StringIO:
    logs.configure("DEBUG", as_json=True, secrets=[DEMO_TOKEN])
    stream = io.StringIO()
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    return stream


async def test_the_demos_logs_are_json_lines_without_secrets_or_patients_words(
    captured_logs: io.StringIO,
) -> None:
    transcript = io.StringIO()
    assert await play_demo(out=transcript) == 0
    links = re.findall(r"start=([A-Za-z0-9_-]{8,})", transcript.getvalue())
    assert links, "the demo shows the enrollment link"
    lines = captured_logs.getvalue().splitlines()
    assert len(lines) > 20
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert {"time", "level", "logger", "message"} <= set(records[0])
    text = captured_logs.getvalue()
    assert DEMO_TOKEN not in text and DEMO_TOKEN.split(":")[1] not in text
    for token in links:
        assert token not in text
    for words in PATIENT_WORDS:
        assert words not in text, words
    logging.getLogger().handlers.clear()
