"""One chat floods the bot, with Telegram's flood limits on and the real pacer: nobody else waits
for it, staff get its messages in a few posts, and a stranger cannot flood the staff group.

The bot's clock is a ManualClock (flood windows and the bundle's timer follow it); the pacer
and the simulator's limits run on real time, so these tests wait on conditions, never on sleeps.
A burst is queued before the bot can poll, so it reaches the bot in one getUpdates; a chat's
first message may still be judged before the rest of its burst is counted, and then it is
answered and passed on as a person's message is. Everything after it is held.
"""

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from aftercare_bot.adapters.persistence.tables import incidents, patient_messages, patients
from aftercare_bot.adapters.telegram.runtime.pacing import TelegramPacer
from aftercare_bot.bootstrap import BotRuntime
from aftercare_bot.clock import ManualClock
from aftercare_bot.config import load_config
from aftercare_bot.domain.outgoing import SendPriority
from aftercare_bot.domain.patients import Course, Patient, PatientStatus, TreatmentSession
from aftercare_bot.sandbox import SimChat, SimUser, TelegramSimulator
from aftercare_bot.sandbox.transcript import TranscriptEvent
from tests.config_files import VALID_CONFIG, write_config
from tests.e2e.conftest import TOKEN, RunningBot
from tests.e2e.test_blocked_patients import updates_in_hand
from tests.e2e.test_check_ins import PNG
from tests.e2e.test_incidents import staff_group

FLOOD = 60
# The measure: a fresh user's /help got no answer within 10 s during a flood.
ANSWER_WITHIN = 10.0
# How long a test waits for the bot to take and handle what was sent, at most.
HANDLED_WITHIN = 30.0
# config.toml [floods] defaults: more than 10 in 10 s is a flood; its post is due 50 s after.
WINDOW = timedelta(seconds=10)
POST_WITHIN = timedelta(seconds=50)
RECEIVED = "I have received your messages and the clinic will read them all"
RECEIVED_NOT_LINKED = "I can only help patients who have a link from their clinic"
NOT_TEXT = "(a photo, sticker, voice note or file)"
BUNDLE = "sent in quick succession"


class WatchedPacer(TelegramPacer):
    """The bot's own pacer, which also shows the test whose sends are waiting for a turn."""

    def __init__(self, per_second: float, per_chat_interval: float) -> None:
        super().__init__(per_second, per_chat_interval)
        self.waiting: Counter[int | None] = Counter()
        self._changed = asyncio.Event()

    async def wait_urgent_turn(
        self, chat_id: int | None, priority: SendPriority = SendPriority.REPLY
    ) -> None:
        """Take a turn as the bot does, counted while it waits."""
        self.waiting[chat_id] += 1
        self._changed.set()
        try:
            await super().wait_urgent_turn(chat_id, priority)
        finally:
            self.waiting[chat_id] -= 1

    async def until_waiting(self, chat_id: int) -> None:
        """Until a send to `chat_id` waits for its turn."""
        async with asyncio.timeout(HANDLED_WITHIN):
            while not self.waiting[chat_id]:
                self._changed.clear()
                await self._changed.wait()


@pytest.fixture
async def simulator() -> AsyncIterator[TelegramSimulator]:
    """The simulator with Telegram's flood limits on: a send too fast is answered 429."""
    sim = TelegramSimulator(token=TOKEN, bot_username="aftercare_test_bot", rate_limits=True)
    await sim.start()
    yield sim
    await sim.stop()


@pytest.fixture
async def bot(
    simulator: TelegramSimulator,
    database_url: str,
    tmp_path: Path,
    extra_config: str,
    start_at: datetime,
) -> AsyncIterator[RunningBot]:
    """The bot as `run` builds it, with its own pacer (watched; RunningBot.pacer is it)."""
    admin = simulator.add_user(first_name="Grey", language_code="en")
    config = load_config(
        write_config(
            tmp_path,
            VALID_CONFIG,
            database_url=database_url,
            base_url=simulator.base_url,
            admin_ids=(admin.id,),
            extra=extra_config,
        )
    )
    clock = ManualClock(start_at)
    delivery = config.delivery
    pacer = WatchedPacer(delivery.max_per_second, delivery.per_chat_interval.total_seconds())
    async with BotRuntime(config, clock=clock, pacer=pacer) as runtime:
        await runtime.introduced()
        clock.on_change(runtime.heartbeat.wake)
        yield RunningBot(simulator, runtime, clock, admin, pacer)  # type: ignore[arg-type]


async def linked_patient(bot: RunningBot, name: str, code: str) -> SimUser:
    """A patient linked to her chat, in her first course (written straight into the database:
    linking through Telegram is tested elsewhere and would cost seconds of real pacing here)."""
    user = bot.simulator.add_user(first_name=name)
    now = bot.clock.now()
    async with bot.runtime.services.database.unit_of_work() as uow:
        patient = Patient(
            code=code,
            display_name=name,
            timezone="Europe/London",
            practitioner="Dr Lee",
            enrolled_at=now,
            status=PatientStatus.LINKED,
            chat_id=user.id,
        )
        uow.patients.add(patient)
        await uow.patients.flush()
        assert patient.id is not None
        course = Course(patient.id, "scalp", 4, timedelta(weeks=3), now)
        uow.patients.add(course)
        await uow.patients.flush()
        assert course.id is not None
        uow.patients.add(TreatmentSession(course.id, 1, now, "Dr Lee", "Meso", None))
        await uow.commit()
    return user


async def flood(user: SimUser, count: int, label: str) -> None:
    """`count` messages at once: mostly text, every tenth a sticker, every tenth a photo.

    A SimUser queues each update without yielding, so the bot sees all of them together."""
    for number in range(count):
        if number % 10 == 5:
            await user.send_sticker()
        elif number % 10 == 7:
            await user.send_photo(PNG)
        else:
            await user.send(f"{label} message {number}")


def texts_of(count: int, label: str) -> list[str]:
    """The texts `flood` typed."""
    return [f"{label} message {n}" for n in range(count) if n % 10 not in (5, 7)]


async def handled(bot: RunningBot) -> None:
    """Wait until the bot has taken every queued update and finished handling it."""
    sim = bot.simulator
    await sim.world.changed.wait_until(
        lambda: True if sim.pending_updates == 0 else None, HANDLED_WITHIN
    )
    await asyncio.wait_for(bot.runtime.application.update_queue.join(), HANDLED_WITHIN)


async def count_rows(bot: RunningBot, table: Any, **where: Any) -> int:
    query = select(func.count()).select_from(table)
    for column, value in where.items():
        query = query.where(table.c[column] == value)
    async with bot.runtime.services.database.unit_of_work() as uow:
        return int((await uow.session.execute(query)).scalar_one())


async def patient_id(bot: RunningBot, code: str) -> int:
    async with bot.runtime.services.database.unit_of_work() as uow:
        patient = await uow.patients.by_code(code)
    assert patient is not None and patient.id is not None
    return patient.id


def bot_texts(bot: RunningBot, chat: SimUser | SimChat, since: int = 0) -> list[str]:
    """Every new message the bot sent to `chat` after transcript position `since` (a mark)."""
    chat_id = chat.id
    return [
        event.text or ""
        for event in bot.simulator.transcript
        if event.seq > since and event.chat_id == chat_id and event.from_bot
        if event.is_new_message
    ]


def group_posts(bot: RunningBot, group: SimChat, since: int = 0) -> list[TranscriptEvent]:
    return [
        event
        for event in bot.simulator.transcript
        if event.seq > since and event.chat_id == group.id and event.from_bot
        if event.is_new_message
    ]


def bundles_in(bot: RunningBot, group: SimChat, since: int) -> list[TranscriptEvent]:
    return [e for e in group_posts(bot, group, since) if BUNDLE in (e.text or "")]


def refusals(bot: RunningBot, since: int = 0) -> list[int | None]:
    """The chats whose sends Telegram answered 429 (from API call number `since`)."""
    return [
        call.params.get("chat_id") for call in bot.simulator.api_calls[since:] if call.status == 429
    ]


async def test_a_patient_flooding_delays_no_one_and_reaches_staff_in_one_bundle(
    bot: RunningBot,
) -> None:
    group = await staff_group(bot)
    fiona = await linked_patient(bot, "Fiona", "P-F100")
    helen = await linked_patient(bot, "Helen", "P-H100")
    uma = await linked_patient(bot, "Uma", "P-U100")
    await uma.send("/checkin")
    question = await uma.wait_for_reply()
    sim = bot.simulator
    mark, calls = sim.mark(), len(sim.api_calls)

    await flood(fiona, FLOOD, "Fiona")
    asked_at = time.time()  # the transcript's clock
    await helen.send("/help")
    await uma.press(question, "Severe")

    help_reply = await sim.wait_for(
        lambda e: e.chat_id == helen.id and e.from_bot and e.is_new_message,
        ANSWER_WITHIN,
        since=mark,
    )
    urgent = await sim.wait_for(
        lambda e: e.chat_id == group.id and "URGENT check-in: patient P-U100" in (e.text or ""),
        ANSWER_WITHIN,
        since=mark,
    )
    fiona_id = await patient_id(bot, "P-F100")
    # Both went out while Fiona's messages were still being worked through, and in time.
    assert await count_rows(bot, patient_messages, patient_id=fiona_id) < FLOOD
    assert "What I can do" in (help_reply.text or "")
    assert help_reply.at - asked_at < ANSWER_WITHIN and urgent.at - asked_at < ANSWER_WITHIN
    await handled(bot)

    # Every message is kept; Fiona gets one "received" (and at most an answer to her first).
    assert await count_rows(bot, patient_messages, patient_id=fiona_id) == FLOOD
    to_fiona = bot_texts(bot, fiona, mark)
    assert sum(RECEIVED in text for text in to_fiona) == 1 and len(to_fiona) <= 2, to_fiona
    assert bundles_in(bot, group, mark) == []  # held for one post, not posted one by one

    bot.clock.advance(POST_WITHIN + timedelta(seconds=1))
    await bot.settle()
    posts = [e for e in group_posts(bot, group, mark) if "P-F100" in (e.text or "")]
    assert len(bundles_in(bot, group, mark)) == 1 and len(posts) <= 2, [e.text for e in posts]
    everything = "\n".join(e.text or "" for e in posts)
    assert all(text in everything for text in texts_of(FLOOD, "Fiona"))
    assert everything.count(NOT_TEXT) == FLOOD // 10 * 2  # each sticker and photo is listed
    assert await count_rows(bot, patient_messages, patient_id=fiona_id, awaiting_post=True) == 0
    # Nobody else's send was ever refused (Fiona's own would be allowed).
    assert [chat for chat in refusals(bot, calls) if chat != fiona.id] == []


@pytest.mark.parametrize(
    "late",
    [WINDOW + timedelta(seconds=1), POST_WITHIN + WINDOW],
    ids=["a window late", "later than its post was due"],
)
async def test_a_flood_worked_through_late_is_held_to_its_last_message_for_one_post(
    bot: RunningBot, late: timedelta
) -> None:
    group = await staff_group(bot)
    fiona = await linked_patient(bot, "Fiona", "P-F100")
    sim = bot.simulator
    mark = sim.mark()
    chat = str(fiona.id)
    help_reply = sim.faults.hold_next(
        "sendMessage", matching=lambda params: str(params.get("chat_id")) == chat
    )
    await fiona.send("/help")
    await asyncio.wait_for(help_reply.arrived(), HANDLED_WITHIN)
    await flood(fiona, 30, "Fiona")
    await updates_in_hand(bot, 31)  # /help's answer on its way, the flood waiting behind it
    # Working through the flood takes longer than a window (a long queue, a slow database, a
    # wait for Telegram): each message's turn comes after the window it arrived in has passed.
    bot.clock.advance(late)
    help_reply.release()
    await handled(bot)

    fiona_id = await patient_id(bot, "P-F100")
    assert await count_rows(bot, patient_messages, patient_id=fiona_id) == 30
    to_fiona = bot_texts(bot, fiona, mark)
    assert len(to_fiona) == 2 and "What I can do" in to_fiona[0], to_fiona
    assert RECEIVED in to_fiona[1]  # one "received", no sticker or photo answered singly
    assert group_posts(bot, group, mark) == []  # no text passed on singly, no post yet

    bot.clock.advance(POST_WITHIN)
    await bot.settle()
    bundles = bundles_in(bot, group, mark)
    assert len(bundles) == 1
    assert all(text in (bundles[0].text or "") for text in texts_of(30, "Fiona"))


@pytest.mark.slow
async def test_an_urgent_post_goes_before_the_queued_posts_of_several_floods(
    bot: RunningBot,
) -> None:
    flooders = [await linked_patient(bot, f"Flo{n}", f"P-F{n}00") for n in range(1, 5)]
    uma = await linked_patient(bot, "Uma", "P-U100")
    await uma.send("/checkin")
    question = await uma.wait_for_reply()
    sim = bot.simulator
    mark, calls = sim.mark(), len(sim.api_calls)
    for user in flooders:
        # A sticker first: answered on its own or held, it makes no staff post either way,
        # so the group's posts are the four bundles.
        await user.send_sticker()
        await flood(user, 14, user.first_name)
    await handled(bot)
    for user in flooders:
        to_patient = bot_texts(bot, user, mark)
        assert sum(RECEIVED in text for text in to_patient) == 1, to_patient

    # The group takes 20 posts a minute, a few at once: with the bind's answer just posted,
    # the first bundles falling due go out at once and the next waits its turn (the dispatcher
    # brings them one after the other). While it waits, Uma reports something urgent.
    group = await staff_group(bot)
    bot.clock.advance(POST_WITHIN + timedelta(seconds=1))
    await sim.world.changed.wait_until(
        lambda: True if len(bundles_in(bot, group, mark)) >= 2 else None, ANSWER_WITHIN
    )
    pacer = bot.runtime.pacer
    assert isinstance(pacer, WatchedPacer)
    await pacer.until_waiting(group.id)
    pressed, pressed_at = sim.mark(), time.time()
    await uma.press(question, "Severe")
    urgent = await sim.wait_for(
        lambda e: e.chat_id == group.id and "URGENT check-in: patient P-U100" in (e.text or ""),
        ANSWER_WITHIN,
        since=pressed,
    )
    await handled(bot)
    await bot.settle()

    bundles = [e.seq for e in bundles_in(bot, group, mark)]
    assert len(bundles) == len(flooders), [e.text for e in group_posts(bot, group, mark)]
    # It took the group's next free slot: every bundle still to go after the tap went after it.
    order = f"tap at #{pressed}, urgent post #{urgent.seq}, bundles {bundles}"
    after_tap = [seq for seq in bundles if seq > pressed]
    assert after_tap and all(seq > urgent.seq for seq in after_tap), order
    assert urgent.at - pressed_at < ANSWER_WITHIN
    assert [chat for chat in refusals(bot, calls) if chat not in {u.id for u in flooders}] == []


async def test_a_stranger_flooding_gets_one_answer_a_window_and_nothing_reaches_staff(
    bot: RunningBot,
) -> None:
    group = await staff_group(bot)
    stranger = bot.simulator.add_user(first_name="Sam")
    sim = bot.simulator
    mark, calls = sim.mark(), len(sim.api_calls)
    people = await count_rows(bot, patients)

    await flood(stranger, 30, "Sam")
    await handled(bot)
    bot.clock.advance(WINDOW)  # a new window: the flood goes on
    await flood(stranger, 15, "Sam again")
    await handled(bot)
    await bot.settle()

    to_sam = bot_texts(bot, stranger, mark)
    assert sum(RECEIVED_NOT_LINKED in text for text in to_sam) == 2, to_sam  # one a window
    assert len(to_sam) <= 4, to_sam  # and at most an answer to each window's first message
    assert group_posts(bot, group, mark) == []
    assert bot_texts(bot, bot.admin, mark) == []
    assert await count_rows(bot, patients) == people
    assert await count_rows(bot, patient_messages) == 0
    assert await count_rows(bot, incidents) == 0
    assert refusals(bot, calls) == []
