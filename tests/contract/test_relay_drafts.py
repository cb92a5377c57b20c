"""Relay drafts, on SQL and on the fake: found by prompt, moved by compare-and-set."""

from datetime import UTC, datetime, timedelta
from typing import Any

from aftercare_bot.domain.relay import DraftState, RelayDraft

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=5)
STAFF_CHAT = -100


def a_draft(prompt_message_id: int | None = 70, state: DraftState = DraftState.READY) -> RelayDraft:
    return RelayDraft(
        staff_id=1,
        staff_name="Nina",
        prompt_chat_id=STAFF_CHAT,
        created_at=NOW,
        updated_at=NOW,
        state=state.value,
        patient_chat_id=5001,
        prompt_message_id=prompt_message_id,
        text="Please come in today",
    )


async def add(units: Any, *drafts: RelayDraft) -> list[int]:
    async with units.unit_of_work() as uow:
        for draft in drafts:
            uow.relay_drafts.add(draft)
        await uow.relay_drafts.flush()
        await uow.commit()
    return [draft.id for draft in drafts]


async def stored(units: Any, draft_id: int) -> RelayDraft:
    async with units.unit_of_work() as uow:
        draft = await uow.relay_drafts.by_id(draft_id)
    assert draft is not None
    return draft


async def test_a_flushed_draft_has_an_id_and_is_found_by_it_in_a_fresh_unit(units: Any) -> None:
    [draft_id] = await add(units, a_draft())
    draft = a_draft()
    draft.id = draft_id
    assert await stored(units, draft_id) == draft
    async with units.unit_of_work() as uow:
        assert await uow.relay_drafts.by_id(draft_id + 1) is None


async def test_a_draft_added_in_a_unit_that_does_not_commit_is_gone(units: Any) -> None:
    async with units.unit_of_work() as uow:
        draft = a_draft()
        uow.relay_drafts.add(draft)
        await uow.relay_drafts.flush()
        draft_id = draft.id
    async with units.unit_of_work() as uow:
        assert await uow.relay_drafts.by_id(draft_id) is None


async def test_a_prompt_names_its_latest_draft(units: Any) -> None:
    first, latest, _ = await add(units, a_draft(70), a_draft(70), a_draft(71))
    async with units.unit_of_work() as uow:
        found = await uow.relay_drafts.by_prompt(STAFF_CHAT, 70)
        assert found is not None and found.id == latest != first
        assert await uow.relay_drafts.by_prompt(STAFF_CHAT, 72) is None
        assert await uow.relay_drafts.by_prompt(-200, 70) is None


async def test_a_move_from_the_expected_state_wins_and_is_kept(units: Any) -> None:
    [draft_id] = await add(units, a_draft())
    async with units.unit_of_work() as uow:
        draft = await uow.relay_drafts.by_id(draft_id)
        assert await uow.relay_drafts.move(draft, DraftState.READY, DraftState.SENT, LATER)
        assert (draft.state, draft.updated_at) == (DraftState.SENT.value, LATER)
        await uow.commit()
    kept = await stored(units, draft_id)
    assert (kept.state, kept.updated_at) == (DraftState.SENT.value, LATER)


async def test_a_move_from_a_state_the_draft_is_not_in_loses(units: Any) -> None:
    [draft_id] = await add(units, a_draft(state=DraftState.CANCELLED))
    async with units.unit_of_work() as uow:
        draft = await uow.relay_drafts.by_id(draft_id)
        assert not await uow.relay_drafts.move(draft, DraftState.READY, DraftState.SENT, LATER)
        assert (draft.state, draft.updated_at) == (DraftState.CANCELLED.value, NOW)
        await uow.commit()
    assert (await stored(units, draft_id)).state == DraftState.CANCELLED.value


async def test_a_move_loses_to_another_unit_that_moved_the_draft_first(units: Any) -> None:
    [draft_id] = await add(units, a_draft())
    async with units.unit_of_work() as late:
        draft = await late.relay_drafts.by_id(draft_id)
        async with units.unit_of_work() as early:
            first = await early.relay_drafts.by_id(draft_id)
            assert await early.relay_drafts.move(first, DraftState.READY, DraftState.SENT, NOW)
            await early.commit()
        assert not await late.relay_drafts.move(
            draft, DraftState.READY, DraftState.CANCELLED, LATER
        )
        assert draft.state == DraftState.SENT.value  # refreshed from the winner's row
        await late.commit()
    assert (await stored(units, draft_id)).state == DraftState.SENT.value


async def test_one_unit_may_move_a_draft_twice(units: Any) -> None:
    [draft_id] = await add(units, a_draft(state=DraftState.AWAITING_TEXT))
    async with units.unit_of_work() as uow:
        draft = await uow.relay_drafts.by_id(draft_id)
        ready, replaced = DraftState.READY, DraftState.REPLACED
        assert await uow.relay_drafts.move(draft, DraftState.AWAITING_TEXT, ready, NOW)
        assert await uow.relay_drafts.move(draft, ready, replaced, LATER)
        assert not await uow.relay_drafts.move(draft, ready, DraftState.SENT, LATER)
        await uow.commit()
    assert (await stored(units, draft_id)).state == DraftState.REPLACED.value
