"""Telling a person typing from a flood, by the moment each message arrives.

A chat that sends more than `max_messages` within `window` is flooding (a stuck keyboard, a
forwarded album, or someone trying to starve the bot). While it floods, its messages are not
answered one by one: the chat gets at most one short "received" per window, a linked
patient's messages are kept and reach staff as one post, and nothing else is done for them.
Arrivals are counted when an update arrives, not when its turn comes (updates of one chat are
handled one after the other, so counting at handling would never see the flood); the judgement
is made when a message is handled, so a message that came just before the flood is bundled
with it rather than answered a minute late.
"""

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass(frozen=True)
class FloodLimit:
    """More than `max_messages` within `window` is faster than a person types."""

    max_messages: int = 10
    window: timedelta = timedelta(seconds=10)


@dataclass(frozen=True)
class Flooding:
    """This message arrived in a flood: hold it. `answer` is True for the one message of the
    window that gets the short "received"; `since` is when the flood's window began."""

    answer: bool
    since: datetime


@dataclass
class _Chat:
    arrivals: deque[datetime] = field(default_factory=deque)


class FloodWatch:
    """The recent arrivals of each chat, and whether a chat is flooding when one of its
    messages is handled."""

    def __init__(self, limit: FloodLimit) -> None:
        self._limit = limit
        self._chats: dict[int, _Chat] = {}
        self._answers = OncePerWindow(limit.window)

    def arrived(self, chat_id: int, now: datetime) -> None:
        """Note that a message from `chat_id` arrived at `now` (before it waits its turn)."""
        self._forget_quiet_chats(now)
        chat = self._chats.setdefault(chat_id, _Chat())
        chat.arrivals.append(now)
        self._trim(chat, now)

    def judge(self, chat_id: int, now: datetime) -> Flooding | None:
        """Whether a message of `chat_id` handled at `now` comes in a flood (more than the
        limit arrived within the window); None while the chat's pace is a person's."""
        chat = self._chats.get(chat_id)
        if chat is None:
            return None
        self._trim(chat, now)
        if len(chat.arrivals) <= self._limit.max_messages:
            return None
        return Flooding(answer=self._answers.first(chat_id, now), since=chat.arrivals[0])

    def _trim(self, chat: _Chat, now: datetime) -> None:
        while chat.arrivals and chat.arrivals[0] <= now - self._limit.window:
            chat.arrivals.popleft()

    def _forget_quiet_chats(self, now: datetime) -> None:
        """Keep memory flat: a chat with nothing inside the window needs no entry."""
        if len(self._chats) < 1_000:
            return
        horizon = now - self._limit.window
        self._chats = {
            chat_id: chat
            for chat_id, chat in self._chats.items()
            if chat.arrivals and chat.arrivals[-1] > horizon
        }


class OncePerWindow:
    """Whether a chat may be told something again: at most once per `window`.

    For answers that say the same thing every time, such as "this button is no longer
    current": a patient pressing an old keyboard thirty times needs to read it once, and
    thirty of them at a chat's one-a-second pace would keep the bot busy for half a minute.
    """

    def __init__(self, window: timedelta = timedelta(seconds=10)) -> None:
        self._window = window
        self._told: dict[int, datetime] = {}

    def first(self, chat_id: int, now: datetime) -> bool:
        """True (and noted) unless `chat_id` was told within the window before `now`."""
        told = self._told.get(chat_id)
        if told is not None and now - told < self._window:
            return False
        if len(self._told) >= 1_000:
            self._told = {c: at for c, at in self._told.items() if now - at < self._window}
        self._told[chat_id] = now
        return True
