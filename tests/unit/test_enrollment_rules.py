from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from aftercare_bot.domain.enrollment_links import (
    EnrollmentLink,
    LinkProblem,
    LinkPurpose,
    hash_token,
    is_token_shaped,
    new_token,
)
from aftercare_bot.domain.local_time import (
    InvalidLocalTime,
    parse_local_datetime,
    same_time_weeks_later,
)
from aftercare_bot.domain.patients import (
    InvalidPatientName,
    clean_display_name,
    looks_like_code,
    new_patient_code,
    normalise_code,
)

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
LONDON = ZoneInfo("Europe/London")


def link(**changes: object) -> EnrollmentLink:
    fields: dict[str, object] = {
        "token_hash": hash_token("t"),
        "purpose": LinkPurpose.PATIENT,
        "created_at": NOW,
        "expires_at": NOW + timedelta(days=7),
        "patient_id": 1,
    }
    fields.update(changes)
    return EnrollmentLink(**fields)  # type: ignore[arg-type]


def test_a_fresh_link_can_be_used_by_whoever_opens_it_first() -> None:
    assert link().problem_for(chat_id=5, now=NOW) is None


def test_a_link_opened_by_one_chat_is_refused_to_another() -> None:
    assert link(opened_by_chat=5).problem_for(6, NOW) == LinkProblem.OPENED_ELSEWHERE
    assert link(opened_by_chat=5).problem_for(5, NOW) is None


def test_an_expired_link_is_refused_from_the_moment_it_expires() -> None:
    assert link().problem_for(5, NOW + timedelta(days=7)) == LinkProblem.EXPIRED


def test_a_used_link_reassures_its_owner_and_refuses_everyone_else() -> None:
    used = link(used_at=NOW, used_by_chat=5)
    assert used.problem_for(5, NOW) == LinkProblem.ALREADY_YOURS
    assert used.problem_for(6, NOW) == LinkProblem.USED


def test_tokens_are_long_random_and_stored_only_as_a_hash() -> None:
    token = new_token()
    assert len(token) >= 43 and is_token_shaped(token)
    assert token != new_token()
    assert hash_token(token) != token and len(hash_token(token)) == 64


@pytest.mark.parametrize("payload", ["", "short", "a" * 65, "has space in it 1234567", "<script>"])
def test_a_start_payload_that_cannot_be_a_token_is_recognised_before_any_query(
    payload: str,
) -> None:
    assert not is_token_shaped(payload)


def test_patient_codes_are_short_and_avoid_characters_read_aloud_wrongly() -> None:
    code = new_patient_code()
    assert code.startswith("P-") and len(code) == 6
    assert not set(code[2:]) & set("01OIL")


@pytest.mark.parametrize("typed", ["P-7K3Q", "p-7k3q", "p7k3q", " P-7K3Q "])
def test_staff_can_type_a_code_loosely(typed: str) -> None:
    assert looks_like_code(typed)
    assert normalise_code(typed) == "P-7K3Q"


def test_a_name_is_not_a_code() -> None:
    assert not looks_like_code("Anna")


def test_a_display_name_is_trimmed_and_must_be_a_name() -> None:
    assert clean_display_name("  Anna   Maria ") == "Anna Maria"
    for bad in ("", "   ", "12345", "x" * 65):
        with pytest.raises(InvalidPatientName):
            clean_display_name(bad)


def test_staff_type_dates_in_the_clinics_zone() -> None:
    assert parse_local_datetime("2026-07-01 10:30", LONDON) == datetime(
        2026, 7, 1, 9, 30, tzinfo=UTC
    )
    with pytest.raises(InvalidLocalTime):
        parse_local_datetime("2026-02-30 10:00", LONDON)
    with pytest.raises(InvalidLocalTime):
        parse_local_datetime("next tuesday", LONDON)


def test_the_next_session_in_three_weeks_keeps_the_local_time_across_a_clock_change() -> None:
    session = datetime(2026, 10, 14, 9, 0, tzinfo=UTC)  # 10:00 BST
    assert same_time_weeks_later(session, 3, LONDON) == datetime(2026, 11, 4, 10, 0, tzinfo=UTC)
