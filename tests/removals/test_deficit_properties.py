"""The deficit arithmetic in whole units (A6.4-STAN-METH-002 v01.0 paras 29-30; hypothesis)."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from methodologies.arithmetic import deficit_deduct, removals_vintage
from pacm.common.errors import ServiceError

quantity = st.integers(min_value=-(10**10), max_value=10**10)


@given(net=quantity, storage=quantity)
def test_a_vintage_splits_into_claim_deficit_and_reversal_exactly(net, storage):
    """Para 30: claim - deficit = net removals, plus what a storage loss already counts as reversal."""
    v = removals_vintage(net_removals=net, storage_change=storage)
    assert min(v.claimable, v.deficit, v.reversal) >= 0
    assert not (v.claimable and v.deficit)  # one or the other
    if storage >= 0:
        assert (v.claimable - v.deficit, v.reversal) == (net, 0)
    else:
        # Nothing is claimed; the loss is the reversal; the rest of the shortfall is a deficit.
        assert (v.claimable, v.reversal) == (0, -storage)
        assert v.deficit == max(storage - net, 0)


@settings(max_examples=200)
@given(st.lists(st.tuples(st.sampled_from(["period", "issue"]), st.integers(min_value=-(10**9), max_value=10**9)),
                max_size=30))
def test_the_deficit_ledger_conserves_units_over_any_sequence(steps):
    """Any sequence of verified periods and issuances: incurred - deducted = balance, units issued
    = units requested - deducted, nothing negative, never a fraction (paras 30(c)(iv), (d))."""
    balance = incurred = deducted_total = requested_total = issued_total = 0
    for kind, amount in steps:
        if kind == "period":
            v = removals_vintage(net_removals=amount, storage_change=0)
            balance += v.deficit
            incurred += v.deficit
            continue
        units = abs(amount)
        deducted, after, left = deficit_deduct(balance=balance, units=units)
        assert deducted + left == units and after + deducted == balance
        assert deducted == min(balance, units) and after >= 0
        balance = after
        deducted_total += deducted
        requested_total += units
        issued_total += left
    assert incurred - deducted_total == balance
    assert issued_total == requested_total - deducted_total


@pytest.mark.parametrize("kw", [{"balance": -1, "units": 5}, {"balance": 5, "units": -1}, {"balance": 1.5, "units": 5}])
def test_the_deduction_takes_only_whole_non_negative_units(kw):
    with pytest.raises(ServiceError):
        deficit_deduct(**kw)
