"""Every user-facing text, from `messages/<lang>.toml`, rendered with HTML-escaped parameters.

Texts are written in Telegram's HTML parse mode. Anything a user typed is escaped when it is
put into a text, so that a patient called "<b>" breaks nothing; a parameter that is already
HTML is passed wrapped in `Html`.
"""

import html
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date, format_datetime

PACKAGE = "aftercare_bot.messages"
DEFAULT_LANGUAGE = "en"


class CatalogueError(Exception):
    """The message catalogues disagree or cannot be read; raised at start, never at send time."""


@dataclass(frozen=True)
class Html:
    """A parameter value that is already safe HTML and must not be escaped again."""

    markup: str


@cache
def available_languages() -> tuple[str, ...]:
    """The language codes with a catalogue, the default language first."""
    names = [entry.name for entry in files(PACKAGE).iterdir() if entry.name.endswith(".toml")]
    codes = sorted(name.removesuffix(".toml") for name in names)
    return tuple(sorted(codes, key=lambda code: code != DEFAULT_LANGUAGE))


PLURAL_CATEGORIES = frozenset({"zero", "one", "two", "few", "many", "other"})
_PLURAL_MARK = "#"  # "buttons.in_weeks#few": one plural form of "buttons.in_weeks"


def _is_plural(value: Mapping[str, Any]) -> bool:
    """A table of CLDR plural forms, e.g. { one = "...", few = "...", other = "..." }."""
    return "other" in value and set(value) <= PLURAL_CATEGORIES


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and _is_plural(value):
            flat.update({f"{name}{_PLURAL_MARK}{form}": str(text) for form, text in value.items()})
        elif isinstance(value, Mapping):
            flat.update(_flatten(value, f"{name}."))
        elif isinstance(value, str):
            flat[name] = value
        else:
            raise CatalogueError(f"{name}: expected text, got {type(value).__name__}")
    return flat


def placeholders(text: str) -> frozenset[str]:
    """The `{names}` a text expects."""
    return frozenset(field for _, field, _, _ in string.Formatter().parse(text) if field)


class Texts:
    """All catalogues, checked to have the same keys and placeholders in every language."""

    def __init__(
        self,
        catalogues: Mapping[str, Mapping[str, str]],
        defaults: Mapping[str, object] | None = None,
    ) -> None:
        self._catalogues = dict(catalogues)
        self._defaults = dict(defaults or {})
        self.languages = tuple(catalogues)
        self._check_in_step()

    def with_defaults(self, defaults: Mapping[str, object]) -> "Texts":
        """These texts filling `defaults` (the clinic's name, phone, hours) into every text
        that mentions them: the one render path needs no caller to remember them."""
        return Texts(self._catalogues, {**self._defaults, **defaults})

    @classmethod
    def load(cls, directory: Path | None = None) -> "Texts":
        """Read every catalogue shipped in `messages/`, or a clinic's own copy in `directory`.

        Raises:
            CatalogueError: a file is not TOML, or the languages disagree.
        """
        if directory is None:
            sources = {
                name.removesuffix(".toml"): files(PACKAGE).joinpath(name).read_text("utf-8")
                for name in (f"{code}.toml" for code in available_languages())
            }
        else:
            sources = {path.stem: path.read_text("utf-8") for path in directory.glob("*.toml")}
        if DEFAULT_LANGUAGE not in sources:
            raise CatalogueError(f"{directory}: no {DEFAULT_LANGUAGE}.toml")
        catalogues: dict[str, dict[str, str]] = {}
        for code, source in sorted(sources.items(), key=lambda item: item[0] != DEFAULT_LANGUAGE):
            try:
                catalogues[code] = _flatten(tomllib.loads(source))
            except tomllib.TOMLDecodeError as error:
                raise CatalogueError(f"{code}.toml: {error}") from None
        return cls(catalogues)

    def keys(self) -> frozenset[str]:
        """Every message key (the same in every language)."""
        return frozenset(_base_keys(self._catalogues[DEFAULT_LANGUAGE]))

    def _check_in_step(self) -> None:
        reference = _base_keys(self._catalogues[DEFAULT_LANGUAGE])
        for code, catalogue in self._catalogues.items():
            self._check_plural_forms(code, catalogue)
            missing = sorted(set(reference) - set(_base_keys(catalogue)))
            extra = sorted(set(_base_keys(catalogue)) - set(reference))
            if missing or extra:
                raise CatalogueError(f"messages/{code}.toml: missing {missing}, unexpected {extra}")
            for key, text in catalogue.items():
                if placeholders(text) != placeholders(reference[_base(key)]):
                    expected = sorted(placeholders(reference[_base(key)]))
                    raise CatalogueError(
                        f"messages/{code}.toml: {key} has placeholders "
                        f"{sorted(placeholders(text))}, expected {expected}"
                    )

    def _check_plural_forms(self, code: str, catalogue: Mapping[str, str]) -> None:
        """Every plural text has each form the language's grammar needs (Babel's CLDR data)."""
        needed = set(Locale.parse(code).plural_form.tags) | {"other"}
        plural_keys = {_base(key) for key in catalogue if _PLURAL_MARK in key}
        for key in sorted(plural_keys):
            forms = {name.split(_PLURAL_MARK)[1] for name in catalogue if _base(name) == key}
            if not needed <= forms:
                raise CatalogueError(
                    f"messages/{code}.toml: {key} lacks plural forms {sorted(needed - forms)}"
                )

    def language_for(self, code: str | None, fallback: str = DEFAULT_LANGUAGE) -> str:
        """The supported language closest to a Telegram `language_code` such as "ru" or "en-GB"."""
        if code:
            base = code.split("-")[0].lower()
            if base in self._catalogues:
                return base
        return fallback

    def render(self, language: str, key: str, **params: object) -> str:
        """The text for `key` in `language`, parameters (and the defaults, such as the clinic's
        details) escaped for Telegram's HTML mode. The one way a text is rendered.

        A plural text picks its form from the integer parameter `count`, by the language's
        CLDR plural rules (Babel): "1 week", "3 недели", "5 недель".

        Raises:
            KeyError: the key is in no catalogue (a programming error, caught by the tests).
        """
        if language not in self._catalogues:
            language = DEFAULT_LANGUAGE
        catalogue = self._catalogues[language]
        safe = {name: _escaped(value) for name, value in {**self._defaults, **params}.items()}
        count = params.get("count")
        if key not in catalogue and isinstance(count, int):
            key = _plural_key(catalogue, key, Locale.parse(language).plural_form(count))
        return catalogue[key].format(**safe)

    def format_day(self, language: str, day: date, pattern: str = "medium") -> str:
        """A localized date, e.g. "Wed 25 Nov 2026"."""
        return format_date(day, format=pattern, locale=language)

    def format_time(self, language: str, moment: datetime, pattern: str = "medium") -> str:
        """A localized date and time, e.g. "25 Nov 2026, 19:00" (the moment is already local)."""
        return format_datetime(moment, format=pattern, locale=language)


def _plural_key(catalogue: Mapping[str, str], key: str, form: str) -> str:
    chosen = f"{key}{_PLURAL_MARK}{form}"
    return chosen if chosen in catalogue else f"{key}{_PLURAL_MARK}other"


def _base(key: str) -> str:
    return key.split(_PLURAL_MARK)[0]


def _base_keys(catalogue: Mapping[str, str]) -> dict[str, str]:
    """One entry per text; a plural text is represented by its "other" form."""
    keys: dict[str, str] = {}
    for key, text in catalogue.items():
        if _PLURAL_MARK not in key or key.endswith(f"{_PLURAL_MARK}other"):
            keys[_base(key)] = text
    return keys


def _escaped(value: object) -> str:
    if isinstance(value, Html):
        return value.markup
    return html.escape(str(value), quote=False)
