"""Where each incident is shown: the messages a front end posted for it, kept so that a change
made from any of them is edited into all of them, and where its thread goes on.

These are the storage side of a `StaffNotifier`: the notifier sends and edits, these use cases
remember what it sent. Each call opens and commits its own unit of work.
"""

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass

from aftercare_bot.domain.incidents import (
    CARD_COPY,
    PAGE_COPY,
    POST_COPY,
    REMINDER_COPY,
    Incident,
    IncidentCopy,
)
from aftercare_bot.services.escalation import record_post
from aftercare_bot.services.ports import Clock, UnitsOfWork
from aftercare_bot.services.staff import staff_group

# Copies that show the incident's card; a note prompt is remembered only to route its reply.
CARD_KINDS = frozenset({POST_COPY, PAGE_COPY, REMINDER_COPY, CARD_COPY})


@dataclass(frozen=True)
class IncidentCopies:
    """The messages that show incidents, with the staff group named in the config."""

    units: UnitsOfWork
    clock: Clock
    configured_group: int | None

    async def staff_group(self) -> int | None:
        """The group incidents are posted to (bound by /bindgroup, else the config's)."""
        async with self.units.unit_of_work() as uow:
            return await staff_group(uow, self.configured_group)

    async def posted(self, incident_id: int, chat_id: int | None, message_id: int | None) -> None:
        """The incident reached staff: remember its group post (to reply under it) and stand
        its safety post down."""
        async with self.units.unit_of_work() as uow:
            await record_post(uow, incident_id, chat_id, message_id)

    async def cards(self, incident_id: int) -> Sequence[IncidentCopy]:
        """Every message that shows the incident's card, to edit them all."""
        async with self.units.unit_of_work() as uow:
            return [c for c in await uow.incidents.copies(incident_id) if c.kind in CARD_KINDS]

    async def thread(self, incident: Incident) -> Sequence[tuple[int, int]]:
        """(chat, message) pairs to reply under: the group post, else each admin's post."""
        if incident.post_chat_id is not None and incident.post_message_id is not None:
            return [(incident.post_chat_id, incident.post_message_id)]
        assert incident.id is not None
        async with self.units.unit_of_work() as uow:
            copies = await uow.incidents.copies(incident.id)
        return [(c.chat_id, c.message_id) for c in copies if c.kind == POST_COPY]

    async def remember(self, incident_id: int, chat_id: int, message_id: int, kind: str) -> None:
        """Remember a message that shows (or asks about) an incident. A new /incidents card
        replaces the older cards of the same incident in that chat (their buttons still act,
        but only the newest is kept up to date), so copies do not pile up. Best effort: the
        message is already out, and a copy not remembered only misses later edits."""
        async with self.units.unit_of_work() as uow:
            if kind == CARD_COPY:
                await uow.incidents.forget_cards(incident_id, chat_id)
            uow.incidents.add_copy(
                IncidentCopy(incident_id, chat_id, message_id, kind, self.clock.now())
            )
            with contextlib.suppress(Exception):
                await uow.commit()

    async def forget(self, chat_id: int, message_id: int) -> None:
        """A copy that can no longer be edited (deleted, too old) is no longer kept."""
        async with self.units.unit_of_work() as uow:
            stored = await uow.incidents.copy_at(chat_id, message_id)
            if stored is not None:
                await uow.incidents.forget_copy(stored)
                await uow.commit()
