"""Relay drafts: staff messages to patients, each its own row from prompt to Send."""

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from aftercare_bot.adapters.persistence.tables import relay_drafts
from aftercare_bot.domain.relay import DraftState, RelayDraft


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
        """The draft whose prompt is this message (a staff reply names it); the latest one
        when several replies answered the same prompt."""
        return await self._session.scalar(
            select(RelayDraft)
            .where(
                relay_drafts.c.prompt_chat_id == chat_id,
                relay_drafts.c.prompt_message_id == message_id,
            )
            .order_by(relay_drafts.c.id.desc())
            .limit(1)
        )

    async def move(
        self, draft: RelayDraft, expected: DraftState, to: DraftState, now: datetime
    ) -> bool:
        """Move the draft from `expected` to `to` unless another transaction moved it first
        (compare-and-set: two presses of Send never both win); False if it had moved."""
        assert draft.id is not None
        result = await self._session.execute(
            update(relay_drafts)
            .where(relay_drafts.c.id == draft.id, relay_drafts.c.state == expected.value)
            .values(state=to.value, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if int(getattr(result, "rowcount", 0) or 0) != 1:
            await self._session.refresh(draft)
            return False
        draft.state, draft.updated_at = to.value, now
        return True
