"""The path of one Bot API call: spec check, faults, parameters, flood limits, handler, log."""

from __future__ import annotations

import logging
from typing import Any

from .api_spec import load_spec
from .errors import NOT_FOUND, NOT_SUPPORTED, ApiError
from .faults import Faults
from .files import UploadedFile
from .methods import HANDLERS
from .params import normalize_params
from .rate_limits import RateLimiter, is_rate_limited
from .world import ApiCall, World

logger = logging.getLogger(__name__)


class Dispatcher:
    """Answers Bot API calls against a World, the way Telegram's server would."""

    def __init__(self, world: World, faults: Faults, limiter: RateLimiter) -> None:
        self.world = world
        self.faults = faults
        self.limiter = limiter

    async def call(
        self, method: str, raw: dict[str, Any], files: dict[str, UploadedFile]
    ) -> tuple[int, dict[str, Any]]:
        """Run one call and return (HTTP status, JSON body)."""
        spec = load_spec().method(method)
        if spec is None:
            self._log(method, raw, files, NOT_FOUND.status, NOT_FOUND.description)
            return NOT_FOUND.status, NOT_FOUND.to_json()
        params = raw
        try:
            await self.faults.apply(spec.name, raw)
            handler = HANDLERS.get(spec.name.lower())
            if handler is None:
                raise ApiError(400, NOT_SUPPORTED)
            params = normalize_params(spec, raw, files)
            self._limit(spec.name, params)
            result = await handler(self.world, params)
        except ApiError as error:
            self._log(spec.name, params, files, error.status, error.description)
            return error.status, error.to_json()
        except Exception as error:  # a simulator bug must be loud, not a hung bot
            logger.exception("simulator failed while handling %s", spec.name)
            description = f"Internal Server Error: simulator bug: {error!r}"
            self._log(spec.name, params, files, 500, description)
            return 500, ApiError(500, description).to_json()
        self._log(spec.name, params, files, 200, None)
        await self.faults.hold_answer(spec.name, raw)
        return 200, {"ok": True, "result": result}

    def _limit(self, method: str, params: dict[str, Any]) -> None:
        if not is_rate_limited(method):
            return
        chat_id = params.get("chat_id")
        chat = self.world.chats.get(chat_id) if isinstance(chat_id, int) else None
        self.limiter.acquire(chat.id if chat else None, private=bool(chat and chat.is_private))

    def _log(
        self,
        method: str,
        params: dict[str, Any],
        files: dict[str, UploadedFile],
        status: int,
        error: str | None,
    ) -> None:
        shown = {name: _describe(value) for name, value in params.items()}
        for name, upload in files.items():
            shown.setdefault(name, _describe(upload))
        self.world.log_call(ApiCall(self.world.monotonic(), method, shown, status, error))


def _describe(value: Any) -> Any:
    if isinstance(value, UploadedFile):
        return f"<upload {value.filename or value.field}: {len(value.data)} bytes>"
    return value
