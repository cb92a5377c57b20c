"""Flood control's watch on arrivals: which private messages come in a flood.

Arrivals are noted by the update processor the moment an update comes in, before it waits for
its chat's earlier updates; each message is judged when its turn comes (see
`flood_control`). Messages a patient in trouble relies on are never counted or held.
"""

import logging
from collections.abc import Awaitable
from datetime import datetime
from typing import Any

from telegram import Message, Update

from aftercare_bot.adapters.telegram.handlers.stop_words import StopStartWords
from aftercare_bot.adapters.telegram.runtime.update_order import ChatOrderedUpdates
from aftercare_bot.domain.floods import Flooding, FloodWatch
from aftercare_bot.services.ports import Clock

logger = logging.getLogger(__name__)

_EXEMPT_COMMANDS = frozenset({"/checkin", "/stop", "/start"})
# Arrival times kept for updates waiting their turn: far more than any backlog.
_ARRIVALS_KEPT = 10_000


def _private_message(update: object) -> Message | None:
    if not isinstance(update, Update) or update.effective_chat is None:
        return None
    if update.effective_chat.type != "private":
        return None
    return update.message or update.edited_message


def never_held(message: Message, concern_labels: set[str], words: StopStartWords) -> bool:
    """Messages flood control never touches: a patient in trouble must always get through."""
    text = (message.text or "").strip()
    command = text.split(maxsplit=1)[0].split("@", 1)[0].lower() if text else ""
    return command in _EXEMPT_COMMANDS or text in concern_labels or words.matches(text)


class FloodGate:
    """Notes every private message as it arrives, and judges it when its turn comes."""

    def __init__(
        self, watch: FloodWatch, clock: Clock, concern_labels: set[str], words: StopStartWords
    ) -> None:
        self._watch = watch
        self._clock = clock
        self._concern_labels = concern_labels
        self._words = words
        # When each counted update arrived, until its turn comes (bounded: an update dropped
        # before the gate, a repeat, is forgotten with the oldest).
        self._arrivals: dict[int, datetime] = {}

    def arrived(self, update: object) -> None:
        """Count a private message against its chat's pace, as it arrives."""
        message = _private_message(update)
        if message is None or never_held(message, self._concern_labels, self._words):
            return
        assert isinstance(update, Update)  # a private message comes in an Update
        if update.update_id in self._arrivals:
            return  # Telegram sent it again while it waits: it counts once, from its first arrival
        now = self._clock.now()
        self._watch.arrived(message.chat_id, now)
        if len(self._arrivals) >= _ARRIVALS_KEPT:
            del self._arrivals[next(iter(self._arrivals))]
        self._arrivals[update.update_id] = now

    def judge(self, update: object) -> Flooding | None:
        """Whether this update, now its turn has come, is a message that arrived in a flood."""
        message = _private_message(update)
        if message is None or never_held(message, self._concern_labels, self._words):
            return None
        assert isinstance(update, Update)  # a private message comes in an Update
        now = self._clock.now()
        arrived_at = self._arrivals.pop(update.update_id, now)
        return self._watch.judge(message.chat_id, arrived_at, now)


class FloodAwareUpdates(ChatOrderedUpdates):
    """Chat-ordered updates that note each message's arrival before it waits its turn."""

    def __init__(self, gate: FloodGate, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._gate = gate

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Note the arrival, then wait for the chat's earlier updates as usual."""
        try:
            self._gate.arrived(update)
        except Exception as error:  # counting must never cost an update
            logger.warning("could not note an update's arrival: %r", error)
        await super().do_process_update(update, coroutine)
