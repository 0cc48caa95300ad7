"""pacm issue 8: each account's holding groups (A6.4-PROC-REGS-001 para 34: units per activity, vintage,
authorization and first-transfer status) are kept in maintained rows by every move, so the account
page, the API and the exports read the groups, never every block of the account; `reconcile_totals`
recomputes them from the blocks."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F, Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pacm.registry import selectors
from pacm.registry.models import AccountHolding, UnitBlock
from pacm.registry.services import units_transfer, units_use
from pacm.registry.services.totals import holdings_differences

from .conftest import activity_make, issue

pytestmark = pytest.mark.django_db


def _grouped_from_blocks(account):
    """What the holdings list showed when it grouped the blocks (before pacm issue 8)."""
    rows = (UnitBlock.objects.filter(account=account)
            .values("activity_id", "vintage", "authorization_status", "first_transferred", "negligible_risk")
            .annotate(units=Sum(F("serial_end") - F("serial_start") + 1)).order_by())
    return sorted((r["activity_id"], r["vintage"], r["authorization_status"], r["first_transferred"],
                   r["negligible_risk"], r["units"]) for r in rows)


def _listed(account):
    return sorted((r["activity_id"], r["vintage"], r["authorization_status"], r["first_transferred"],
                   r["negligible_risk"], r["units"]) for r in selectors.holdings(account))


def test_the_groups_follow_issuance_transfer_and_use(reg):
    issue(reg.activity, 10_000, to=reg.acct)
    issue(reg.activity, 2_000, to=reg.acct, vintage=2025, tranches=[(2025, 1_200, "ndc", ""), (2025, 800, "mc", "")])
    units_transfer(user=reg.ama, from_account=reg.acct, to_account=reg.acct2, quantity=7)
    units_transfer(user=reg.ama, from_account=reg.acct, to_account=reg.foreign, quantity=11)
    units_use(user=reg.ama, from_account=reg.acct, quantity=5, purpose="Claim", beneficiary="", use="voluntary")
    assert holdings_differences() == []
    for account in (reg.acct, reg.acct2, reg.foreign):
        assert _listed(account) == _grouped_from_blocks(account) != []
    # The 2024 and 2025 vintages, NDC and MC: three groups in the developer's account.
    assert {(v, s) for _, v, s, *_ in _listed(reg.acct)} == {(2024, "ndc"), (2025, "ndc"), (2025, "mc")}


def test_a_group_emptied_is_no_longer_listed(reg):
    issue(reg.activity, 100, to=reg.acct)
    held = selectors.units_by_account([reg.acct.pk])[reg.acct.pk]
    units_transfer(user=reg.ama, from_account=reg.acct, to_account=reg.acct2, quantity=held)
    assert list(selectors.holdings(reg.acct)) == []
    assert AccountHolding.objects.filter(account=reg.acct, units=0).exists()  # kept, at zero, for the next move
    assert _listed(reg.acct2) == _grouped_from_blocks(reg.acct2)


def test_reconcile_reports_and_fixes_a_holding(reg, capsys):
    issue(reg.activity, 1_000, to=reg.acct)
    row = AccountHolding.objects.filter(account=reg.acct, units__gt=0).get()
    AccountHolding.objects.filter(pk=row.pk).update(units=row.units - 4)
    with pytest.raises(CommandError, match="1 total"):
        call_command("reconcile_totals")
    assert f"stored holding {row.units - 4}; blocks hold {row.units}" in capsys.readouterr().out
    call_command("reconcile_totals", "--fix")
    assert holdings_differences() == []


def _account_page(client, account, **query):
    return client.get(reverse("registry-account", args=[account.number]), query)


def test_the_holdings_list_is_paged_by_key(reg, client, monkeypatch):
    """Three activities, two vintages each: pages of 4, then 2, in the order (activity, vintage, id), no row
    twice; a bad key shows the first page."""
    from pacm.registry import views

    monkeypatch.setattr(views, "HOLDINGS_PAGE", 4)
    others = [activity_make(reg) for _ in range(2)]
    for activity in (reg.activity, *others):
        issue(activity, 300, to=reg.acct)
        issue(activity, 300, to=reg.acct, vintage=2025)
    client.force_login(reg.ama)
    first = _account_page(client, reg.acct).context["holdings"]
    assert len(first) == 4 and first.next_link
    after = first.next_link.split("holdings_after=")[1].split("&")[0]
    second = _account_page(client, reg.acct, holdings_after=after).context["holdings"]
    assert len(second) == 2 and second.next_link is None and second.first_link
    seen = [(r["activity_id"], r["vintage"]) for r in [*first, *second]]
    assert seen == sorted(seen) and len(set(seen)) == 6
    assert [r["id"] for r in _account_page(client, reg.acct, holdings_after="x").context["holdings"]] == [
        r["id"] for r in first]


def test_the_account_page_reads_the_same_rows_however_many_blocks_it_holds(reg, client):
    """Ten blocks or a hundred in the account: the page's queries are the same (the groups, not the blocks)."""
    issue(reg.activity, 10_000, to=reg.acct2)
    client.force_login(reg.ama)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert _account_page(client, reg.acct).status_code == 200
        return len(ctx.captured_queries)

    for _ in range(10):
        units_transfer(user=reg.ama, from_account=reg.acct2, to_account=reg.acct, quantity=3)
    few = count()
    for _ in range(90):
        units_transfer(user=reg.ama, from_account=reg.acct2, to_account=reg.acct, quantity=3)
    assert UnitBlock.objects.filter(account=reg.acct).count() >= 100
    assert count() == few
