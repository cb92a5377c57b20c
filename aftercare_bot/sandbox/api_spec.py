"""The vendored Bot API description, so requests are judged against the real method catalogue."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class ParamSpec:
    """One documented parameter: its name, accepted types and whether Telegram insists on it."""

    name: str
    types: tuple[str, ...]
    required: bool


@dataclass(frozen=True)
class MethodSpec:
    """One documented method, with the canonical spelling Telegram uses."""

    name: str
    params: tuple[ParamSpec, ...]

    def param(self, name: str) -> ParamSpec | None:
        """Find a parameter by name, or None if the method does not document it."""
        return next((p for p in self.params if p.name == name), None)


class ApiSpec:
    """Case-insensitive view over the methods of the spec, because Telegram ignores case."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.version: str = raw.get("version", "unknown")
        self._methods = {
            name.lower(): _method_from_json(name, body)
            for name, body in raw.get("methods", {}).items()
        }

    def method(self, name: str) -> MethodSpec | None:
        """Look a method up the way the server routes it (any letter case)."""
        return self._methods.get(name.lower())

    def method_names(self) -> list[str]:
        """List canonical method names, so callers can report what exists."""
        return sorted(m.name for m in self._methods.values())


def _method_from_json(name: str, body: dict[str, Any]) -> MethodSpec:
    params = tuple(
        ParamSpec(
            name=field["name"],
            types=tuple(field.get("types", ())),
            required=bool(field.get("required", False)),
        )
        for field in body.get("fields", ())
    )
    return MethodSpec(name=name, params=params)


@cache
def load_spec() -> ApiSpec:
    """Load the ~1 MB spec on first use only, so importing the sandbox stays cheap."""
    package = __package__ or "aftercare_bot.sandbox"
    text = resources.files(package).joinpath("spec", "api.json").read_text(encoding="utf-8")
    return ApiSpec(json.loads(text))
