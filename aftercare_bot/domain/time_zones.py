"""Finding a time zone from what a patient types: "Europe/Paris", "paris", "New York", and the
city as people write it at home: "São Paulo", "İstanbul", "Estambul", "Москва", "Київ".

Accents, case, spaces and hyphens are ignored ("sao paulo" finds São Paulo), and the city
names CLDR gives in each of the bot's languages are known besides the English ones of the
IANA database, so nobody has to guess how the zone database spells their city.
"""

import unicodedata
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel import Locale

from aftercare_bot.texts import available_languages

_NOT_PLACES = ("Etc/", "SystemV/", "posix/", "right/")


def _key(text: str) -> str:
    """`text` without accents, case, spaces or hyphens: "São-Paulo" -> "saopaulo"."""
    decomposed = unicodedata.normalize("NFKD", text.strip())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return "".join(char for char in plain.casefold() if char not in " _-'\u2019.")


@cache
def _by_city() -> dict[str, str]:
    cities: dict[str, str] = {}
    zones = available_timezones()
    for name in sorted(zones):
        if "/" in name and not name.startswith(_NOT_PLACES):
            cities.setdefault(_key(name.rsplit("/", 1)[1]), name)
    for language in available_languages():
        for zone, names in Locale.parse(language).time_zones.items():
            city = names.get("city")
            if city and zone in zones:
                cities.setdefault(_key(city), zone)
    return cities


def find_zone(text: str) -> ZoneInfo | None:
    """The zone an IANA name or a city names, or None."""
    typed = text.strip()
    if not typed:
        return None
    exact = {name.lower(): name for name in available_timezones()}.get(typed.lower())
    if exact:
        return ZoneInfo(exact)
    city = _by_city().get(_key(typed.rsplit("/", 1)[-1]))
    if city is None:
        return None
    try:
        return ZoneInfo(city)
    except ZoneInfoNotFoundError:
        return None
