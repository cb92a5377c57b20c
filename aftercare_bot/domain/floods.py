"""Telling a person typing from a flood, by the moment each message arrives.

A chat that sends more than `max_messages` within `window` is flooding (a stuck keyboard, a
forwarded album, or someone trying to starve the bot). While it floods, its messages are not
answered one by one: the chat gets at most one short "received" per window, a linked
patient's messages are kept and reach staff as one post, and nothing else is done for them.
Arrivals are counted when an update arrives, not when its turn comes (updates of one chat are
handled one after the other, so counting at handling would never see the flood). Each message
is judged when its turn comes, by the moment it arrived: it is in a flood when some window that
holds its arrival holds more than the limit. So a message that came just before the flood is
bundled with it rather than answered a minute late, and the flood's tail is still a flood when
working through the backlog took longer than a window (judged by the moment of handling, the
tail would look like a person's pace and be answered one by one).
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
    window that gets the short "received"; `since` is when the flood began, as far as its
    bundled post goes: its window's start, or a window before `now` when the flood is handled
    later than that (a flood worked through late is still posted as one bundle, after
    `post_within`, not at once a few messages at a time)."""

    answer: bool
    since: datetime


# How long an arrival is remembered while its chat's messages wait their turn: a message that
# waited longer than this behind its chat's backlog is judged on the arrivals left (memory
# stays bounded even for messages that are counted and never judged).
REMEMBERED = timedelta(minutes=10)


@dataclass
class _Chat:
    arrivals: deque[datetime] = field(default_factory=deque)


class FloodWatch:
    """The recent arrivals of each chat, and whether a message came in a flood when its turn
    comes."""

    def __init__(self, limit: FloodLimit) -> None:
        self._limit = limit
        self._chats: dict[int, _Chat] = {}
        self._answers = OncePerWindow(limit.window)
        self._forget_at = 1_000  # chats noted before the quiet ones are looked for again

    def arrived(self, chat_id: int, now: datetime) -> None:
        """Note that a message from `chat_id` arrived at `now` (before it waits its turn)."""
        self._forget_quiet_chats(now)
        chat = self._chats.setdefault(chat_id, _Chat())
        chat.arrivals.append(now)
        while chat.arrivals[0] <= now - REMEMBERED:
            chat.arrivals.popleft()

    def judge(self, chat_id: int, arrived_at: datetime, now: datetime) -> Flooding | None:
        """Whether the message of `chat_id` that arrived at `arrived_at`, handled at `now`,
        came in a flood: more than the limit arrived within one window holding its arrival.
        None while the chat's pace is a person's.

        A chat's messages are judged in the order they arrived, so arrivals a window or more
        before this one can share a window with no later message either, and are dropped.
        """
        chat = self._chats.get(chat_id)
        if chat is None:
            return None
        window, most = self._limit.window, self._limit.max_messages
        while chat.arrivals and chat.arrivals[0] <= arrived_at - window:
            chat.arrivals.popleft()
        if len(chat.arrivals) <= most:
            return None
        arrivals = list(chat.arrivals)
        end = 0
        for start, began in enumerate(arrivals):
            if began > arrived_at:
                return None  # no window starting at or before this arrival is full
            while end < len(arrivals) and arrivals[end] < began + window:
                end += 1
            if end - start > most:
                since = max(began, now - window)
                return Flooding(answer=self._answers.first(chat_id, now), since=since)
        return None

    def _forget_quiet_chats(self, now: datetime) -> None:
        """Keep memory flat: a chat with nothing left to judge by needs no entry. Looked for
        when the chats noted double, so a busy clinic does not pay for it on every arrival."""
        if len(self._chats) < self._forget_at:
            return
        horizon = now - REMEMBERED
        self._chats = {
            chat_id: chat
            for chat_id, chat in self._chats.items()
            if chat.arrivals and chat.arrivals[-1] > horizon
        }
        self._forget_at = max(1_000, 2 * len(self._chats))


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
