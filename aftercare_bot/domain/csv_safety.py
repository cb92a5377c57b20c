"""CSV cells that a spreadsheet will not run as formulas.

Exports contain patients' own words (a check-in note); opened in Excel or LibreOffice, a cell
starting with `=`, `+`, `-` or `@` (or a tab or carriage return, which some programs skip
before looking) is evaluated as a formula. OWASP's advice: prefix such a cell with a single
quote, which spreadsheets show as text and do not evaluate.
"""

import csv
import io
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """The value as CSV text, neutralised if a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_row(values: Iterable[object]) -> list[str]:
    """A whole row of safe cells."""
    return [safe_cell(value) for value in values]


def csv_bytes(rows: Iterable[Iterable[object]]) -> bytes:
    """Rows as a CSV file of safe cells, UTF-8 with a BOM so that spreadsheets read it right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(safe_row(row))
    return buffer.getvalue().encode("utf-8-sig")
