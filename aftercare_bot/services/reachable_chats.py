"""Private chats this process has seen write while their patient was not unreachable.

Every private message asks "was this an unreachable patient, now back?" before the bot
answers it. Asking the database each time cost a round trip in front of every answer (about
3 ms of a /checkin's 10 on SQLite), for a question whose answer almost never changes: a
patient becomes unreachable only when a send to them is refused. So the answer "not
unreachable" is remembered per chat and forgotten when that changes:

- `forget` runs after the commit that marks a patient unreachable (a unit of work's
  `after_commit`), and bumps a generation so that a look-up that read the old status while
  that commit was under way does not remember it afterwards;
- `clear` runs when this process becomes the active instance, since another instance may
  have marked patients unreachable while this one stood by.
"""


class ReachableChats:
    """Chat ids known not to belong to an unreachable patient, as of their last look-up."""

    def __init__(self) -> None:
        self._chats: set[int] = set()
        self.generation = 0

    def __contains__(self, chat_id: int) -> bool:
        return chat_id in self._chats

    def remember(self, chat_id: int, generation: int) -> None:
        """Remember a look-up that began at `generation`, unless something was forgotten
        since (the look-up may have read a status that is no longer true)."""
        if generation == self.generation:
            self._chats.add(chat_id)

    def forget(self, chat_id: int) -> None:
        """The patient in this chat became unreachable: ask the database again next time."""
        self._chats.discard(chat_id)
        self.generation += 1

    def clear(self) -> None:
        """Forget everything (this process just became the active instance)."""
        self._chats.clear()
        self.generation += 1
