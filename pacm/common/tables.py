"""The neutral half of the export writer (pacm issue 9): a table as a header and an iterator of rows,
each cell neutralised against formula injection, streamed as CSV. It lives here, below both layers,
so the registry's own CSV downloads (buffer_pool_csv) and projects.exports share one guard
(pacm/ never imports projects/: tests/docs/test_layers.py).

Every text cell is neutralised once, whatever the list (OWASP "CSV injection"): a cell that begins
with = + - @, a tab or a carriage return is written with a leading apostrophe, so a spreadsheet
shows it as text and never evaluates it.
"""
import csv
import datetime
from dataclasses import dataclass

from django.http import StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Sheet:
    """One table: its name (the sheet's, or the CSV file's in a zip), its header, its rows (an iterator)."""

    name: str
    header: list
    rows: object


def cell_safe(value):
    """The value as a spreadsheet must receive it: text that could start a formula gets an apostrophe;
    numbers stay numbers; dates are ISO 8601 (UTC for times: PROC-REGS-001 para 41); None is empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        value = value.astimezone(datetime.UTC).replace(tzinfo=None) if value.tzinfo else value
        return value.isoformat(timespec="seconds") + "Z"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    """A file that hands back what is written: csv.writer then yields each line to the response."""

    def write(self, value):
        return value


def csv_lines(sheet):
    """The sheet as CSV lines, one at a time (the header first)."""
    writer = csv.writer(_Echo())
    yield writer.writerow([cell_safe(v) for v in sheet.header])
    for row in sheet.rows:
        yield writer.writerow([cell_safe(v) for v in row])


def attachment(response, filename):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(sheet, *, filename):
    """Streamed CSV: the rows are read from the database and sent as they come."""
    return attachment(StreamingHttpResponse(csv_lines(sheet), content_type="text/csv; charset=utf-8"), filename)
