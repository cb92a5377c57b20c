"""Relay drafts: staff messages to patients, each its own row from prompt to Send."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from aftercare_bot.adapters.persistence.tables import relay_drafts
from aftercare_bot.domain.relay import RelayDraft


class RelayDraftRepository:
    """Relay drafts."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, draft: RelayDraft) -> None:
        """Stage a new draft."""
        self._session.add(draft)

    async def flush(self) -> None:
        """Write staged drafts so they get their ids."""
        await self._session.flush()

    async def by_id(self, draft_id: int) -> RelayDraft | None:
        """The draft with this id."""
        return await self._session.get(RelayDraft, draft_id)

    async def by_prompt(self, chat_id: int, message_id: int) -> RelayDraft | None:
        """The draft whose prompt is this message (a staff reply names it)."""
        return await self._session.scalar(
            select(RelayDraft)
            .where(
                relay_drafts.c.prompt_chat_id == chat_id,
                relay_drafts.c.prompt_message_id == message_id,
            )
            .order_by(relay_drafts.c.id.desc())
            .limit(1)
        )
