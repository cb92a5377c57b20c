"""Identity and update delivery: getMe, long polling, and webhook bookkeeping."""

from __future__ import annotations

from typing import Any

from ..errors import WEBHOOK_CONFLICT, WEBHOOK_NOT_HTTPS, ApiError
from ..params import optional_int
from ..world import World
from .registry import Params, handler

_WEBHOOK_EXTRAS = ("max_connections", "allowed_updates", "ip_address", "secret_token")


@handler("getMe")
async def get_me(world: World, params: Params) -> Any:
    """Who the bot is."""
    return world.bot.get_me_json()


@handler("getUpdates")
async def get_updates(world: World, params: Params) -> Any:
    """Long-poll for updates; refused while a webhook is set, as on Telegram."""
    if world.webhook["url"]:
        raise ApiError(409, WEBHOOK_CONFLICT)
    allowed = params.get("allowed_updates")
    return await world.updates.poll(
        offset=optional_int(params, "offset"),
        limit=optional_int(params, "limit"),
        hold_seconds=float(optional_int(params, "timeout") or 0),
        allowed_updates=list(allowed) if isinstance(allowed, list) else None,
    )


@handler("setWebhook")
async def set_webhook(world: World, params: Params) -> Any:
    """Store a webhook; getUpdates then refuses to work. Updates are posted to it only when the
    simulator was told where the clinic's proxy forwards (`forward_webhook_to`)."""
    url = str(params.get("url") or "")
    if url and not url.lower().startswith("https://"):
        raise ApiError(400, WEBHOOK_NOT_HTTPS)
    world.webhook = {"url": url, "has_custom_certificate": params.get("certificate") is not None}
    world.webhook.update({k: params[k] for k in _WEBHOOK_EXTRAS if params.get(k) is not None})
    if allowed := params.get("allowed_updates"):
        world.updates.allow(list(allowed))
    world.changed.notify()
    if params.get("drop_pending_updates"):
        world.updates.drop_pending()
    return True


@handler("deleteWebhook")
async def delete_webhook(world: World, params: Params) -> Any:
    """Remove the webhook, optionally dropping queued updates."""
    world.webhook = {"url": "", "has_custom_certificate": False}
    if params.get("drop_pending_updates"):
        world.updates.drop_pending()
    return True


@handler("getWebhookInfo")
async def get_webhook_info(world: World, params: Params) -> Any:
    """The stored webhook plus how many updates are waiting (never the secret token)."""
    shown = {k: v for k, v in world.webhook.items() if k != "secret_token"}
    return {**shown, "pending_update_count": world.updates.pending_count}
