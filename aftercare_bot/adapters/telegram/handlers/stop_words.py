"""The plain words a patient may send instead of /stop and /start, in every offered language.

STOP and START work in every language (patients know them from text messages); each
catalogue adds its own (`words.stop`, `words.start`: "parar|baja"), since a patient who wants
no more messages must not have to guess the English word. A word counts only as the whole
message ("stop!" yes, "stop the itching?" no), in any case.
"""

import re
from dataclasses import dataclass

from aftercare_bot.texts import Texts

_UNIVERSAL = {"stop": "stop", "start": "start"}


@dataclass(frozen=True)
class StopStartWords:
    """The two patterns: a whole message that means stop, and one that means start."""

    stop: re.Pattern[str]
    start: re.Pattern[str]

    def matches(self, text: str) -> bool:
        """Whether `text` is one of the words (flood control never holds these)."""
        return bool(self.stop.match(text) or self.start.match(text))


def stop_start_words(texts: Texts) -> StopStartWords:
    """The words of every offered language, and STOP and START."""
    return StopStartWords(_pattern(texts, "stop"), _pattern(texts, "start"))


def _pattern(texts: Texts, which: str) -> re.Pattern[str]:
    words = {_UNIVERSAL[which]}
    for language in texts.languages:
        words.update(
            word.strip().casefold()
            for word in texts.render(language, f"words.{which}").split("|")
            if word.strip()
        )
    alternatives = "|".join(re.escape(word) for word in sorted(words))
    return re.compile(rf"^\s*({alternatives})\s*[.!]?\s*$", re.IGNORECASE)
