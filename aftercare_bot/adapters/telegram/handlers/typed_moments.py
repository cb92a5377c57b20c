"""Reading a date and time a staff member typed, with the words for today, yesterday and
tomorrow in every offered language (the rules are in domain/typed_dates.py)."""

from aftercare_bot.adapters.telegram.runtime.context import AftercareContext
from aftercare_bot.domain.typed_dates import AmbiguousMoment, TypedMoment, read_typed_moment

_RELATIVE = (("today", 0), ("yesterday", -1), ("tomorrow", 1))


def read_typed(context: AftercareContext, text: str) -> TypedMoment | AmbiguousMoment:
    """The moment typed, in the clinic's zone.

    Raises:
        InvalidLocalTime: not a date and time in any form staff write them.
    """
    services = context.services
    words = [
        (services.texts.render(code, f"dates.{word}"), days)
        for code in services.texts.languages
        for word, days in _RELATIVE
    ]
    return read_typed_moment(text, services.clock.now(), services.config.clinic.timezone, words)
