"""The fake of `RelayDraftRepository`: staff messages to patients, from prompt to Send."""

import dataclasses
from datetime import datetime

from aftercare_bot.domain.relay import DraftState, RelayDraft
from tests.fakes.store import FakeSession


class FakeRelayDraftRepository:
    """Relay drafts, in memory."""

    def __init__(self, session: FakeSession) -> None:
        self._session = session
        self._moved: set[int] = set()  # drafts whose state this unit set, the database's too

    def add(self, draft: RelayDraft) -> None:
        """Stage a new draft; it gets its id at once."""
        if draft.id is None:
            draft.id = self._session.new_id("relay_drafts")
        self._session.table("relay_drafts")[draft.id] = draft

    async def flush(self) -> None:
        """Nothing to write: drafts have their ids from `add`."""

    async def by_id(self, draft_id: int) -> RelayDraft | None:
        """The draft with this id."""
        return self._session.table("relay_drafts").get(draft_id)

    async def by_prompt(self, chat_id: int, message_id: int) -> RelayDraft | None:
        """The draft whose prompt is this message; the latest one when several replies
        answered the same prompt."""
        drafts = [
            draft
            for draft in self._session.table("relay_drafts").values()
            if draft.prompt_chat_id == chat_id and draft.prompt_message_id == message_id
        ]
        return max(drafts, key=lambda draft: draft.id or 0, default=None)

    async def move(
        self, draft: RelayDraft, expected: DraftState, to: DraftState, now: datetime
    ) -> bool:
        """Move the draft from `expected` to `to` unless another unit moved it first and
        committed (compare-and-set on the committed row); False, with the draft refreshed
        from that row, if it had moved."""
        assert draft.id is not None
        working = self._session.table("relay_drafts").get(draft.id)
        committed = self._session.committed("relay_drafts").get(draft.id)
        current = working if committed is None or draft.id in self._moved else committed
        targets = [draft] if working is None or working is draft else [draft, working]
        if current is None or current.state != expected.value:
            for target in targets if current is not None else []:
                for field in dataclasses.fields(RelayDraft):
                    setattr(target, field.name, getattr(current, field.name))
            return False
        for target in targets:
            target.state, target.updated_at = to.value, now
        self._moved.add(draft.id)
        return True
