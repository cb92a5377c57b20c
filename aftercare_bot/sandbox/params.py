"""Turning raw request fields into typed parameters, guided by the spec.

Form and multipart bodies carry every value as a string (python-telegram-bot JSON-encodes
lists and objects into them), while JSON bodies carry native values. Handlers should not care
which one arrived, so everything is normalised here before dispatch.
"""

from __future__ import annotations

import json
from typing import Any

from .api_spec import MethodSpec, ParamSpec
from .errors import (
    CHAT_ID_EMPTY,
    MESSAGE_ID_MISSING,
    TEXT_EMPTY,
    ApiError,
    bad_request,
)
from .files import UploadedFile

_MISSING_DESCRIPTIONS = {
    "chat_id": CHAT_ID_EMPTY,
    "text": TEXT_EMPTY,
    "message_id": MESSAGE_ID_MISSING,
    "photo": "Bad Request: there is no photo in the request",
    "document": "Bad Request: there is no document in the request",
    "user_id": "Bad Request: invalid user_id specified",
}

_SCALARS = frozenset({"Integer", "String", "Boolean", "Float"})


def normalize_params(
    method: MethodSpec, raw: dict[str, Any], files: dict[str, UploadedFile]
) -> dict[str, Any]:
    """Coerce documented fields to their spec types and insist on the required ones."""
    params: dict[str, Any] = {}
    for name, value in raw.items():
        spec = method.param(name)
        params[name] = (
            _resolve_attach(value, files) if spec is None else _coerce(spec, value, files)
        )
    for name, upload in files.items():
        if method.param(name) is not None and name not in params:
            params[name] = upload
    for spec in method.params:
        if spec.required and _is_missing(params.get(spec.name)):
            raise missing_param(spec.name)
    return params


def missing_param(name: str) -> ApiError:
    """Describe a missing parameter the way Telegram does for the common ones."""
    return ApiError(
        400, _MISSING_DESCRIPTIONS.get(name, f'Bad Request: parameter "{name}" is required')
    )


def _is_missing(value: Any) -> bool:
    return value is None or value == ""


def _resolve_attach(value: Any, files: dict[str, UploadedFile]) -> Any:
    if isinstance(value, str) and value.startswith("attach://"):
        return files.get(value.removeprefix("attach://"), value)
    return value


def _coerce(spec: ParamSpec, value: Any, files: dict[str, UploadedFile]) -> Any:
    value = _resolve_attach(value, files)
    if isinstance(value, UploadedFile) or value is None:
        return value
    types = set(spec.types)
    if "InputFile" in types:
        return value
    if types <= _SCALARS:
        return _coerce_scalar(spec.name, types, value)
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {spec.name} JSON object") from None
    return value


def _coerce_scalar(name: str, types: set[str], value: Any) -> Any:
    if "Boolean" in types:
        return _coerce_bool(name, value)
    if "Integer" in types:
        as_int = _try_int(value)
        if as_int is not None:
            return as_int
        if "String" in types and isinstance(value, str):
            return value
        raise bad_request(f"invalid {name} specified")
    if "Float" in types:
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None
    return value if isinstance(value, str) else json.dumps(value)


def _coerce_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"true", "1"}:
        return True
    if text in {"false", "0", ""}:
        return False
    raise bad_request(f"invalid {name} specified")


def _try_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def chat_id_param(params: dict[str, Any], name: str = "chat_id") -> int | str:
    """The chat a call targets: an int id or an "@username" string."""
    value = params.get(name)
    if isinstance(value, int | str) and not isinstance(value, bool) and value != "":
        return value
    raise missing_param(name)


def optional_int(params: dict[str, Any], name: str) -> int | None:
    """An integer parameter that may be absent."""
    value = params.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None
