"""The shared writer: formula injection (OWASP "CSV injection"), types, CSV and XLSX round trips."""
import datetime
import io
import zipfile

import pytest

from projects.exports.writer import Sheet, cell_safe, csv_lines, csv_zip_write, xlsx_write

from .conftest import xlsx_sheets


@pytest.mark.parametrize("text", ["=1+1", "+41 22", "-2+3", "@SUM(A1)", "\t=x", "\r=x",
                                  '=HYPERLINK("http://x","y")'])
def test_a_cell_that_could_start_a_formula_is_written_as_text(text):
    assert cell_safe(text) == "'" + text


@pytest.mark.parametrize("value, shown", [
    ("Kpone", "Kpone"), ("a=b", "a=b"), (None, ""), (True, "yes"), (False, "no"), (12, 12), (-5, -5),
    (datetime.date(2025, 3, 1), "2025-03-01"),
    (datetime.datetime(2025, 3, 1, 12, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=2))),
     "2025-03-01T10:00:00Z"),
])
def test_other_values_keep_their_meaning(value, shown):
    assert cell_safe(value) == shown


def _sheet(rows):
    return Sheet("t", ["a", "b"], iter(rows))


def test_csv_is_written_one_line_at_a_time():
    lines = csv_lines(_sheet([["=cmd", 1], ["x", None]]))
    assert next(lines) == "a,b\r\n"
    assert next(lines) == "'=cmd,1\r\n"
    assert list(lines) == ["x,\r\n"]


def test_xlsx_holds_no_formula_and_keeps_numbers():
    target = io.BytesIO()
    xlsx_write([_sheet([["=1+1", 7], ["@x", -3]]), Sheet("second", ["c"], iter([["z"]]))], target)
    sheets = xlsx_sheets(target.getvalue())
    assert sheets == {"t": [["a", "b"], ["'=1+1", 7], ["'@x", -3]], "second": [["c"], ["z"]]}
    from openpyxl import load_workbook

    cells = [c for row in load_workbook(io.BytesIO(target.getvalue())).active.iter_rows() for c in row]
    assert {c.data_type for c in cells} == {"s", "n"}  # no "f": nothing is evaluated


def test_zip_has_one_csv_per_sheet():
    target = io.BytesIO()
    csv_zip_write([_sheet([["1", 2]]), Sheet("other", ["c"], iter([["-x"]]))], target)
    archive = zipfile.ZipFile(io.BytesIO(target.getvalue()))
    assert archive.namelist() == ["t.csv", "other.csv"]
    assert archive.read("other.csv").decode() == "c\r\n'-x\r\n"
