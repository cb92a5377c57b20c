"""The fake of the dispatcher's wake-up port."""


class Wakes:
    """Counts the dispatcher's wake-ups."""

    def __init__(self) -> None:
        self.count = 0

    def wake(self) -> None:
        """Count one wake-up."""
        self.count += 1
