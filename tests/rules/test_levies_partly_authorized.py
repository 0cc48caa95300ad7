"""Rule 5: which units the share of proceeds and the OMGE take from an issuance that is partly
authorized and partly mitigation contribution (pacm issue 6 §5).

RMP 58-59 and 7/CMA.4 annex I paras 39-40 levy 5 % and at least 2 % of *the A6.4ERs issued*;
A6.4-PROC-REGS-001 v02.1 para 43(c)-(f) forwards "5 per cent of the issued A6.4ERs" and "2 per cent
of the issued A6.4ERs", issued as AERs (first transferred) where they are authorized and as MCUs
where not. Reading taken (docs/rules-coverage.md): every unit of the issuance bears the levies
alike, so each levy takes authorized and mitigation contribution units in proportion to their
numbers; the authorized part is rounded up (RuleSet.levy_authorized_rounding), so the host's
corresponding adjustment on the levies never covers less than the exact share.
"""
import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from methodologies.arithmetic import levies_by_status
from methodologies.models import Rounding, RuleSet
from pacm.common.errors import ServiceError
from pacm.registry.models import AccountKind, LedgerTransaction, TransactionKind, UnitBlock
from projects import services
from projects.cycle import PeriodState as P


@pytest.mark.parametrize("levies, authorized, mc, expected", [
    # 30,000 issued, 10,000 authorized: SOP 1,500 = 500 + 1,000; OMGE 600 = 200 + 400 (exact thirds).
    ([1_500, 600], 10_000, 20_000, [(500, 1_000), (200, 400)]),
    # 100 issued, 60 authorized: SOP 5 -> 3 (exactly 3) + 2; OMGE 2 -> 1.2 rounded up to 2, + 0.
    ([5, 2], 60, 40, [(3, 2), (2, 0)]),
    # A single authorized unit of 100: the SOP takes it (0.05 up); the OMGE finds none left.
    ([5, 2], 1, 99, [(1, 4), (0, 2)]),
    # All authorized, or none: the levy comes wholly from the one kind.
    ([50, 20], 1_000, 0, [(50, 0), (20, 0)]),
    ([50, 20], 0, 1_000, [(0, 50), (0, 20)]),
])
def test_each_levy_takes_both_kinds_in_proportion(levies, authorized, mc, expected):
    """7/CMA.4 annex I paras 39-40; REGS-001 para 43(c)-(f): the table of the reading."""
    assert levies_by_status(levies=levies, authorized=authorized, mitigation_contribution=mc) == expected


def test_the_rounding_of_the_authorized_part_comes_from_the_rule_set(db):
    """The authorized part of SOP 5 on 60 of 100 units is 3 either way; of OMGE 2 it is 1.2: up 2, down 1."""
    assert levies_by_status(levies=[5, 2], authorized=60, mitigation_contribution=40,
                            rounding=Rounding.DOWN) == [(3, 2), (1, 1)]
    assert RuleSet.objects.get(version="2025-08").levy_authorized_rounding == Rounding.UP


@settings(max_examples=300, deadline=None)
@given(authorized=st.integers(0, 10**7), mc=st.integers(0, 10**7), sop_pct=st.integers(0, 10),
       omge_pct=st.integers(0, 10), rounding=st.sampled_from(list(Rounding)))
def test_levies_are_whole_conserved_and_proportionate(authorized, mc, sop_pct, omge_pct, rounding):
    """Units never vanish (7/CMA.4 annex I para 28): each levy adds up, no kind gives more than it has,
    and the authorized part is within one unit of its exact share unless the units ran out."""
    total = authorized + mc
    if total == 0:
        return
    sop, omge = total * sop_pct // 100, -(-total * omge_pct // 100)
    parts = levies_by_status(levies=[sop, omge], authorized=authorized, mitigation_contribution=mc,
                             rounding=rounding)
    assert [a + m for a, m in parts] == [sop, omge]
    assert sum(a for a, _ in parts) <= authorized and sum(m for _, m in parts) <= mc
    for levy, (a, _) in zip([sop, omge], parts, strict=True):
        exact = Decimal(levy) * authorized / total
        assert a <= exact + 1 and (a >= exact - 1 or sum(x for x, _ in parts) == authorized or a == levy)


def test_levies_larger_than_the_issuance_are_refused():
    with pytest.raises(ServiceError, match="exceed"):
        levies_by_status(levies=[6, 5], authorized=5, mitigation_contribution=5)


def _held_by_status(kind):
    by_status = {}
    for block in UnitBlock.objects.filter(account__kind=kind):
        by_status[block.authorization_status] = by_status.get(block.authorization_status, 0) + block.quantity
    return by_status


def test_the_issuing_task_levies_authorized_and_mitigation_units_in_proportion(world, registered, submit, drive):
    """30,000 issued under a statement capped at 10,000 authorized units (a third): the AF receives
    500 AERs and 1,000 MCUs, the OMGE cancels 200 AERs and 400 MCUs; only the AERs are first
    transferred with a corresponding adjustment (RMP 58-59; 4/CMA.6 paras 16-17; REGS-001 para 43(e))."""
    services.authorization_statement_issue(activity=registered, user=world.dina, uses="ndc", quantity_cap=10_000,
                                           effective_from=datetime.date(2021, 1, 1))
    drive(submit(registered), P.ISSUED)
    assert _held_by_status(AccountKind.SOP_ADAPTATION) == {"ndc": 500, "mc": 1_000}
    assert _held_by_status(AccountKind.OMGE_MANDATORY) == {"ndc": 200, "mc": 400}
    assert _held_by_status(AccountKind.HOLDING) == {"ndc": 9_300, "mc": 18_600}
    for kind, authorized in ((TransactionKind.SHARE_OF_PROCEEDS, 500), (TransactionKind.OMGE_CANCELLATION, 200)):
        row = LedgerTransaction.objects.get(kind=kind)
        assert row.first_transfer and row.corresponding_adjustment
        flagged = sum(e.quantity for e in row.entries.all() if e.first_transfer)
        assert flagged == authorized, kind
    levied = UnitBlock.objects.filter(account__kind__in=[AccountKind.SOP_ADAPTATION, AccountKind.OMGE_MANDATORY])
    assert all(b.first_transferred == b.is_authorized for b in levied)
