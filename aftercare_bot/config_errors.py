"""Config mistakes in plain words: one line per mistake, as the clinic's IT person needs it.

Pydantic's own wording ("Input should be a valid integer", "Value error, ...") never reaches
the user: each common kind of problem is said again as a short sentence after the dotted
setting path, the value found is shown once, a secret never, and a misspelt section or key
is answered with the nearest name the config has.
"""

import difflib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

ENV_PREFIX = "AFTERCARE_"
_URL_PASSWORD = re.compile(r"(?<=://)([^/@:\s]*):[^/@\s]*@")
_UNION_TAG = re.compile(r"^[\w-]+\[.*\]$")
_LONGEST_SHOWN = 80

# What a setting looks like, for the line that says it is missing, empty or of the wrong type.
EXPECTED = {
    "clinic": "a [clinic] table with name, timezone, phone, emergency_number and hours",
    "staff": "a [staff] table with admin_ids",
    "clinic.name": 'the clinic\'s name, e.g. "Riverside Hair Clinic"',
    "clinic.timezone": 'an IANA time zone, e.g. "Europe/Paris"',
    "clinic.phone": 'the number patients call, e.g. "+33 1 23 45 67 89"',
    "clinic.emergency_number": 'the local emergency number, e.g. "112"',
    "clinic.hours": 'when the chat is watched, e.g. "Mon-Fri 09:00-19:00, Sat 10:00-14:00"',
    "clinic.timezone_choices": 'a list of IANA time zones, e.g. ["Europe/Paris"]',
    "staff.admin_ids": "a list of Telegram user ids, e.g. [123456789]",
    "staff.oncall_ids": "a list of Telegram user ids, e.g. [123456789]",
}


def describe_problems(
    errors: Sequence[ErrorDetails],
    *,
    model: type[BaseModel],
    file: Path,
    environ: Mapping[str, str],
) -> list[str]:
    """One plain line per mistake pydantic found in the config read from `file`.

    `environ` tells which settings came from `AFTERCARE_*` variables rather than the file.
    """
    places = _Places(model, file, environ)
    unknown = {
        _fields(error["loc"]): places.unknown(_fields(error["loc"]), error["input"])
        for error in errors
        if error["type"] == "extra_forbidden"
    }
    suggested = {suggestion for _line, suggestion in unknown.values()}
    lines: dict[tuple[object, ...], str] = {}
    for error in errors:
        loc = _fields(error["loc"])
        if loc in lines or (error["type"] == "missing" and dotted(loc) in suggested):
            continue  # a union's further errors, or the key that was misspelt: said already
        lines[loc] = unknown[loc][0] if loc in unknown else places.describe(loc, error)
    return list(dict.fromkeys(lines.values()))


def unreadable_variables(message: str, environ: Mapping[str, str]) -> str:
    """The line for `AFTERCARE_*` variables pydantic-settings could not decode (`message`)."""
    field = re.search(r'field "(\w+)"', message)
    prefix = ENV_PREFIX + (field[1].upper() if field else "")
    names = sorted(name for name in environ if name.upper().startswith(prefix)) or [prefix + "_*"]
    return (
        f"{', '.join(names)}: cannot be read (a list in a variable is written as JSON, "
        "e.g. [1001, 1002])"
    )


def unknown_key_line(file: Path, name: str, known: Iterable[str], *, kind: str = "key") -> str:
    """The line for a key (or section) of `file` that is none of `known`, naming the nearest."""
    match = _close(name, known)
    return f"{file}: unknown {kind} {name}" + (f" — did you mean {match}?" if match else "")


def dotted(loc: Sequence[object]) -> str:
    """A setting's place as the user would look for it: `staff.admin_ids item 2`."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f" item {part + 1}"
        else:
            text += f".{part}" if text else str(part)
    return text


def shown(value: object, *, secret: bool = False) -> str:
    """A value as written in TOML, short, with any secret or URL password masked."""
    if secret or isinstance(value, SecretStr):
        return '"***"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, str):
        value = _URL_PASSWORD.sub(r"\1:***@", value)
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    if len(text) <= _LONGEST_SHOWN:
        return text
    if isinstance(value, str):
        return text[: _LONGEST_SHOWN - 2] + '…"'
    return "a list" if isinstance(value, list) else text[:_LONGEST_SHOWN] + "…"


class _Places:
    """Knows the config's sections and keys, where each came from, and which are secret."""

    def __init__(self, model: type[BaseModel], file: Path, environ: Mapping[str, str]) -> None:
        self.model = model
        self.file = file
        self.environ = {name.upper() for name in environ}

    def unknown(self, loc: tuple[object, ...], value: object) -> tuple[str, str | None]:
        """The line for a misspelt section or key, and the name it suggests, if any."""
        *parents, name = [str(part) for part in loc]
        variable = self._variable(loc)
        if variable:
            known = [_variable_name((*parents, key)) for key in self._keys(parents)]
            match = _close(variable, known)
            hint = f" — did you mean {match}?" if match else ""
            return f"{variable}: unknown setting {dotted(loc)}{hint}", None
        if not parents:
            return self._unknown_top_level(name, value)
        section = ".".join(parents)
        match = _close(name, self._keys(parents))
        if match is None:
            expected = ", ".join(self._keys(parents))
            return (
                f"{self.file}: unknown key {dotted(loc)} (expected one of {expected} "
                f"in [{section}])",
                None,
            )
        return (
            f"{self.file}: unknown key {dotted(loc)} — did you mean {section}.{match}?",
            f"{section}.{match}",
        )

    def _unknown_top_level(self, name: str, value: object) -> tuple[str, str | None]:
        sections = self._keys([])
        if isinstance(value, Mapping):
            match = _close(name, sections)
            if match is None:
                expected = ", ".join(f"[{section}]" for section in sections)
                return f"{self.file}: unknown section [{name}] (expected one of {expected})", None
            return f"{self.file}: unknown section [{name}] — did you mean [{match}]?", match
        # A key written above every [section] header: name the section it belongs under.
        owners = {key: section for section in sections for key in self._keys([section])}
        match = _close(name, owners)
        if match is None:
            return f"{self.file}: unknown key {name} (expected it under a [section])", None
        owner = owners[match]
        return (
            f"{self.file}: unknown key {name} — did you mean {owner}.{match}, under [{owner}]?",
            None,
        )

    def describe(self, loc: tuple[object, ...], error: ErrorDetails) -> str:
        """The line for a value that is missing or cannot be used."""
        place = dotted(loc)
        variable = self._variable(loc)
        if variable:
            place += f" (from {variable})"
        if error["type"] == "missing":
            return f"{place}: missing (expected {EXPECTED.get(dotted(loc), 'a value')})"
        value = error["input"]
        sentence = _sentence(error, dotted(loc), value)
        # "is not a duration" follows the value; "'Fro' is not a weekday" is about a part of it.
        separator = " " if sentence[:1].islower() else ": "
        return f"{place}: {shown(value, secret=self._secret(loc))}{separator}{sentence}"

    def _keys(self, parents: Sequence[str]) -> list[str]:
        model = self._model_at(parents)
        if model is None:
            return []
        return [
            field.alias or name
            for name, field in model.model_fields.items()
            if name != "source"  # filled in by load_config, not a setting
        ]

    def _model_at(self, parents: Sequence[object]) -> type[BaseModel] | None:
        model = self.model
        for part in parents:
            field = _field_named(model, str(part))
            annotation = field.annotation if field is not None else None
            if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
                return None
            model = annotation
        return model

    def _secret(self, loc: tuple[object, ...]) -> bool:
        model = self._model_at(loc[:-1])
        field = _field_named(model, str(loc[-1])) if model is not None else None
        if field is not None and field.annotation is SecretStr:
            return True
        return str(loc[-1]).endswith("token")  # in case a secret is ever typed otherwise

    def _variable(self, loc: Sequence[object]) -> str | None:
        """The `AFTERCARE_SECTION_KEY` variable that set this, when one is set."""
        name = _variable_name(loc)
        return name if name in self.environ else None


def _variable_name(loc: Sequence[object]) -> str:
    return ENV_PREFIX + "_".join(str(part) for part in loc[:2]).upper()


def _sentence(error: ErrorDetails, place: str, value: object) -> str:
    """What is wrong with `value`, in words, without pydantic's."""
    kind = error["type"]
    context: Mapping[str, Any] = error.get("ctx") or {}
    hint = EXPECTED.get(place)
    unit = "characters" if isinstance(value, str) else "items"
    if kind in _FIXED:
        return _FIXED[kind].format(
            **{key: _number(bound) for key, bound in context.items()}, place=place
        )
    if kind in _HINTED:
        sentence, fallback = _HINTED[kind]
        return f"{sentence} (expected {hint or fallback})"
    if kind in ("value_error", "assertion_error"):
        return _own_words(str(context.get("error", error["msg"])), value)
    if kind in ("literal_error", "enum"):
        names = re.findall(r"'((?:[^'\\]|\\.)*)'", str(context.get("expected", "")))
        return f"is not one of the choices (expected one of {', '.join(map(json.dumps, names))})"
    if kind in ("too_short", "string_too_short"):
        if not value:
            return f"is empty (expected {hint or 'at least ' + str(context.get('min_length'))})"
        return f"is too short (expected at least {context.get('min_length')} {unit})"
    if kind in ("too_long", "string_too_long"):
        return f"is too long (expected at most {context.get('max_length')} {unit})"
    message = re.sub(r"^(Value error|Assertion failed), ", "", error["msg"])
    return f"is not valid (expected {message.removeprefix('Input should be ')})"


def _own_words(message: str, value: object) -> str:
    """A message of our own validators, without the value it may repeat at its start."""
    message = re.sub(r"^(Value error|Assertion failed), ", "", message)
    for written in (repr(value), repr(str(value))):
        if message.startswith(written + " "):
            return message.removeprefix(written + " ")
    return message


_FIXED = {
    "int_parsing": "is not a whole number",
    "int_type": "is not a whole number",
    "int_from_float": "is not a whole number",
    "float_parsing": "is not a number",
    "float_type": "is not a number",
    "bool_parsing": "is not true or false (expected true or false, unquoted)",
    "bool_type": "is not true or false (expected true or false, unquoted)",
    "greater_than": "is too small (expected more than {gt})",
    "greater_than_equal": "is too small (expected {ge} or more)",
    "less_than": "is too large (expected less than {lt})",
    "less_than_equal": "is too large (expected {le} or less)",
    "model_type": "is not a table (expected a [{place}] section with its keys below it)",
    "model_attributes_type": "is not a table (expected a [{place}] section)",
    "dict_type": "is not a table (expected a [{place}] section with its keys below it)",
}
# Sentences whose "expected" part is the setting's own example when EXPECTED has one.
_HINTED = {
    "string_type": ("is not text", "text in double quotes"),
    "list_type": ("is not a list", "a list in brackets, e.g. [1, 2]"),
    "string_pattern_mismatch": (
        "is not in the expected form",
        "the form shown in config.example.toml",
    ),
}


def _number(value: object) -> object:
    """A bound as the clinic would write it: 0, not 0.0."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _fields(loc: Sequence[object]) -> tuple[object, ...]:
    """The location without pydantic's tags for the member of a union it tried."""
    return tuple(part for part in loc if not (isinstance(part, str) and _UNION_TAG.match(part)))


def _field_named(model: type[BaseModel], name: str) -> FieldInfo | None:
    for key, field in model.model_fields.items():
        if name in (key, field.alias):
            return field
    return None


def _close(name: str, known: Iterable[str]) -> str | None:
    matches = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return matches[0] if matches else None
