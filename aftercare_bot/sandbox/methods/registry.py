"""The table of Bot API methods the simulator implements, keyed case-insensitively."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from ..world import World

Params = dict[str, Any]
Handler = Callable[[World, Params], Awaitable[Any]]

HANDLERS: dict[str, Handler] = {}


def handler(method: str) -> Callable[[Handler], Handler]:
    """Register a coroutine as the implementation of a Bot API method."""

    def register(function: Handler) -> Handler:
        HANDLERS[method.lower()] = function
        return function

    return register
