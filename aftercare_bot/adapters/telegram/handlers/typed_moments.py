"""Reading a date and time a staff member typed, with the words for today, yesterday and
tomorrow in every offered language (the rules are in domain/typed_dates.py)."""

from aftercare_bot.adapters.telegram.runtime.context import AftercareContext
from aftercare_bot.domain.typed_dates import (
    AmbiguousMoment,
    Expected,
    TypedMoment,
    read_typed_moment,
)
from aftercare_bot.texts import Texts

_RELATIVE = (("today", 0), ("yesterday", -1), ("tomorrow", 1))


def day_words(texts: Texts) -> list[tuple[str, int]]:
    """The words for today (0), yesterday (-1) and tomorrow (1) in every offered language."""
    return [
        (texts.render(code, f"dates.{word}"), days)
        for code in texts.languages
        for word, days in _RELATIVE
    ]


def relative_words(context: AftercareContext) -> set[str]:
    """Every word for today, yesterday and tomorrow, in every offered language, casefolded."""
    return {word.casefold() for word, _days in day_words(context.services.texts)} | {
        word for word, _days in _RELATIVE
    }


def read_typed(
    context: AftercareContext, text: str, expected: Expected = Expected.ANY
) -> TypedMoment | AmbiguousMoment:
    """The moment typed, in the clinic's zone; a date without a year on the `expected` side
    of now.

    Raises:
        InvalidLocalTime: not a date and time in any form staff write them.
    """
    services = context.services
    return read_typed_moment(
        text,
        services.clock.now(),
        services.config.clinic.timezone,
        day_words(context.services.texts),
        expected,
    )
