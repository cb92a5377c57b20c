"""Webhook delivery, the way Telegram does it, to the bot's local listener.

Telegram posts each update to the webhook URL with the secret token in the
`X-Telegram-Bot-Api-Secret-Token` header and keeps it until the answer is a 2xx. A clinic's
webhook URL is public (https, behind a reverse proxy); the simulator plays the proxy too and
posts to the local address it was told to forward to.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import Any

import aiohttp

from .world import World

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
RETRY_SECONDS = 0.2


@dataclass(frozen=True)
class WebhookPost:
    """One delivery attempt and its HTTP status (0: the connection failed)."""

    update_id: int
    status: int


class WebhookForwarder:
    """Posts queued updates to `target` while a webhook is set; confirms them on a 2xx."""

    def __init__(self, world: World, target: str) -> None:
        self._world = world
        self._target = target
        self.posts: list[WebhookPost] = []
        self.delivered: list[dict[str, Any]] = []  # updates the bot accepted, for replaying
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Begin delivering in the background."""
        self._task = asyncio.get_running_loop().create_task(self._run(), name="sim:webhook")

    async def stop(self) -> None:
        """Stop delivering."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def post(self, update: dict[str, Any], secret: str | None) -> int:
        """Post one update as Telegram would, with `secret` in the header (None: without it)."""
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        try:
            async with (
                aiohttp.ClientSession() as session,
                session.post(self._target, json=update, headers=headers) as response,
            ):
                status = response.status
        except aiohttp.ClientError:
            status = 0
        self.posts.append(WebhookPost(int(update["update_id"]), status))
        return status

    async def _run(self) -> None:
        world = self._world
        while True:
            pending = world.updates.deliverable() if world.webhook.get("url") else []
            if not pending:
                await world.changed.wait_until(
                    lambda: (
                        True if world.webhook.get("url") and world.updates.deliverable() else None
                    ),
                    None,
                )
                continue
            update = pending[0]
            status = await self.post(update, world.webhook.get("secret_token"))
            if 200 <= status < 300:
                self.delivered.append(update)
                world.updates.confirm_through(int(update["update_id"]))
            else:
                await asyncio.sleep(RETRY_SECONDS)
