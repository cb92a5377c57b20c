from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftercare_bot.domain.pages import MESSAGE_LIMIT, message_length, paginate

# Deterministic in CI: the same examples on every run, nothing saved between runs.
PROPERTY = settings(max_examples=300, deadline=None, derandomize=True, database=None)


def fits(page: list[str], limit: int = MESSAGE_LIMIT, header_room: int = 0) -> bool:
    return message_length("\n".join(page)) + header_room <= limit


def flattened(pages: list[list[str]]) -> list[str]:
    return [line for page in pages for line in page]


def words(lines: list[str]) -> str:
    """Every non-whitespace character, in order: what a reader must still find after a cut."""
    return "".join("\n".join(lines).split())


def patient_line(number: int) -> str:
    return f"• <b>P-{number:04d}</b> Maria — swelling moderate on day 4, was mild on day 1 " * 2


def test_a_short_list_is_one_page_as_it_is() -> None:
    lines = ["<b>Digest</b>", "• P-0001 Maria", "", "• P-0002 Ana"]
    assert paginate(lines) == [lines]


def test_no_lines_give_one_empty_page() -> None:
    assert paginate([]) == [[]]


def test_a_long_list_makes_several_pages_that_each_fit_and_keep_every_line_in_order() -> None:
    lines = [patient_line(number) for number in range(60)]
    assert message_length("\n".join(lines)) > 2 * MESSAGE_LIMIT  # the premise: three pages at least
    pages = paginate(lines)
    assert len(pages) >= 3
    assert all(fits(page) for page in pages)
    assert flattened(pages) == lines


def test_pages_are_filled_before_a_new_one_starts() -> None:
    lines = [patient_line(number) for number in range(60)]
    pages = paginate(lines)
    for page, following in pairwise(pages):
        assert not fits([*page, following[0]])


def test_room_for_a_header_is_kept_free_on_every_page() -> None:
    lines = [patient_line(number) for number in range(60)]
    pages = paginate(lines, header_room=20)
    assert all(fits(page, header_room=20) for page in pages)
    assert flattened(pages) == lines


def test_a_line_that_fills_a_page_exactly_is_kept_whole() -> None:
    line = "x" * MESSAGE_LIMIT
    assert paginate([line, "next"]) == [[line], ["next"]]


def test_an_over_long_line_is_cut_at_the_last_whitespace_that_fits() -> None:
    # The first 13 units are "alpha beta ga": the cut is at the space after "beta", not "alpha".
    assert paginate(["alpha beta gamma delta"], limit=13) == [["alpha beta"], ["gamma delta"]]


def test_an_over_long_line_is_cut_at_a_space_just_past_the_limit() -> None:
    # "alpha beta" is exactly 10: the space after it is dropped, no word is broken.
    assert paginate(["alpha beta gamma"], limit=10) == [["alpha beta"], ["gamma"]]


def test_a_word_longer_than_a_page_is_cut_hard_at_the_limit() -> None:
    assert paginate(["abcdefghij"], limit=4) == [["abcd"], ["efgh"], ["ij"]]


def test_lines_after_a_cut_line_share_its_last_page() -> None:
    pages = paginate(["one two three", "four"], limit=12)
    assert pages == [["one two"], ["three", "four"]]


def test_an_emoji_counts_as_two_units_as_telegram_counts_it() -> None:
    assert message_length("🔬 Batch") == 8
    assert paginate(["🔬🔬🔬"], limit=5) == [["🔬🔬"], ["🔬"]]


def test_a_page_with_no_room_for_text_is_refused() -> None:
    with pytest.raises(ValueError):
        paginate(["text"], limit=10, header_room=9)


lines_of_text = st.lists(
    st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=60), max_size=30
)


@PROPERTY
@given(lines=lines_of_text, limit=st.integers(min_value=2, max_value=80))
def test_every_page_fits_and_no_word_is_lost(lines: list[str], limit: int) -> None:
    pages = paginate(lines, limit=limit)
    assert all(fits(page, limit) for page in pages)
    assert words(flattened(pages)) == words(lines)


@PROPERTY
@given(lines=lines_of_text, limit=st.integers(min_value=120, max_value=400))
def test_lines_that_fit_are_never_changed(lines: list[str], limit: int) -> None:
    # Every generated line is at most 60 characters, 120 units: none needs cutting.
    pages = paginate(lines, limit=limit)
    assert flattened(pages) == lines
    assert all(page for page in pages) or pages == [[]]
