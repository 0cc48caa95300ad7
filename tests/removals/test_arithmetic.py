"""The arithmetic of a removals report (A6.4-STAN-METH-002 v01.0 para 30), exhaustively on small
numbers and as properties: nothing is lost or made up."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pacm.common.errors import ServiceError
from projects.removals.arithmetic import VintageRemovals, deficit_deduct, removals_vintage

Q = st.integers(min_value=-10**10, max_value=10**10)


@pytest.mark.parametrize("net, storage, expected", [
    (5_000, 5_000, (5_000, 0, 0)),      # para 30(c): positive net removals are claimed
    (0, 0, (0, 0, 0)),
    (-5_000, 2_000, (0, 5_000, 0)),     # para 30(d): negative: a crediting deficit
    (-1_500, -1_200, (0, 300, 1_200)),  # para 30(e): a reversal of the storage lost; the rest a deficit (removals-2)
    (-1_200, -1_200, (0, 0, 1_200)),
    (500, -1_200, (0, 0, 1_200)),       # storage lost: nothing is claimed whatever the net removals
])
def test_one_vintage(net, storage, expected):
    assert removals_vintage(net_removals=net, storage_change=storage) == VintageRemovals(*expected)


@given(net=Q, storage=Q)
def test_a_vintage_is_claimed_or_owed_never_both(net, storage):
    v = removals_vintage(net_removals=net, storage_change=storage)
    assert min(v.claimable, v.deficit, v.reversal) >= 0
    assert v.claimable == 0 or (v.deficit == 0 and v.reversal == 0)
    assert v.reversal == max(-storage, 0)
    if storage >= 0:
        assert v.claimable - v.deficit == net


@given(balance=st.integers(min_value=0, max_value=10**10), units=st.integers(min_value=0, max_value=10**10))
def test_a_deduction_conserves_units_and_deficit(balance, units):
    deducted, after, left = deficit_deduct(balance=balance, units=units)
    assert deducted + left == units and after + deducted == balance
    assert deducted == min(balance, units)


def test_bad_numbers_are_a_clear_error():
    with pytest.raises(ServiceError):
        removals_vintage(net_removals="5", storage_change=0)
    with pytest.raises(ServiceError):
        deficit_deduct(balance=-1, units=5)
