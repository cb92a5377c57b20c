"""Wake-ups asked for while an update is handled go off once it is handled.

A use case that schedules something due now (a patient's consent makes their aftercare due, a
sent relay draft queues its message) wakes the dispatcher itself: it does not know which
front end called it. In Telegram the handler then answers in the same chat, and that answer
must come first ("Thank you, you are linked" before the instructions it announces), so the
wake is held until the update's handler returns. Outside an update (a timer, the command
line, the console) it goes off at once.
"""

from contextvars import ContextVar

from aftercare_bot.services.ports import WakeUp


class HeldWakes:
    """The wake-ups one update's handling asked for."""

    def __init__(self) -> None:
        self._wakes: list[WakeUp] = []
        self._released = False

    def hold(self, wake: WakeUp) -> bool:
        """Keep `wake` for the end of the update; False once it has ended (wake now)."""
        if self._released:
            return False
        if wake not in self._wakes:
            self._wakes.append(wake)
        return True

    def release(self) -> None:
        """The update is handled: every held wake-up goes off, once."""
        self._released = True
        wakes, self._wakes = self._wakes, []
        for wake in wakes:
            wake.wake()


# Set by the update processor around each update's handling (a task copies it when created).
HELD_WAKES: ContextVar[HeldWakes | None] = ContextVar("held_wakes", default=None)


class WakeAfterAnswer:
    """A `WakeUp` that, inside an update's handling, waits until the handler has answered."""

    def __init__(self, wake: WakeUp) -> None:
        self._wake = wake

    def wake(self) -> None:
        """Wake the dispatcher once the current update is handled (now, outside one)."""
        held = HELD_WAKES.get()
        if held is None or not held.hold(self._wake):
            self._wake.wake()
