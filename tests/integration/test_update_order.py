"""Updates of different chats side by side, one chat's in order (no Telegram needed)."""

import asyncio
from datetime import UTC, datetime

from telegram import Chat, Message, Update, User

from aftercare_bot.adapters.telegram.runtime.presses import EarlyAnswers
from aftercare_bot.adapters.telegram.runtime.update_order import ChatOrderedUpdates, chat_key

PATIENT_A, PATIENT_B = 1001, 1002


def update_from(chat_id: int, update_id: int) -> Update:
    chat = Chat(chat_id, Chat.PRIVATE)
    user = User(chat_id, "Patient", is_bot=False)
    message = Message(update_id, datetime.now(UTC), chat, from_user=user, text="None")
    return Update(update_id, message=message)


async def test_a_slow_update_holds_up_only_its_own_chat() -> None:
    processor = ChatOrderedUpdates()
    release_first = asyncio.Event()
    handled: list[str] = []

    async def handle(name: str, wait: asyncio.Event | None = None) -> None:
        if wait is not None:
            await wait.wait()
        handled.append(name)

    first_a = asyncio.create_task(
        processor.process_update(update_from(PATIENT_A, 1), handle("A1", release_first))
    )
    second_a = asyncio.create_task(
        processor.process_update(update_from(PATIENT_A, 2), handle("A2"))
    )
    only_b = asyncio.create_task(processor.process_update(update_from(PATIENT_B, 3), handle("B1")))
    await only_b
    assert handled == ["B1"]  # B went past A's slow update; A's second waits behind its first
    release_first.set()
    await asyncio.gather(first_a, second_a)
    assert handled == ["B1", "A1", "A2"]


async def test_a_failing_update_does_not_stop_the_chat() -> None:
    processor = ChatOrderedUpdates()
    handled: list[str] = []

    async def fail() -> None:
        raise RuntimeError("handler bug")

    async def handle() -> None:
        handled.append("next")

    failing = asyncio.create_task(processor.process_update(update_from(PATIENT_A, 1), fail()))
    following = asyncio.create_task(processor.process_update(update_from(PATIENT_A, 2), handle()))
    results = await asyncio.gather(failing, following, return_exceptions=True)
    assert isinstance(results[0], RuntimeError)
    assert handled == ["next"]


async def test_chats_are_forgotten_once_their_updates_are_handled() -> None:
    processor = ChatOrderedUpdates()

    async def nothing() -> None:
        return None

    for update_id in range(50):
        await processor.process_update(update_from(PATIENT_A + update_id, update_id), nothing())
    assert processor._last == {}


def test_updates_without_a_chat_are_ordered_by_their_sender_or_together() -> None:
    assert chat_key(update_from(PATIENT_A, 1)) == ("chat", PATIENT_A)
    assert chat_key(Update(5)) == "other"
    assert chat_key(object()) == "other"


async def test_only_an_update_that_has_to_wait_is_shown_before_it_waits() -> None:
    shown: list[int] = []
    was_shown = asyncio.Event()

    async def before_waiting(update: object) -> None:
        assert isinstance(update, Update)
        shown.append(update.update_id)
        was_shown.set()

    processor = ChatOrderedUpdates(before_waiting)
    release_first = asyncio.Event()

    async def wait_for_release() -> None:
        await release_first.wait()

    async def nothing() -> None:
        return None

    first = asyncio.create_task(
        processor.process_update(update_from(PATIENT_A, 1), wait_for_release())
    )
    await asyncio.sleep(0)
    second = asyncio.create_task(processor.process_update(update_from(PATIENT_A, 2), nothing()))
    other_chat = asyncio.create_task(processor.process_update(update_from(PATIENT_B, 3), nothing()))
    await other_chat
    await was_shown.wait()
    assert shown == [2]  # shown while it waits, before the first is done
    assert not first.done()
    release_first.set()
    await asyncio.gather(first, second)
    assert shown == [2]


async def test_a_failure_before_waiting_does_not_lose_the_update() -> None:
    async def broken(update: object) -> None:
        raise ConnectionError("Telegram unreachable")

    processor = ChatOrderedUpdates(broken)
    handled: list[int] = []

    async def handle(number: int) -> None:
        await asyncio.sleep(0)
        handled.append(number)

    await asyncio.gather(
        processor.process_update(update_from(PATIENT_A, 1), handle(1)),
        processor.process_update(update_from(PATIENT_A, 2), handle(2)),
    )
    assert handled == [1, 2]


def test_a_press_answered_early_is_not_answered_again() -> None:
    early = EarlyAnswers()
    early.add("q1")
    assert early.take("q1") is True
    assert early.take("q1") is False
    assert early.take("q2") is False


async def test_one_chats_backlog_does_not_keep_another_chat_from_starting() -> None:
    """Slots go to updates whose turn has come: a chat with more waiting updates than there
    are slots still leaves room for everyone else."""
    processor = ChatOrderedUpdates(max_concurrent_updates=2)
    release = asyncio.Event()
    handled: list[str] = []

    async def handle(name: str, wait: asyncio.Event | None = None) -> None:
        if wait is not None:
            await wait.wait()
        handled.append(name)

    backlog = [
        asyncio.create_task(
            processor.process_update(
                update_from(PATIENT_A, n), handle(f"A{n}", release if n == 1 else None)
            )
        )
        for n in range(1, 11)
    ]
    await asyncio.wait_for(
        processor.process_update(update_from(PATIENT_B, 11), handle("B")), timeout=5
    )
    assert handled == ["B"]
    release.set()
    await asyncio.gather(*backlog)
    assert handled == ["B"] + [f"A{n}" for n in range(1, 11)]
