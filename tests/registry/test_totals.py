"""pacm issue 8: the registry's totals are kept in rows updated with every move, and
`reconcile_totals` recomputes them from the ledger, reports differences and fixes them."""

import pytest
from django.core.management import CommandError, call_command

from pacm.registry import selectors
from pacm.registry.models import AccountKind, RegistryTotal, UnitBlock
from pacm.registry.services import units_transfer, units_use
from pacm.registry.services.totals import totals_differences

from .conftest import issue

pytestmark = pytest.mark.django_db


def _held_by_kind():
    by_kind = {}
    for block in UnitBlock.objects.select_related("account"):
        by_kind[block.account.kind] = by_kind.get(block.account.kind, 0) + block.quantity
    return by_kind


def test_totals_follow_issuance_transfer_and_use(reg):
    issue(reg.activity, 10_000, to=reg.acct)
    assert totals_differences() == []
    units_transfer(user=reg.ama, from_account=reg.acct, to_account=reg.acct2, quantity=7)
    units_use(user=reg.ama, from_account=reg.acct, quantity=5, purpose="Claim", beneficiary="", use="voluntary")
    assert totals_differences() == []
    totals = selectors.ledger_totals()
    assert totals["by_kind"] == _held_by_kind()
    assert totals["issued"] == totals["held"] == 10_000
    assert totals["by_kind"][AccountKind.VOLUNTARY_CANCELLATION] == 5


def test_reconcile_reports_and_fixes_a_difference(reg, capsys):
    issue(reg.activity, 10_000, to=reg.acct)
    call_command("reconcile_totals")
    assert "match the ledger" in capsys.readouterr().out
    row = RegistryTotal.objects.filter(units__gt=0).first()
    RegistryTotal.objects.filter(pk=row.pk).update(units=row.units + 3)
    with pytest.raises(CommandError, match="1 total"):
        call_command("reconcile_totals")
    assert f"stored units {row.units + 3}" in capsys.readouterr().out
    call_command("reconcile_totals", "--fix")
    assert "Fixed 1 row" in capsys.readouterr().out
    assert totals_differences() == []
    call_command("reconcile_totals")
