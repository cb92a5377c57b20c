"""The staff's daily digest: posted once a day at `staff.digest_at`, on demand with /digest."""

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from aftercare_bot.sandbox import SimChat
from tests.e2e.clinic_data import PastCheckIn, add_patient
from tests.e2e.conftest import RunningBot
from tests.e2e.enrollment_steps import answer, enroll
from tests.e2e.test_delivery import linked
from tests.e2e.test_incidents import report_severe, staff_group

NINE_ON_FRIDAY = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)  # 09:00 in London


def digests_in(bot: RunningBot, chat: SimChat, day: str) -> list[dict[str, Any]]:
    return [m for m in bot.simulator.messages_in(chat) if f"Digest for {day}" in m.get("text", "")]


async def test_a_quiet_day_is_one_line(bot: RunningBot) -> None:
    reply = await answer(bot.admin, "/digest")
    assert reply["text"] == "☀️ Digest for Wed 25 Nov 2026: nothing needs you today."


@pytest.mark.parametrize("digest_at", ["09:00"])
async def test_a_busy_day_is_posted_at_nine_most_pressing_first_and_only_once(
    bot: RunningBot,
) -> None:
    group = await staff_group(bot)
    # Started at 10:00, after the digest's time: today's goes out as soon as it has somewhere to go.
    bot.clock.advance(timedelta(seconds=1))
    await bot.settle()
    assert len(digests_in(bot, group, "Wed 25 Nov 2026")) == 1
    anna, anna_code = await linked(bot)
    ben = await enroll(bot.admin, name="Ben")  # enrolled, never links
    await report_severe(bot, anna)  # day 1, 10:00: urgent, and nobody acknowledges
    await bot.live_until(NINE_ON_FRIDAY - timedelta(minutes=1))
    assert digests_in(bot, group, "Fri 27 Nov 2026") == []
    await bot.live_until(NINE_ON_FRIDAY)
    [digest] = digests_in(bot, group, "Fri 27 Nov 2026")
    lines = digest["text"].split("\n")
    assert lines[0] == "☀️ Digest for Fri 27 Nov 2026"
    assert lines[1].startswith("⚠️ Urgent and nobody has acknowledged: 1.")
    assert lines[2] == "Open incidents: 1"
    assert lines[3] == f"• URGENT {anna_code} Anna, open for 23 hours"
    assert "Check-ins yesterday: 1 answered, 1 fell due, 0 missed" in lines
    not_linked = lines.index("Enrolled, not linked yet: 1")
    assert lines[not_linked + 1] == f"• {ben.code} Ben"
    await bot.live_until(NINE_ON_FRIDAY + timedelta(hours=23, minutes=59))
    assert len(digests_in(bot, group, "Fri 27 Nov 2026")) == 1  # once a day
    assert len(digests_in(bot, group, "Sat 28 Nov 2026")) == 0


async def test_tomorrows_appointments_show_whether_they_are_confirmed(bot: RunningBot) -> None:
    anna, code = await linked(bot)
    # Her next session is in 3 weeks, Wed 16 Dec at 10:00; the day before she confirms it.
    await bot.live_until(datetime(2026, 12, 15, 10, 0, tzinfo=UTC))
    reminder = bot.simulator.messages_in(anna)[-1]
    await anna.press(reminder, "Confirm")
    await anna.wait_for_reply()
    await bot.admin.wait_for_reply()  # staff are told it is confirmed
    digest = await answer(bot.admin, "/digest")
    lines = digest["text"].split("\n")
    tomorrow = lines.index("Appointments tomorrow: 1")
    assert lines[tomorrow + 1] == f"• 10:00 {code} Anna (confirmed)"


async def add_treated_patients(
    bot: RunningBot, batch: str, urgent: int, calm: int, rng: random.Random
) -> None:
    """Patients treated with `batch` whose check-ins were triaged: `urgent` urgent, `calm` not."""
    outcomes = ["urgent"] * urgent + [rng.choice(["nothing", "routine"]) for _ in range(calm)]
    for number, outcome in enumerate(outcomes):
        await add_patient(
            bot,
            f"P-{batch[-1]}{number:03d}",
            session_at=bot.clock.now() - timedelta(days=rng.randint(2, 80)),
            batch=batch,
            check_ins=[PastCheckIn(1, urgency=outcome)],
        )


async def test_a_batch_with_a_cluster_of_urgent_results_is_named_in_the_digest(
    bot: RunningBot,
) -> None:
    rng = random.Random(7)
    await add_treated_patients(bot, "LOT-A", urgent=2, calm=58, rng=rng)
    await add_treated_patients(bot, "LOT-B", urgent=9, calm=21, rng=rng)
    await add_treated_patients(bot, "LOT-C", urgent=3, calm=57, rng=rng)
    digest = await answer(bot.admin, "/digest")
    signals = [line for line in digest["text"].split("\n") if line.startswith("🔬")]
    assert len(signals) == 1
    assert signals[0].startswith("🔬 Batch LOT-B: 9 urgent results out of 30 check-ins (30%)")
    assert f"against {14 / 150:.0%} for the whole clinic" in signals[0]


async def test_batches_that_differ_only_by_chance_raise_no_signal(bot: RunningBot) -> None:
    rng = random.Random(11)
    for batch in ("LOT-A", "LOT-B", "LOT-C", "LOT-D"):
        urgent = sum(rng.random() < 0.1 for _ in range(60))
        await add_treated_patients(bot, batch, urgent=urgent, calm=60 - urgent, rng=rng)
    digest = await answer(bot.admin, "/digest")
    assert "🔬" not in digest["text"]
