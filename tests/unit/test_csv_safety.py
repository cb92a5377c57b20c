"""Export cells never run as spreadsheet formulas."""

import csv
import io

import pytest

from aftercare_bot.domain.csv_safety import FORMULA_STARTS, safe_cell, safe_row


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_a_cell_that_a_spreadsheet_would_evaluate_is_quoted(start: str) -> None:
    dangerous = f'{start}HYPERLINK("http://evil.example","click")'
    assert safe_cell(dangerous) == "'" + dangerous


def test_ordinary_text_numbers_and_empty_cells_are_left_alone() -> None:
    assert safe_row(["Anna", 3, 0.25, None, "P-7K3Q"]) == ["Anna", "3", "0.25", "", "P-7K3Q"]


def test_a_written_and_read_back_row_keeps_the_patients_words_as_text() -> None:
    note = "=1+1 itches since Monday, ok?"
    buffer = io.StringIO()
    csv.writer(buffer).writerow(safe_row(["P-7K3Q", note]))
    [row] = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert row == ["P-7K3Q", "'" + note]
    assert row[1][1:] == note  # nothing lost: only the quote was added
