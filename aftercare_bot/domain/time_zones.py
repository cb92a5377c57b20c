"""Finding a time zone from what a patient types: "Europe/Paris", "paris", "New York"."""

from functools import cache
from zoneinfo import ZoneInfo, available_timezones


@cache
def _by_city() -> dict[str, str]:
    cities: dict[str, str] = {}
    for name in sorted(available_timezones()):
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "posix/", "right/")):
            cities.setdefault(name.rsplit("/", 1)[1].lower(), name)
    return cities


def find_zone(text: str) -> ZoneInfo | None:
    """The zone an IANA name or a city names (case and spaces ignored), or None."""
    typed = text.strip()
    if not typed:
        return None
    exact = {name.lower(): name for name in available_timezones()}.get(typed.lower())
    if exact:
        return ZoneInfo(exact)
    city = _by_city().get(typed.replace(" ", "_").lower())
    return ZoneInfo(city) if city else None
