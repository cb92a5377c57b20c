"""Every user-facing text, from `messages/<lang>.toml`, rendered with HTML-escaped parameters.

Texts are written in Telegram's HTML parse mode. Anything a user typed is escaped when it is
put into a text, so that a patient called "<b>" breaks nothing; a parameter that is already
HTML is passed wrapped in `Html`.
"""

import html
import string
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cache, lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date, format_datetime, format_time, get_day_names

from aftercare_bot.domain.clinic_hours import ClinicHours, OpeningSpan
from aftercare_bot.telegram_html import EntityParseError, parse_html

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


def _reviewed(code: str, table: dict[str, Any]) -> bool:
    """Take `[meta] reviewed` out of a catalogue: whether a clinician who speaks the language
    has checked it (false until then; a clinic is warned before offering it)."""
    meta = table.get("meta")
    value = meta.pop("reviewed", False) if isinstance(meta, dict) else False
    if not isinstance(value, bool):
        raise CatalogueError(f"{code}.toml: meta.reviewed must be true or false")
    return value


def placeholders(text: str) -> frozenset[str]:
    """The `{names}` a text expects."""
    return frozenset(field for _, field, _, _ in string.Formatter().parse(text) if field)


@lru_cache(maxsize=4096)
def _placeholders_of(text: str) -> frozenset[str]:
    """The names a text's fields start with (`{a.b}` needs `a`), remembered: each of the
    catalogues' texts is rendered again and again."""
    return frozenset(field.split(".")[0].split("[")[0] for field in placeholders(text))


class Texts:
    """All catalogues, checked to have the same keys and placeholders in every language."""

    def __init__(
        self,
        catalogues: Mapping[str, Mapping[str, str]],
        defaults: Mapping[str, object] | None = None,
        *,
        reviewed: Mapping[str, bool] | None = None,
        offered: Sequence[str] | None = None,
        checked: bool = False,
        structure_only: bool = False,
    ) -> None:
        self._catalogues = dict(catalogues)
        self._defaults = dict(defaults or {})
        self.reviewed: dict[str, bool] = {
            code: (reviewed or {}).get(code, False) for code in catalogues
        }
        # The languages people are answered in; every catalogue stays loaded and checked.
        self.languages = tuple(offered) if offered is not None else tuple(catalogues)
        if not checked:  # catalogues taken from texts already checked are not checked again
            self._check_in_step(structure_only)

    def with_defaults(self, defaults: Mapping[str, object]) -> "Texts":
        """These texts filling `defaults` (the clinic's name, phone, hours) into every text
        that mentions them: the one render path needs no caller to remember them."""
        return Texts(
            self._catalogues,
            {**self._defaults, **defaults},
            reviewed=self.reviewed,
            offered=self.languages,
            checked=True,
        )

    def offering(self, codes: Sequence[str]) -> "Texts":
        """These texts answering only in `codes` (a clinic's `clinic.languages`, its own
        language first): a Telegram language not among them gets the first.

        Raises:
            CatalogueError: a code has no catalogue.
        """
        unknown = [code for code in codes if code not in self._catalogues]
        if unknown or not codes:
            raise CatalogueError(
                f"no catalogue for {', '.join(unknown) or 'an empty list'} "
                f"(expected some of {', '.join(self._catalogues)})"
            )
        return Texts(
            self._catalogues,
            self._defaults,
            reviewed=self.reviewed,
            offered=tuple(codes),
            checked=True,
        )

    def with_plan_texts(self, extra: Mapping[str, Mapping[str, str]]) -> "Texts":
        """These texts with the sentences staff wrote for plan steps (key → language → text,
        each checked when it was saved); a language without one reads the clinic's first
        offered language's."""
        if not extra:
            return self
        catalogues = {code: dict(catalogue) for code, catalogue in self._catalogues.items()}
        for key, by_language in extra.items():
            fallback = next(
                (by_language[code] for code in self.languages if code in by_language),
                next(iter(by_language.values()), ""),
            )
            for code, catalogue in catalogues.items():
                catalogue[key] = by_language.get(code, fallback)
        return Texts(
            catalogues, self._defaults, reviewed=self.reviewed, offered=self.languages, checked=True
        )

    def with_overrides(self, directory: Path) -> tuple["Texts", list[str]]:
        """These texts with a clinic's own sentences from `directory` (`texts.dir`): a file
        per language holding only the keys it changes, e.g. `en.toml` with `[help] patient`.

        Returns the texts and the problems, one line each, naming the file and key: a key the
        bot does not have, or placeholders that differ from the shipped text's (a dropped
        `{emergency}` must not pass unseen). `[meta] reviewed = true` in a clinic's file records
        its own clinician's review of that language.
        """
        catalogues = {code: dict(catalogue) for code, catalogue in self._catalogues.items()}
        reviewed = dict(self.reviewed)
        problems: list[str] = []
        for path in sorted(directory.glob("*.toml")):
            code = path.stem
            if code not in catalogues:
                problems.append(
                    f"{path.name}: no shipped language {code!r} "
                    f"(expected one of {', '.join(catalogues)})"
                )
                continue
            try:
                table = tomllib.loads(path.read_text("utf-8"))
                if "reviewed" in table.get("meta", {}):
                    reviewed[code] = _reviewed(code, table)
                own = _flatten(table)
            except (tomllib.TOMLDecodeError, CatalogueError) as error:
                problems.append(f"{path.name}: {error}")
                continue
            for key, text in own.items():
                shipped = catalogues[code].get(key)
                if shipped is None:
                    problems.append(f"{path.name}: {key} is not a text of the bot")
                elif placeholders(text) != placeholders(shipped):
                    problems.append(
                        f"{path.name}: {key} has placeholders {sorted(placeholders(text))}, "
                        f"the shipped text has {sorted(placeholders(shipped))}"
                    )
                else:
                    problem = _html_problem(text)
                    if problem is not None:
                        problems.append(f"{path.name}: {key}: {problem}")
                        continue
                    catalogues[code][key] = text
        # The keys and placeholders are the shipped ones (checked above), so the plural forms
        # are too: only the clinic's sentences needed checking.
        texts = Texts(
            catalogues, self._defaults, reviewed=reviewed, offered=self.languages, checked=True
        )
        return texts, problems

    def raw(self, language: str, key: str) -> str | None:
        """A text as the catalogue writes it, placeholders unfilled; None if there is none."""
        return self._catalogues.get(language, {}).get(key)

    def forms(self, language: str, key: str) -> dict[str, str]:
        """A plural text's forms by CLDR category ("one", "few", ...); empty for a plain text."""
        catalogue = self._catalogues[language]
        return {
            name.split(_PLURAL_MARK)[1]: text
            for name, text in catalogue.items()
            if _PLURAL_MARK in name and _base(name) == key
        }

    @property
    def all_languages(self) -> tuple[str, ...]:
        """Every language with a catalogue, offered or not."""
        return tuple(self._catalogues)

    @classmethod
    def load(cls, directory: Path | None = None) -> "Texts":
        """The shipped catalogues (read and checked once a process: every bot a test starts
        shares them), or a complete set in `directory`."""
        if directory is None:
            return _shipped()
        return cls._read(directory)

    @classmethod
    def _read(cls, directory: Path | None) -> "Texts":
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
        reviewed: dict[str, bool] = {}
        for code, source in sorted(sources.items(), key=lambda item: item[0] != DEFAULT_LANGUAGE):
            try:
                table = tomllib.loads(source)
            except tomllib.TOMLDecodeError as error:
                raise CatalogueError(f"{code}.toml: {error}") from None
            reviewed[code] = _reviewed(code, table)
            catalogues[code] = _flatten(table)
        # The shipped catalogues' grammar and HTML are checked by the tests (`verify`): at every
        # start those checks would load Babel's data of every language (14 MiB, 70 ms) for
        # nothing. A clinic's own texts are checked in full.
        return cls(catalogues, reviewed=reviewed, structure_only=directory is None)

    def keys(self) -> frozenset[str]:
        """Every message key (the same in every language)."""
        return frozenset(_base_keys(self._catalogues[DEFAULT_LANGUAGE]))

    def verify(self) -> None:
        """Every check a catalogue must pass, the grammar and Telegram's HTML included (the
        start-up skips those two for the shipped catalogues: the tests make them).

        Raises:
            CatalogueError: the first problem found.
        """
        self._check_in_step(structure_only=False)

    def _check_in_step(self, structure_only: bool) -> None:
        reference = _base_keys(self._catalogues[DEFAULT_LANGUAGE])
        for code, catalogue in self._catalogues.items():
            if not structure_only:
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
                if not structure_only:
                    _check_html(code, key, text)

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

    def language_for(self, code: str | None, fallback: str | None = None) -> str:
        """The offered language closest to a Telegram `language_code` such as "ru" or "en-GB";
        else `fallback`, else the first offered (the clinic's own)."""
        if code:
            base = code.split("-")[0].lower()
            if base in self.languages:
                return base
        if fallback is not None and fallback in self.languages:
            return fallback
        return self.languages[0]

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
        count = params.get("count")
        if key not in catalogue and isinstance(count, int):
            key = _plural_key(catalogue, key, Locale.parse(language).plural_form(count))
        text = catalogue[key]
        wanted = _placeholders_of(text)
        # A callable value is written in the reader's language: called with it, and only when
        # the text shows it (the clinic's hours need Babel's data of that language).
        safe = {
            name: _escaped(value(language) if callable(value) else value)
            for name, value in {**self._defaults, **params}.items()
            if name in wanted
        }
        return text.format(**safe)

    def format_day(self, language: str, day: date, pattern: str = "medium") -> str:
        """A localized date, e.g. "Wed 25 Nov 2026"."""
        return format_date(day, format=pattern, locale=language)

    def format_time(self, language: str, moment: datetime, pattern: str = "medium") -> str:
        """A localized date and time, e.g. "25 Nov 2026, 19:00" (the moment is already local)."""
        return format_datetime(moment, format=pattern, locale=language)


@cache
def _shipped() -> Texts:
    """The shipped catalogues, read and checked once."""
    return Texts._read(None)


def _check_html(code: str, key: str, text: str) -> None:
    """Telegram must accept the text in HTML mode, whatever its parameters hold (they are
    escaped when filled in, so a sample stands for them)."""
    problem = _html_problem(text)
    if problem is not None:
        raise CatalogueError(f"messages/{code}.toml: {key}: {problem}")


def _html_problem(text: str) -> str | None:
    """Why Telegram would refuse the text in HTML mode; None when it would take it."""
    if "<" not in text and "&" not in text:
        return None  # nothing for Telegram's parser to refuse
    try:
        parse_html(text.format(**dict.fromkeys(placeholders(text), "x")))
    except EntityParseError as error:
        return f"Telegram would refuse it: {error}"
    except (ValueError, IndexError, KeyError) as error:
        return f"braces do not pair: {error}"
    return None


# The shipped English is British (24-hour times, as the clinic's own line is written).
_HOURS_LOCALES = {"en": "en_GB"}
_TO = "\N{EN DASH}"  # a range: Mon-Fri, 09:00-19:00


def format_hours(hours: ClinicHours, language: str) -> str:
    """The clinic's hours as a reader of `language` writes them, from the parsed weekly spans:
    "Mon-Fri 09:00-19:00, Sat 10:00-14:00" in English, "Pzt-Cum 09:00-19:00, Cmt 10:00-14:00"
    in Turkish (with en dashes). Days in a row with the same times make one range; weekday
    names and times come from CLDR (Babel).
    """
    if not hours.spans:
        return hours.text
    locale = _HOURS_LOCALES.get(language, language)
    days = get_day_names("abbreviated", locale=locale)
    groups: list[list[OpeningSpan]] = []
    for span in sorted(hours.spans, key=lambda span: (span.weekday, span.opens)):
        last = groups[-1][-1] if groups else None
        if (
            last is not None
            and span.weekday == last.weekday + 1
            and (span.opens, span.closes) == (last.opens, last.closes)
        ):
            groups[-1].append(span)
        else:
            groups.append([span])

    def clock(moment: time) -> str:
        return "24:00" if moment == time.max else format_time(moment, "short", locale=locale)

    parts = []
    for group in groups:
        first, last_day = group[0], group[-1]
        named = days[first.weekday]
        if last_day.weekday != first.weekday:
            named += f"{_TO}{days[last_day.weekday]}"
        parts.append(f"{named} {clock(first.opens)}{_TO}{clock(first.closes)}")
    return ", ".join(parts)


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
