"""The buffer at the activity's percentage risk rating (A6.4-STAN-METH-002 v01.0 paras 38-39, 42, 55;
pacm issue 10): a share of every issuance, rounded as the rule set says, within its limits."""
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from methodologies.arithmetic import issuance_split
from methodologies.models import RuleSet
from pacm.common.errors import ServiceError


def rules(**overrides):
    return RuleSet(version=overrides.pop("version", "std-1"), buffer_basis="percentage", **overrides)


@pytest.mark.parametrize("rating, gross, rounding, buffer", [
    (Decimal("12.5"), 101, "up", 13),  # 12.625 rounded up (the pool is never under-funded)
    (Decimal("12.5"), 101, "down", 12),
    (Decimal("12.5"), 101, "half_up", 13),
    (Decimal("12.5"), 100, "half_up", 13),  # 12.5 half up
    (Decimal("0.01"), 100, "up", 1),
    (Decimal("0.01"), 100, "down", 0),
    (Decimal("0"), 1_000, "up", 0),
    ("20", 1_000, "up", 200),
    (15, 1_000_003, "up", 150_001),
])
def test_buffer_is_the_rating_of_gross_rounded_as_the_rule_set_says(rating, gross, rounding, buffer):
    split = issuance_split(gross=gross, rule_set=rules(buffer_rounding=rounding), risk_rating=rating)
    assert split.buffer == buffer
    assert split.buffer_rate == Decimal(str(rating)) / 100
    assert split.share_of_proceeds + split.omge + split.buffer + split.net == gross


def test_rule_set_limits_are_validated_at_the_edge():
    """Para 42: a rating below the floor or above the upper limit is refused, the edges accepted."""
    limited = rules(risk_rating_min_percent=Decimal("5"), risk_rating_max_percent=Decimal("40"))
    assert issuance_split(gross=100, rule_set=limited, risk_rating=Decimal("5")).buffer == 5
    assert issuance_split(gross=100, rule_set=limited, risk_rating=Decimal("40")).buffer == 40
    with pytest.raises(ServiceError) as low:
        issuance_split(gross=100, rule_set=limited, risk_rating=Decimal("4.99"))
    assert low.value.code == "risk_rating_below_minimum"
    with pytest.raises(ServiceError) as high:
        issuance_split(gross=100, rule_set=limited, risk_rating=Decimal("40.01"))
    assert high.value.code == "risk_rating_above_maximum"


@pytest.mark.parametrize("rating, code", [
    ("low", "risk_rating_category_superseded"), ("high", "risk_rating_category_superseded"),
    ("very_high", "risk_rating_category_superseded"), ("-1", "risk_rating_out_of_range"),
    ("100.01", "risk_rating_out_of_range"), ("abc", "number_invalid"), ("NaN", "number_not_finite"),
])
def test_bad_ratings_are_refused_with_their_code(rating, code):
    with pytest.raises(ServiceError) as info:
        issuance_split(gross=100, rule_set=rules(), risk_rating=rating)
    assert info.value.code == code and "\n" not in info.value.message


def test_categories_only_under_the_superseded_rule_set():
    """policy.md §2: the categories are data of the superseded rule set and still compute there."""
    old = RuleSet(version="old", buffer_basis="categories")
    assert issuance_split(gross=100, rule_set=old, risk_rating="medium").buffer == 20


def test_negligible_tag_only_with_a_zero_rating_under_the_standard():
    """Para 39(b): the units are tagged when the DOE-validated assessment says negligible (rating 0)."""
    assert issuance_split(gross=100, rule_set=rules(), risk_rating=Decimal("0"), negligible=True).negligible_risk
    assert not issuance_split(gross=100, rule_set=rules(), risk_rating=Decimal("0")).negligible_risk
    assert not issuance_split(gross=100, rule_set=rules(), risk_rating=Decimal("3"), negligible=True).negligible_risk
    assert not issuance_split(gross=100, rule_set=rules(), negligible=True).negligible_risk  # no reversal risk


@given(gross=st.integers(min_value=100, max_value=10**10),
       rating=st.decimals(min_value=0, max_value=50, places=2),
       rounding=st.sampled_from(["up", "down", "half_up"]))
def test_units_are_integer_and_conserved(gross, rating, rounding):
    split = issuance_split(gross=gross, rule_set=rules(buffer_rounding=rounding), risk_rating=rating)
    assert all(type(v) is int for v in (split.share_of_proceeds, split.omge, split.buffer, split.net))
    assert split.share_of_proceeds + split.omge + split.buffer + split.net == gross
    exact = gross * rating / 100
    assert abs(split.buffer - exact) < 1
