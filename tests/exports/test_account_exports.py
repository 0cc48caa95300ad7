"""An account's holdings and statement exports (pacm issue 9): for its holders only, as the account
page (7/CMA.4 annex I paras 33-34); rows as the page's lists; queries bounded."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pacm.registry import selectors
from pacm.registry.serials import serial_format
from pacm.registry.services import units_cancel_voluntarily, units_transfer

from .conftest import activity_make, body, csv_rows, issue, xlsx_rows


def _url(name, account, fmt="csv"):
    return reverse(f"export-account-{name}-{fmt}", kwargs={"number": account.number})


def _moves(reg, n=1):
    issue(reg.activity, 1_000, to=reg.acct, vintage=2023)
    issue(reg.activity, 500, to=reg.acct, vintage=2024, status="mc")
    for _ in range(n):
        units_transfer(user=reg.ama, from_account=reg.acct, to_account=reg.foreign, quantity=20)
        units_cancel_voluntarily(user=reg.ama, from_account=reg.acct, quantity=3, purpose="Claim", beneficiary="Acme")


def test_holdings_are_the_pages_holdings(reg, as_user):
    _moves(reg)
    rows = csv_rows(as_user(reg.ama).get(_url("holdings", reg.acct)))
    assert rows[0] == ["activity", "vintage", "authorization", "first_transferred", "negligible_risk", "units"]
    expected = [[h["activity__reference"], str(h["vintage"]), h["authorization_status"], h["first_transferred"],
                 h["units"]] for h in selectors.holdings(reg.acct)]
    labels = {"ndc": "Authorized for NDC use", "mc": "Mitigation contribution"}
    assert [[r[0], r[1], r[2], r[3] == "yes", int(r[5])] for r in rows[1:]] == [
        [e[0], e[1], labels[e[2]], e[3], e[4]] for e in expected]
    assert sum(int(r[5]) for r in rows[1:]) == selectors.units_by_account([reg.acct.pk])[reg.acct.pk]


def test_statement_is_every_transaction_in_and_out_with_its_ranges(reg, as_user):
    _moves(reg)
    rows = csv_rows(as_user(reg.ama).get(_url("statement", reg.acct)))
    header = rows[0]
    expected = list(selectors.statement(reg.acct))
    assert [int(r[0]) for r in rows[1:]] == [t.pk for t in expected]
    for row, t in zip(rows[1:], expected, strict=True):
        assert row[header.index("direction")] == t.direction
        assert int(row[header.index("units")]) == t.quantity
        assert row[header.index("serial_ranges")] == "; ".join(serial_format(e) for e in t.entries.all())
    cancelled = [r for r in rows[1:] if r[2] == "Voluntary cancellation"]
    assert cancelled[0][header.index("beneficiary")] == "Acme"
    from pacm.registry.models import Account, AccountKind

    assert cancelled[0][header.index("counterparty_account")] == Account.objects.get(
        kind=AccountKind.VOLUNTARY_CANCELLATION).number


def test_xlsx_statement_has_the_same_rows(reg, as_user):
    _moves(reg)
    client = as_user(reg.ama)
    as_csv = csv_rows(client.get(_url("statement", reg.acct)))
    as_xlsx = xlsx_rows(client.get(_url("statement", reg.acct, "xlsx")))
    assert len(as_xlsx) == len(as_csv) and as_xlsx[0] == as_csv[0]
    assert [str(r[0]) for r in as_xlsx[1:]] == [r[0] for r in as_csv[1:]]


@pytest.mark.parametrize("who, account, allowed", [
    ("ama", "acct", True), ("kofi", "acct", False), ("dina", "acct", False), ("sam", "acct", False),
    ("kofi", "foreign", True), ("ama", "foreign", False),
    ("dina", "gh_party", True), ("nils", "gh_party", False), ("nils", "ke_party", True),
])
@pytest.mark.parametrize("name", ["holdings", "statement"])
def test_only_the_holders_export_an_account(reg, as_user, who, account, allowed, name):
    """The account page's rule (pacm.registry.views._account_or_404: accounts_of_user): anyone else a 404."""
    _moves(reg)
    for fmt in ("csv", "xlsx"):
        response = as_user(getattr(reg, who)).get(_url(name, getattr(reg, account), fmt))
        assert response.status_code == (200 if allowed else 404)


def test_anonymous_is_sent_to_log_in(reg, client):
    response = client.get(_url("holdings", reg.acct))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.post(_url("statement", reg.acct)).status_code in (302, 405)


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        body(client.get(url))
    return len(ctx)


@pytest.mark.parametrize("name", ["holdings", "statement"])
def test_queries_do_not_grow_with_the_rows(reg, as_user, name):
    _moves(reg)
    client = as_user(reg.ama)
    small = _queries(client, _url(name, reg.acct))
    rows = len(csv_rows(client.get(_url(name, reg.acct))))
    _moves(reg, n=8)
    for _ in range(3):  # more holdings rows: one per activity, vintage and status
        issue(activity_make(reg), 50, to=reg.acct)
    assert len(csv_rows(client.get(_url(name, reg.acct)))) > rows
    assert _queries(client, _url(name, reg.acct)) == small
