"""The one writer of every export: a table is a header and an iterator of rows, written as streamed
CSV, as an XLSX workbook (openpyxl write_only: rows go to disk as they come, never all in memory)
or as a zip of CSV files, one per sheet (pacm issue 9 "Exports and reports").

Every text cell is neutralised against formula injection here, once, whatever the list
(OWASP "CSV injection"): a cell that begins with = + - @, a tab or a carriage return is written
with a leading apostrophe, so a spreadsheet shows it as text and never evaluates it.
"""
import csv
import datetime
import io
import tempfile
import zipfile
from dataclasses import dataclass

from django.http import FileResponse, StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A spooled file keeps a small workbook in memory and moves a large one to disk (write_only mode
# already keeps no more than a row in memory while writing).
SPOOL_BYTES = 4 * 1024 * 1024
# Excel's limit on a sheet's name.
SHEET_NAME_MAX = 31


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


def _attachment(response, filename):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(sheet, *, filename):
    """Streamed CSV: the rows are read from the database and sent as they come."""
    return _attachment(StreamingHttpResponse(csv_lines(sheet), content_type="text/csv; charset=utf-8"), filename)


def xlsx_write(sheets, target):
    """Write `sheets` as one workbook, a sheet per table, into the binary file `target`."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for sheet in sheets:
        page = book.create_sheet(title=sheet.name[:SHEET_NAME_MAX])
        page.append([cell_safe(v) for v in sheet.header])
        for row in sheet.rows:
            page.append([cell_safe(v) for v in row])
    book.save(target)


def _spooled():
    return tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)


def xlsx_response(sheets, *, filename):
    target = _spooled()
    xlsx_write(sheets, target)
    target.seek(0)
    return FileResponse(target, as_attachment=True, filename=filename, content_type=XLSX_TYPE)


def csv_zip_write(sheets, target):
    """One CSV file per sheet, in one zip."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for sheet in sheets:
            with archive.open(f"{sheet.name}.csv", "w") as member, io.TextIOWrapper(
                member, encoding="utf-8", newline=""
            ) as text:
                for line in csv_lines(sheet):
                    text.write(line)


def csv_zip_response(sheets, *, filename):
    target = _spooled()
    csv_zip_write(sheets, target)
    target.seek(0)
    return FileResponse(target, as_attachment=True, filename=filename, content_type="application/zip")


FORMATS = ("csv", "xlsx")


def table_response(sheet, *, fmt, basename):
    """One list as `fmt` (csv or xlsx)."""
    if fmt == "xlsx":
        return xlsx_response([sheet], filename=f"{basename}.xlsx")
    return csv_response(sheet, filename=f"{basename}.csv")
