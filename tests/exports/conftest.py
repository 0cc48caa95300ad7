"""Exports: the registry's world (tests/registry/conftest.py `reg`: accounts of Ghana and Kenya, the
personas), a client per persona, and readers that turn a CSV or XLSX response back into rows."""
import csv
import io

import pytest
from openpyxl import load_workbook

from tests.registry.conftest import activity_make, issue, reg  # noqa: F401 (fixtures and helpers)
from tests.registry.test_public_lists import market  # noqa: F401 (the public lists' world: filtered exports)
from tests.web.conftest import as_user  # noqa: F401


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response):
    """[header, *rows] of a CSV response, as text."""
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(body(response).decode("utf-8"))))


def xlsx_sheets(data):
    """{sheet name: [header, *rows]} of an XLSX file's bytes (empty cells read as None)."""
    book = load_workbook(io.BytesIO(data), read_only=True)
    return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def xlsx_rows(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    (rows,) = xlsx_sheets(body(response)).values()
    return rows


@pytest.fixture
def csv_of(as_user):  # noqa: F811
    def _get(url, user=None):
        return csv_rows(as_user(user).get(url))

    return _get
