"""Registry reads (rules.md §5.1; 7/CMA.4 annex I paras 34, 47): few queries, no private names."""
from decimal import Decimal

from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pacm.registry import selectors
from pacm.registry.models import AccountKind, UnitBlock
from pacm.registry.serials import serial_format
from pacm.registry.services import units_cancel_voluntarily, units_transfer

from .conftest import issue, mech


def test_holdings_group_units_in_one_query(reg, django_assert_num_queries):
    issue(reg.activity, 1_000, to=reg.acct)
    issue(reg.activity, 100, to=reg.acct, vintage=2023, status="mc")
    # Serial order would take the 2023 units first; the filter picks the authorized 2024 ones.
    units_transfer(user=reg.ama, from_account=reg.acct, to_account=reg.foreign, quantity=10, vintage=2024)
    units_transfer(user=reg.kofi, from_account=reg.foreign, to_account=reg.acct, quantity=10)
    with django_assert_num_queries(1):
        rows = list(selectors.holdings(reg.acct))
    assert [(r["vintage"], r["authorization_status"], r["first_transferred"], r["units"]) for r in rows] == [
        (2023, "mc", False, 93), (2024, "ndc", False, 920), (2024, "ndc", True, 10)]
    assert {r["activity__reference"] for r in rows} == {reg.activity.reference}


def _statement_queries(account):
    with CaptureQueriesContext(connection) as ctx:
        rows = list(selectors.statement(account))
        for row in rows:
            [serial_format(e) for e in row.entries.all()]
            _ = (row.from_account and row.from_account.number, row.to_account.number)
    return rows, len(ctx.captured_queries)


def test_statement_lists_in_and_out_without_n_plus_one(reg):
    issue(reg.activity, 1_000, to=reg.acct)
    units_transfer(user=reg.ama, from_account=reg.acct, to_account=reg.acct2, quantity=3)
    rows, few = _statement_queries(reg.acct)
    assert [(r.kind, r.direction) for r in rows] == [("transfer", "out"), ("forwarding", "in")]
    for _ in range(6):
        units_transfer(user=reg.ama, from_account=reg.acct, to_account=reg.acct2, quantity=3)
        units_transfer(user=reg.ama, from_account=reg.acct2, to_account=reg.acct, quantity=2)
    rows, many = _statement_queries(reg.acct)
    assert len(rows) == 14 and many == few
    entry = rows[0].entries.all()[0]
    assert serial_format(entry) == f"A6.4ER-GH-{reg.activity.reference}-2024-{entry.serial_start}-{entry.serial_end}"


def test_accounts_of_user(reg):
    numbers = lambda user: sorted(a.number for a in selectors.accounts_of_user(user))  # noqa: E731
    assert numbers(reg.ama) == sorted([reg.acct.number, reg.acct2.number])
    assert numbers(reg.kofi) == [reg.foreign.number]
    assert numbers(reg.nils) == sorted([reg.ke_party.number, reg.ke_retire.number])
    assert numbers(reg.af) == [mech(AccountKind.SOP_ADAPTATION).number]
    assert numbers(reg.sam) == [] and numbers(None) == []


def test_public_blocks_name_only_mechanism_and_party_holders(reg):
    issue(reg.activity, 1_000, lines=[(reg.acct, Decimal("50")), (reg.gh_party, Decimal("50"))])
    units_cancel_voluntarily(user=reg.ama, from_account=reg.acct, quantity=1, purpose="Claim")
    rows = list(selectors.public_blocks())
    holders = {(r["account__kind"], r["holder"]) for r in rows}
    assert holders == {
        ("sop_adaptation", "Adaptation Fund share of proceeds account"),
        ("omge_mandatory", "Mandatory OMGE cancellation account"),
        ("voluntary_cancellation", "Voluntary cancellation account"),
        ("holding", "Ghana Party holding"),
        ("holding", "Private holding account"),
    }
    text = repr(rows)
    assert "Kpone" not in text and reg.acct.number not in text  # neither the entity nor its account
    assert sum(r["quantity"] for r in rows) == 1_000
    first = rows[0]
    block = UnitBlock.objects.select_related("activity", "host_party").get(pk=first["pk"])
    assert first["serial"] == serial_format(block) == f"A6.4ER-GH-{reg.activity.reference}-2024-1-50"


def test_public_blocks_page_with_the_paginator(reg):
    issue(reg.activity, 1_000, to=reg.acct)
    for _ in range(5):
        units_transfer(user=reg.ama, from_account=reg.acct, to_account=reg.acct2, quantity=1)
    page = Paginator(selectors.public_blocks(), 3).page(2)
    assert page.paginator.count == UnitBlock.objects.count() and len(page.object_list) == 3
    assert all("serial" in row for row in page.object_list)


def test_ledger_totals_balance(reg):
    issue(reg.activity, 1_000, to=reg.acct, risk_rating=10)
    issue(reg.activity, 500, to=reg.acct2)
    units_cancel_voluntarily(user=reg.ama, from_account=reg.acct, quantity=7, purpose="Claim")
    totals = selectors.ledger_totals()
    assert totals["issued"] == totals["held"] == 1_500
    assert totals["by_kind"] == {"sop_adaptation": 75, "omge_mandatory": 30, "buffer": 100, "holding": 1_288,
                                 "voluntary_cancellation": 7}
    assert [i["quantity"] for i in selectors.public_issuances()] == [500, 1_000]


def test_serial_format_is_the_policy_form(reg):
    request, _, _ = issue(reg.activity, 30, to=reg.acct, vintage=2025)
    block = UnitBlock.objects.filter(issuance=request).order_by("serial_start").first()
    assert serial_format(block) == f"A6.4ER-GH-{reg.activity.reference}-2025-1-{block.serial_end}"
