"""Which typed names are a listed practitioner or product, and which listed names are probably
one: matched plainly, offered for merging when only alike."""

from datetime import date

import pytest

from aftercare_bot.domain.clinic_lists import Batch, matching, name_key, near_duplicates


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("Dr Petrova", "petrova"),
        ("dr.  PETROVA ", "petrova"),
        ("Доктор Петрова", "петрова"),
        ("д-р Иванова", "иванова"),  # noqa: RUF001 (Cyrillic on purpose)
        ("Dermaheal-HSR", "dermaheal hsr"),
        ("Dr", "dr"),  # a title alone is still a name
    ],
)
def test_names_are_compared_without_case_punctuation_spaces_or_titles(typed: str, key: str) -> None:
    assert name_key(typed) == key


def test_a_typed_name_is_the_listed_one_it_matches_or_none() -> None:
    listed = ["Dr Petrova", "Dr Lee"]
    assert matching("petrova", listed) == "Dr Petrova"
    assert matching("Dr. Lee", listed) == "Dr Lee"
    assert matching("Petrov", listed) is None


def test_alike_names_are_offered_for_merging_and_different_ones_are_not() -> None:
    pairs = near_duplicates(
        ["Dr Petrova", "Anna Petrova", "Petrov a", "Dr Lee", "Dr Leeds", "Nina Ivanova"]
    )
    assert ("Anna Petrova", "Dr Petrova") in pairs  # one's words within the other's
    assert ("Dr Lee", "Dr Leeds") not in pairs  # "lee" and "leeds": too different
    assert all("Nina Ivanova" not in pair for pair in pairs)
    assert ("Dr Petrova", "Petrov a") in pairs  # alike by ratio


def test_a_batch_is_offered_until_its_expiry_day_and_not_when_withdrawn() -> None:
    batch = Batch(1, "LOT-1", expires_on=date(2026, 12, 31))
    assert batch.usable(date(2026, 12, 31))
    assert not batch.usable(date(2027, 1, 1))
    assert not Batch(1, "LOT-2", active=False).usable(date(2026, 1, 1))
