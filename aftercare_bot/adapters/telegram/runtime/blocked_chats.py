"""Private chats whose owner has just blocked the bot, known the moment Telegram says so.

Replies still queued for such a chat are dropped instead of sent (Telegram would refuse them).
The chat leaves the set when its owner unblocks the bot or writes again. Memory only: after a
restart a refused send teaches the bot the same, one request later.
"""


class BlockedChats:
    """A set of private chat ids that have blocked the bot."""

    def __init__(self) -> None:
        self._chats: set[int] = set()

    def add(self, chat_id: int) -> None:
        """The chat blocked the bot."""
        self._chats.add(chat_id)

    def discard(self, chat_id: int) -> None:
        """The chat is open again (unblocked, or its owner wrote); no-op if it was not blocked."""
        self._chats.discard(chat_id)

    def __contains__(self, chat_id: object) -> bool:
        """Whether the chat has blocked the bot."""
        return chat_id in self._chats
