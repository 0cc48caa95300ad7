"""The one writer of every export: a table is a header and an iterator of rows, written as streamed
CSV, as an XLSX workbook (openpyxl write_only: rows go to disk as they come, never all in memory)
or as a zip of CSV files, one per sheet (pacm issue 9 "Exports and reports").

The neutral half (Sheet, cell_safe, csv_lines, csv_response: the formula-injection guard) lives in
pacm.common.tables, so the registry's own CSV downloads share it.
"""
import io
import tempfile
import zipfile

from django.http import FileResponse

from pacm.common.tables import Sheet, cell_safe, csv_lines, csv_response  # noqa: F401 (the writer's API)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A spooled file keeps a small workbook in memory and moves a large one to disk (write_only mode
# already keeps no more than a row in memory while writing).
SPOOL_BYTES = 4 * 1024 * 1024
# Excel's limit on a sheet's name.
SHEET_NAME_MAX = 31


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
