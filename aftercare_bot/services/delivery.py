"""The dispatcher: claim what is due, send it paced, record what happened.

Claim → send → record, each step short. A crash leaves what was claimed and not yet recorded
in the explicit `sending` state (mostly messages still waiting for their turn, and the few being
sent at that moment); at the next start they go back to pending and are sent again (a repeated
reminder is less harmful than a lost one). Nothing is dropped in silence: a message whose
time has passed is marked skipped and becomes a staff task, and a patient who blocked the bot
is marked unreachable, their messages paused, staff told. A plan step that only reassures is
skipped (no task: staff have the incident) while the patient has an open incident, so "this is
expected" never contradicts a report under review.
"""

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple, Protocol
from zoneinfo import ZoneInfo

from aftercare_bot.domain.errors import DeliveryDeferred, RecipientUnreachable
from aftercare_bot.domain.outbox import (
    ACTED_ON_KINDS,
    CHECK_IN_KIND,
    INCIDENT_POST,
    MessageState,
    Priority,
    ScheduledMessage,
)
from aftercare_bot.domain.outgoing import Outgoing, SendPriority
from aftercare_bot.domain.patients import Patient
from aftercare_bot.domain.quiet_hours import QuietHours
from aftercare_bot.domain.relay import RELAY_KIND
from aftercare_bot.domain.tasks import StaffTask, TaskKind
from aftercare_bot.services.check_in_flow import begin
from aftercare_bot.services.check_ins import CheckInTiming, open_check_in
from aftercare_bot.services.ports import Clock, UnitOfWork, UnitsOfWork
from aftercare_bot.services.reachability import mark_unreachable
from aftercare_bot.services.relay import relay_text
from aftercare_bot.services.tasks import open_task

logger = logging.getLogger(__name__)

CLAIM_BATCH = 200
MAX_ATTEMPTS = 8
CONCURRENT_SENDS = 16  # requests in flight at once; waiting for a chat's turn holds none
FIRST_BACKOFF = timedelta(seconds=5)
LONGEST_BACKOFF = timedelta(minutes=10)


class Sender(Protocol):
    """Delivers one composed message to a chat and returns Telegram's message id."""

    async def send(self, chat_id: int, message: Outgoing) -> int:
        """Send, raising RecipientUnreachable or DeliveryDeferred on failure."""
        ...


class Pacer(Protocol):
    """Keeps everything the bot sends under Telegram's limits, replies first."""

    async def wait_turn(self, chat_id: int) -> None:
        """Wait until a scheduled message to this chat may go."""
        ...

    async def wait_urgent_turn(
        self, chat_id: int | None, priority: SendPriority = SendPriority.REPLY
    ) -> None:
        """Wait for the next turn this chat may take, ahead of scheduled messages."""
        ...

    def refused(self, chat_id: int | None, seconds: float) -> None:
        """Telegram answered 429 to a send to this chat and asked to wait `seconds`."""
        ...


@dataclass(frozen=True)
class Delivery:
    """Everything a composer needs to render one scheduled message for one patient."""

    patient: Patient
    message: ScheduledMessage
    next_appointment_at: datetime | None
    check_in_id: int | None = None
    # A staff message (kind "relay"): its text and who signs it, read from its draft.
    relay_text: str | None = None
    relay_staff: str | None = None


Composer = Callable[[Delivery], Outgoing]
IncidentTimerAction = Callable[[ScheduledMessage], Awaitable[None]]


class _Claim(NamedTuple):
    """A message claimed for sending in this round."""

    message_id: int
    patient_id: int
    chat_id: int
    check_in_id: int | None
    priority: int


# A chat whose message ended so sends nothing more until that message may go again.
_STOPS_THE_CHAT = ("unreachable", "deferred")
# Claim the next batch once this few of the claimed messages are left to send (counted by
# chat): about a second of sending at Telegram's pace, enough to hide the claim.
LOW_WATER = 32


class _Batch(NamedTuple):
    """What one claim took: messages to send, skipped ones, timers, and rows read."""

    claimed: list[_Claim]
    skipped: int
    timers: list[tuple[int, int]]  # (timer id, patient id)
    rows: int


class _Flight:
    """The chats being delivered by one call of deliver_due, across its batches."""

    def __init__(self, sending: asyncio.Semaphore) -> None:
        self.sending = sending  # requests in flight at once
        self.last: dict[int, asyncio.Task[list[str]]] = {}
        self._tasks: list[asyncio.Task[list[str]]] = []
        self._held: dict[int, int] = {}
        self._unsent = 0
        self._low = asyncio.Event()

    def started(self, chat_id: int, task: asyncio.Task[list[str]], messages: int) -> None:
        """A chat's `messages` are on their way; they count as unsent until its task ends,
        however it ends (an error included, or the next batch would wait for ever)."""
        self.last[chat_id] = task
        self._tasks.append(task)
        self._unsent += messages
        if self._unsent > LOW_WATER:
            self._low.clear()
        task.add_done_callback(lambda _: self._finish(messages))

    def _finish(self, messages: int) -> None:
        self._unsent -= messages
        if self._unsent <= LOW_WATER:
            self._low.set()

    def hold(self, chat_id: int, message_id: int) -> None:
        """The chat stopped at `message_id`: what later batches claimed of it waits too."""
        self._held[chat_id] = message_id

    def held_by(self, chat_id: int) -> int | None:
        return self._held.get(chat_id)

    async def nearly_done(self) -> None:
        if self._unsent > LOW_WATER:
            await self._low.wait()

    async def finished(self) -> list[str]:
        chats = await asyncio.gather(*self._tasks)
        return [outcome for chat in chats for outcome in chat]


@dataclass(frozen=True)
class DeliveryReport:
    """What one round did, for logs and tests."""

    sent: int = 0
    skipped: int = 0
    deferred: int = 0
    failed: int = 0
    unreachable: int = 0

    def plus(self, other: "DeliveryReport") -> "DeliveryReport":
        """Two parts of one round, counted together."""
        return DeliveryReport(
            sent=self.sent + other.sent,
            skipped=self.skipped + other.skipped,
            deferred=self.deferred + other.deferred,
            failed=self.failed + other.failed,
            unreachable=self.unreachable + other.unreachable,
        )


@dataclass(frozen=True)
class Dispatcher:
    """The dependencies of a delivery round, built once by bootstrap."""

    database: UnitsOfWork
    sender: Sender
    compose: Composer
    pacer: Pacer
    clock: Clock
    quiet: QuietHours | None
    check_in_timing: CheckInTiming
    # Acts on timers that may reach staff (re-page, safety net, ack reminder, a check-in's
    # expiry or abandonment); never inside the claim's transaction.
    act_on_incident: IncidentTimerAction | None = None
    # The quiet hours as they stand at each round, when staff can change them while the bot
    # runs (the clinic settings); `quiet` otherwise.
    quiet_now: Callable[[], QuietHours | None] | None = None

    async def recover(self) -> int:
        """At start: messages a crash left in `sending` go back to pending, and incidents
        stored but not posted (their safety post still waiting) are posted now: the process
        that would have posted them is gone."""
        async with self.database.unit_of_work() as uow:
            released = await uow.outbox.release_interrupted()
            unposted = await uow.outbox.bring_forward(INCIDENT_POST, self.clock.now())
            await uow.commit()
        if released:
            # Claimed is all that is known: most of a claimed batch waits for its turn, and a
            # send in flight at the stop may or may not have reached the patient.
            logger.warning(
                "%s messages were claimed by the previous instance without a confirmed send; "
                "they will be sent again (some may already have reached Telegram)",
                released,
            )
        if unposted:
            logger.warning("%s incidents stored before a stop are posted now", unposted)
        return released

    async def next_due(self, after: datetime) -> datetime | None:
        """When the next round should run: the first moment after `after` (the start of the
        round just run, so what fell due while it ran counts) at which a message may go."""
        async with self.database.unit_of_work() as uow:
            return await uow.outbox.next_wake_after(after)

    async def deliver_due(self) -> DeliveryReport:
        """Everything due now, each chat in order, chats side by side.

        Due messages are claimed a batch at a time; the next batch is claimed while the end of
        the previous one is still being sent, so a long burst runs at the pacer's pace without
        a pause between batches. In each batch, chats with something a person waits for (a
        reply, a staff message) go before the bulk.
        """
        report = DeliveryReport()
        while True:
            part = await self._deliver_once()
            report = report.plus(part)
            # A refused or failed send opened a task whose timer is due now: its post to staff
            # goes in this round, not a tick later (the round began before the timer existed).
            if not (part.failed or part.unreachable):
                return report

    async def _deliver_once(self) -> DeliveryReport:
        flight = _Flight(asyncio.Semaphore(CONCURRENT_SENDS))
        skipped = 0
        while True:
            batch = await self._claim(self.clock.now())
            skipped += batch.skipped
            await self._act_on_incident_timers(batch.timers)
            by_chat: dict[int, list[_Claim]] = defaultdict(list)
            for claim in batch.claimed:
                by_chat[claim.chat_id].append(claim)
            waited_for = {
                chat
                for chat, queue in by_chat.items()
                if any(claim.priority < Priority.PLAN for claim in queue)
            }
            await asyncio.gather(
                *(self._start_chat(flight, chat, by_chat[chat]) for chat in waited_for)
            )
            for chat, queue in by_chat.items():
                if chat not in waited_for:
                    self._start_chat(flight, chat, queue)
            if batch.rows < CLAIM_BATCH:
                break
            await flight.nearly_done()
        outcomes = await flight.finished()
        return DeliveryReport(
            sent=outcomes.count("sent"),
            skipped=skipped,
            deferred=outcomes.count("deferred"),
            failed=outcomes.count("failed"),
            unreachable=outcomes.count("unreachable"),
        )

    def _start_chat(
        self, flight: _Flight, chat_id: int, queue: list[_Claim]
    ) -> asyncio.Task[list[str]]:
        """Deliver a chat's queue after whatever of the same chat an earlier batch holds."""
        previous = flight.last.get(chat_id)
        task = asyncio.ensure_future(self._deliver_chat_after(previous, flight, chat_id, queue))
        flight.started(chat_id, task, len(queue))
        return task

    async def _deliver_chat_after(
        self,
        previous: asyncio.Task[list[str]] | None,
        flight: _Flight,
        chat_id: int,
        queue: list[_Claim],
    ) -> list[str]:
        if previous is not None:
            await previous
        held = flight.held_by(chat_id)
        if held is not None:
            await self._release([claim.message_id for claim in queue], held)
            return []
        return await self._deliver_chat(flight, chat_id, queue)

    async def _claim(self, now: datetime) -> _Batch:
        claimed: list[_Claim] = []
        timers: list[tuple[int, int]] = []
        skipped = 0
        async with self.database.unit_of_work() as uow:
            rows = await uow.outbox.due(now, CLAIM_BATCH)
            for message in rows:
                patient = await uow.patients.by_id(message.patient_id)
                assert message.id is not None and patient is not None
                if message.kind in ACTED_ON_KINDS:
                    message.state = MessageState.SENDING
                    timers.append((message.id, message.patient_id))
                elif message.reassurance and await _reported(uow, message.patient_id):
                    # "Expected effects" must not contradict an open report; staff already
                    # have the incident, so no task for it.
                    message.state, message.last_error = MessageState.SKIPPED, "incident open"
                    skipped += 1
                elif message.is_stale(now):
                    await _skip(uow, message, now)
                    skipped += 1
                elif not self._held_by_quiet_hours(message, patient, now):
                    assert patient.chat_id is not None
                    message.state = MessageState.SENDING
                    message.attempts += 1
                    check_in_id = await _check_in_for(uow, message, patient, now)
                    claimed.append(
                        _Claim(
                            message.id,
                            patient.id or 0,
                            patient.chat_id,
                            check_in_id,
                            message.priority,
                        )
                    )
            await uow.commit()
        return _Batch(claimed, skipped, timers, len(rows))

    async def _act_on_incident_timers(self, timers: list[tuple[int, int]]) -> None:
        """Pages, safety nets, check-in timers and flood bundles: acted on once, then recorded
        (a crash in between acts again: a repeated page is less harmful than a lost one). One
        that fails is tried again with backoff, like a message, so a passing outage loses no
        report; one that vanished meanwhile (the patient erased) is skipped. Neither stops the
        round.

        Each patient's timers in order, different patients' side by side: their posts all go
        to the staff group at 20 a minute, and a re-page must not wait behind a queue of
        routine posts before it even asks the pacer for its turn (which it takes first)."""
        by_patient: dict[int, list[int]] = defaultdict(list)
        for timer_id, patient_id in timers:
            by_patient[patient_id].append(timer_id)
        await asyncio.gather(*(self._act_in_order(ids) for ids in by_patient.values()))

    async def _act_in_order(self, timer_ids: list[int]) -> None:
        for timer_id in timer_ids:
            await self._act_on_timer(timer_id)

    async def _act_on_timer(self, timer_id: int) -> None:
        async with self.database.unit_of_work() as uow:
            timer = await uow.outbox.by_id(timer_id)
        if timer is None:
            return
        failed = False
        try:
            if self.act_on_incident is not None:
                await self.act_on_incident(timer)
        except Exception:
            logger.exception("escalation timer %s failed", timer_id)
            failed = True
        try:
            await self._record_timer(timer_id, failed)
        except Exception:
            logger.exception("escalation timer %s could not be recorded", timer_id)

    async def _record_timer(self, timer_id: int, failed: bool) -> None:
        now = self.clock.now()
        async with self.database.unit_of_work() as uow:
            stored = await uow.outbox.by_id(timer_id)
            if stored is None:
                return
            stored.attempts += 1
            if failed and stored.attempts < MAX_ATTEMPTS:
                stored.state = MessageState.PENDING
                stored.retry_at = now + min(
                    FIRST_BACKOFF * 2 ** (stored.attempts - 1), LONGEST_BACKOFF
                )
            else:
                stored.state = MessageState.FAILED if failed else MessageState.SENT
                stored.sent_at = now
            await uow.commit()

    def _held_by_quiet_hours(
        self, message: ScheduledMessage, patient: Patient, now: datetime
    ) -> bool:
        """Routine messages wait for the end of the patient's quiet hours (e.g. after downtime);
        their validity counts from then. Replies to what the patient just did never wait."""
        quiet = self.quiet_now() if self.quiet_now is not None else self.quiet
        if quiet is None or message.priority < Priority.PLAN:
            return False
        local = now.astimezone(ZoneInfo(patient.timezone))
        if not quiet.contains(local):
            return False
        resume = quiet.end_after(local)
        message.retry_at = resume
        message.valid_until = max(
            message.valid_until, resume + (message.valid_until - message.due_at)
        )
        return True

    async def _deliver_chat(self, flight: _Flight, chat_id: int, queue: list[_Claim]) -> list[str]:
        outcomes: list[str] = []
        for position, claim in enumerate(queue):
            # Waiting for the chat's turn holds no slot: while one chat waits a second for its
            # next message, others send (the pacer keeps the overall rate).
            await self.pacer.wait_turn(chat_id)
            async with flight.sending:
                outcome = await self._deliver_one(
                    claim.message_id, claim.patient_id, chat_id, claim.check_in_id
                )
            outcomes.append(outcome)
            if outcome in _STOPS_THE_CHAT:
                # Keep the chat's order: what follows waits until this one may go again.
                rest = queue[position + 1 :]
                flight.hold(chat_id, claim.message_id)
                await self._release([later.message_id for later in rest], claim.message_id)
                break
        return outcomes

    async def _deliver_one(
        self, message_id: int, patient_id: int, chat_id: int, check_in_id: int | None
    ) -> str:
        async with self.database.unit_of_work() as uow:
            message = await uow.outbox.by_id(message_id)
            patient = await uow.patients.by_id(patient_id)
            course = await uow.patients.current_course(patient_id)
            if message is None or patient is None:
                return "cancelled"  # the patient was erased since the claim
            if patient.chat_id != chat_id:
                # Relinked (or left) since the claim: not to the old chat; the next round
                # sends it where they are now, if anywhere.
                message.state, message.attempts = MessageState.PENDING, message.attempts - 1
                await uow.commit()
                return "cancelled"
            relay = await relay_text(uow, message, chat_id) if message.kind == RELAY_KIND else None
            if message.kind == RELAY_KIND and relay is None:
                # Its draft is gone, or the patient moved chat since Send: never sent, and
                # staff are told (they were shown "Sent").
                await _open_task(uow, TaskKind.DELIVERY_FAILED, message, self.clock.now())
                await uow.commit()
                return "failed"
        appointment = course.next_appointment_at if course else None
        delivery = Delivery(
            patient,
            message,
            appointment,
            check_in_id,
            relay_text=relay.text if relay else None,
            relay_staff=relay.staff if relay else None,
        )
        try:
            telegram_id = await self.sender.send(chat_id, self.compose(delivery))
        except RecipientUnreachable as error:
            await self._mark_unreachable(message_id, patient, str(error))
            return "unreachable"
        except DeliveryDeferred as error:
            return await self._defer(message_id, chat_id, error)
        except Exception:
            logger.exception("scheduled message %s could not be sent", message_id)
            await self._fail(message_id, "rejected by Telegram")
            return "failed"
        await self._record_sent(message_id, telegram_id)
        return "sent"

    async def _record_sent(self, message_id: int, telegram_id: int) -> None:
        async with self.database.unit_of_work() as uow:
            message = await uow.outbox.by_id(message_id)
            if message is None:
                return  # erased while it was being sent
            sent_at = self.clock.now()
            message.state, message.sent_at = MessageState.SENT, sent_at
            message.telegram_message_id, message.last_error = telegram_id, None
            if message.kind == CHECK_IN_KIND:
                await open_check_in(uow, message, sent_at, self.check_in_timing, telegram_id)
            await uow.commit()

    async def _defer(self, message_id: int, chat_id: int, error: DeliveryDeferred) -> str:
        if error.retry_after is not None:
            self.pacer.refused(chat_id, error.retry_after)
        now = self.clock.now()
        async with self.database.unit_of_work() as uow:
            message = await uow.outbox.by_id(message_id)
            if message is None:
                return "cancelled"
            if message.attempts >= MAX_ATTEMPTS:
                await uow.commit()
                await self._fail(message_id, str(error))
                return "failed"
            wait = (
                timedelta(seconds=error.retry_after)
                if error.retry_after is not None
                else min(FIRST_BACKOFF * 2 ** (message.attempts - 1), LONGEST_BACKOFF)
            )
            message.state, message.retry_at = MessageState.PENDING, now + wait
            message.last_error = str(error)[:256]
            await uow.commit()
        logger.info("scheduled message %s deferred: %s", message_id, error)
        return "deferred"

    async def _fail(self, message_id: int, reason: str) -> None:
        now = self.clock.now()
        async with self.database.unit_of_work() as uow:
            message = await uow.outbox.by_id(message_id)
            if message is None:
                return
            message.state, message.last_error = MessageState.FAILED, reason[:256]
            await _open_task(uow, TaskKind.DELIVERY_FAILED, message, now)
            await uow.commit()

    async def _mark_unreachable(self, message_id: int, patient: Patient, reason: str) -> None:
        now = self.clock.now()
        async with self.database.unit_of_work() as uow:
            message = await uow.outbox.by_id(message_id)
            stored = await uow.patients.by_id(patient.id or 0)
            if message is None or stored is None:
                return
            message.state, message.last_error = MessageState.PENDING, reason[:256]
            await mark_unreachable(uow, stored, now, message.step_key or message.message_key)
            await uow.commit()
        # Staff hear of it through the task's incident (its timer is stored with it).
        logger.warning("patient %s unreachable; their messages are paused", patient.code)

    async def _release(self, message_ids: list[int], behind: int) -> None:
        """Claimed messages go back to pending, due no earlier than the chat's message
        `behind` (deferred), so a later round cannot send them before it."""
        if not message_ids:
            return
        async with self.database.unit_of_work() as uow:
            head = await uow.outbox.by_id(behind)
            not_before = head.retry_at if head is not None else None
            for message_id in message_ids:
                message = await uow.outbox.by_id(message_id)
                if message is not None and message.state == MessageState.SENDING:
                    message.state = MessageState.PENDING
                    message.attempts -= 1
                    if not_before is not None:
                        message.retry_at = max(message.retry_at or not_before, not_before)
            await uow.commit()


async def _reported(uow: UnitOfWork, patient_id: int) -> bool:
    """Whether the patient has reported something that staff have not yet resolved (an
    incident of the bot's own finding, such as a refused send, says nothing about the scalp)."""
    incident = await uow.incidents.open_for_patient(patient_id)
    return incident is not None and incident.patient_reported


async def _check_in_for(
    uow: UnitOfWork, message: ScheduledMessage, patient: Patient, now: datetime
) -> int | None:
    """A plan check-in carries its first question: the check-in exists before it is sent."""
    if message.kind != CHECK_IN_KIND or message.id is None:
        return None
    existing = await uow.check_ins.for_message(message.id)
    check_in = existing or await begin(uow, patient, now, message.id)
    return check_in.id


async def _skip(uow: UnitOfWork, message: ScheduledMessage, now: datetime) -> None:
    """Too late to be worth sending: skipped, and staff are given a task to follow up."""
    message.state = MessageState.SKIPPED
    await _open_task(uow, TaskKind.SKIPPED_MESSAGE, message, now)


async def _open_task(
    uow: UnitOfWork, kind: TaskKind, message: ScheduledMessage, now: datetime
) -> None:
    await open_task(
        uow,
        StaffTask(
            unique_key=f"{kind.value}:{message.unique_key}",
            kind=kind,
            patient_id=message.patient_id,
            created_at=now,
            detail=message.step_key or message.message_key,
        ),
    )
