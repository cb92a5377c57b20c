"""Updates in hand at a stop are kept in the database and handled first on the next start.

Telegram counts an update as delivered once the bot has fetched it (or answered its webhook):
one still waiting for its turn when SIGTERM comes exists only in this process. A flood can
leave hundreds of them, too many to handle before systemd's stop timeout, so the bot sets them
aside (`ChatOrderedUpdates.stop_handling`) and keeps them here.

Kept updates are deleted as they are put back in the queue at the next start: a stop during
that start keeps whatever is again unhandled; only a crash in between loses them, as a crash
loses any update in memory.
"""

import json
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from telegram import Update
from telegram.ext import Application

from aftercare_bot.adapters.persistence.database import Database
from aftercare_bot.adapters.persistence.held_updates import HeldUpdate

logger = logging.getLogger(__name__)


async def keep_unhandled(database: Database, updates: Sequence[object], now: datetime) -> None:
    """Store updates set aside at a stop, as Telegram sent them."""
    kept = [
        HeldUpdate(
            update.update_id,
            update.effective_chat.id if update.effective_chat is not None else None,
            update.to_json(),
        )
        for update in updates
        if isinstance(update, Update)
    ]
    if not kept:
        return
    async with database.unit_of_work() as uow:
        await uow.held_updates.keep(kept, now)
        await uow.commit()
    logger.info("stopping: %s updates not handled yet are kept for the next start", len(kept))


async def handle_kept_updates(
    application: Application[Any, Any, Any, Any, Any, Any], database: Database
) -> None:
    """Queue what the last stop kept, ahead of anything Telegram sends from now on."""
    async with database.unit_of_work() as uow:
        held = await uow.held_updates.all()
        await uow.held_updates.forget(update.update_id for update in held)
        await uow.commit()
    for item in held:
        update = Update.de_json(json.loads(item.payload), application.bot)
        await application.update_queue.put(update)
    if held:
        logger.info("%s updates kept at the last stop are handled now", len(held))
