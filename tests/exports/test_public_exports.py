"""The public registry's exports (pacm issue 9): each row is the page's own list (the registry's
selectors) or the ledger; anyone may download them; the queries do not grow with the rows."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pacm.registry.models import TERMINAL_KINDS, LedgerEntry, LedgerTransaction, UnitBlock
from pacm.registry.public_filters import USE_KINDS
from pacm.registry.serials import serial_format
from pacm.registry.services import units_cancel_voluntarily, units_transfer, units_use
from projects.models import Activity

from .conftest import activity_make, body, csv_rows, issue, xlsx_rows


def _world(reg, issuances=1):
    for _ in range(issuances):
        issue(reg.activity, 1_000, to=reg.acct)
    units_transfer(user=reg.ama, from_account=reg.acct, to_account=reg.foreign, quantity=100)
    units_use(user=reg.kofi, from_account=reg.foreign, quantity=10, purpose="NDC 2030", beneficiary="Kenya",
              use="retirement", party=reg.other)
    units_cancel_voluntarily(user=reg.ama, from_account=reg.acct, quantity=7, purpose="Voluntary claim",
                             beneficiary="Acme Ltd")


def test_blocks_export_is_every_block_with_its_printed_serial(reg, client):
    _world(reg)
    rows = csv_rows(client.get(reverse("export-public-blocks-csv")))
    assert rows[0][:3] == ["serial_range", "activity", "host_party"]
    # The blocks page's order: newest first by key (public_lists.block_rows).
    blocks = UnitBlock.objects.select_related("activity", "host_party").order_by("-pk")
    assert [(r[0], int(r[6])) for r in rows[1:]] == [(serial_format(b), b.quantity) for b in blocks]
    # 7/CMA.4 annex I para 47: private holders are never named (selectors.public_holder masks them).
    assert {r[11] for r in rows[1:] if r[10] == "Holding"} == {"Private holding account"}
    assert "Kpone main" not in body(client.get(reverse("export-public-blocks-csv"))).decode()


def test_blocks_of_one_activity_and_an_unknown_reference(reg, client):
    other = activity_make(reg)
    _world(reg)
    issue(other, 500, to=reg.acct)
    rows = csv_rows(client.get(reverse("export-public-blocks-csv"), {"activity": other.reference}))
    assert {r[1] for r in rows[1:]} == {other.reference}
    assert sum(int(r[6]) for r in rows[1:]) == 500
    # By serial number, as the page orders one activity's blocks (sort=serial).
    rows = csv_rows(client.get(reverse("export-public-blocks-csv"), {"activity": reg.activity.reference,
                                                                     "sort": "serial"}))
    blocks = UnitBlock.objects.filter(activity=reg.activity).order_by("vintage", "serial_start")
    assert [r[0] for r in rows[1:]] == [serial_format(b) for b in blocks] and len(blocks) >= 3
    # An unknown reference is a filter that matches nothing, as on the page: the header only.
    assert csv_rows(client.get(reverse("export-public-blocks-csv"), {"activity": "A64-NOPE"})) == [rows[0]]


def test_issuances_export_is_the_ledgers_issuances(reg, client):
    _world(reg, issuances=2)
    rows = csv_rows(client.get(reverse("export-public-issuances-csv")))
    expected = LedgerTransaction.objects.filter(kind="issuance").order_by("-pk")
    assert [(int(r[0]), r[1], int(r[3])) for r in rows[1:]] == [
        (t.issuance_id, reg.activity.reference, t.quantity) for t in expected]


def test_uses_export_is_every_use_with_its_ranges(reg, client):
    _world(reg)
    rows = csv_rows(client.get(reverse("export-public-uses-csv")))
    header = rows[0]
    # One row per use or cancellation (selectors.public_uses, the page's selector), newest first.
    uses = LedgerTransaction.objects.filter(kind__in=USE_KINDS).order_by("-pk")
    assert [int(r[header.index("transaction")]) for r in rows[1:]] == [t.pk for t in uses]
    assert len(uses) >= 3  # the OMGE cancellation, the retirement, the cancellation
    # Every range that ended in a retirement or cancellation account is in one row's serial ranges.
    printed = [s for r in rows[1:] for s in r[header.index("serial_ranges")].split("; ")]
    entries = LedgerEntry.objects.filter(transaction__to_account__kind__in=TERMINAL_KINDS).select_related(
        "block__activity", "block__host_party")
    assert sorted(printed) == sorted(serial_format(e) for e in entries)
    got = {(r[header.index("use")], r[header.index("purpose")], r[header.index("beneficiary")],
            int(r[header.index("units")]), r[header.index("activity")]) for r in rows[1:]}
    assert ("Retirement (NDC use)", "NDC 2030", "Kenya", 10, reg.activity.reference) in got
    assert ("Voluntary cancellation", "Voluntary claim", "Acme Ltd", 7, reg.activity.reference) in got
    omge = LedgerTransaction.objects.get(kind="omge_cancellation")
    assert ("OMGE cancellation", "", "", omge.quantity, reg.activity.reference) in got


def test_activities_export_is_the_public_list(reg, client):
    registered = activity_make(reg)
    Activity.objects.filter(pk=registered.pk).update(state="registered")
    rows = csv_rows(client.get(reverse("export-public-activities-csv")))
    # The draft (reg.activity) is not public (projects.selectors.public_activities).
    assert [r[0] for r in rows[1:]] == [registered.reference]
    assert rows[1][2:5] == ["GH", "Ghana", "Registered"]


def test_xlsx_has_the_same_rows_as_csv(reg, client):
    _world(reg)
    for name in ("export-public-blocks", "export-public-uses", "export-public-issuances"):
        as_csv = csv_rows(client.get(reverse(f"{name}-csv")))
        as_xlsx = xlsx_rows(client.get(reverse(f"{name}-xlsx")))
        assert [[("" if v is None else str(v)) for v in row] for row in as_xlsx] == as_csv


def test_formula_in_a_beneficiary_is_neutralised(reg, client):
    issue(reg.activity, 1_000, to=reg.acct)
    units_cancel_voluntarily(user=reg.ama, from_account=reg.acct, quantity=5, purpose="@SUM(1)",
                             beneficiary='=HYPERLINK("http://evil.example","x")')
    rows = csv_rows(client.get(reverse("export-public-uses-csv")))
    mine = [r for r in rows[1:] if r[1] == "Voluntary cancellation"]
    assert mine[0][3:5] == ["'@SUM(1)", "'=HYPERLINK(\"http://evil.example\",\"x\")"]
    xlsx = xlsx_rows(client.get(reverse("export-public-uses-xlsx")))
    assert [r[3:5] for r in xlsx if r[1] == "Voluntary cancellation"] == [mine[0][3:5]]


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        body(response)
    return len(ctx)


@pytest.mark.parametrize("name", ["export-public-blocks-csv", "export-public-uses-csv",
                                  "export-public-issuances-csv", "export-public-activities-csv",
                                  "export-public-blocks-xlsx"])
def test_queries_do_not_grow_with_the_rows(reg, client, name):
    """pacm issue 8/9: an export reads its rows a chunk at a time, never a query per row."""
    Activity.objects.filter(pk=reg.activity.pk).update(state="registered")
    _world(reg)
    url = reverse(name)
    small, rows_small = _queries(client, url), len(csv_rows(client.get(url))) if name.endswith("csv") else 0
    for _ in range(4):
        Activity.objects.filter(pk=activity_make(reg).pk).update(state="registered")
    _world(reg, issuances=4)
    for _ in range(6):  # more blocks: each transfer splits one off
        units_transfer(user=reg.ama, from_account=reg.acct, to_account=reg.acct2, quantity=3)
        units_cancel_voluntarily(user=reg.ama, from_account=reg.acct, quantity=1, purpose="More")
    if name.endswith("csv"):
        assert len(csv_rows(client.get(url))) > rows_small
    assert _queries(client, url) == small
