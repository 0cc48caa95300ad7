"""The issuance arithmetic (rules.md §4.5; policy.md §1-2), against hand-worked tables and an
independent Fraction-based oracle."""
import math
from collections import namedtuple
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from methodologies.arithmetic import Split, distribution_allocate, issuance_split
from methodologies.models import RuleSet
from pacm.common.errors import ServiceError


def rules(**overrides):
    """An unsaved rule set with policy.md's defaults (5% down, 2% up, buffer 10/20/30% up), its buffer by
    the superseded categories (policy.md §2) unless `buffer_basis` says otherwise."""
    overrides.setdefault("buffer_basis", "categories")
    return RuleSet(version=overrides.pop("version", "test-1"), **overrides)


# (gross, sop, omge, net) under the defaults: SOP floor(5%), OMGE ceil(2%) of gross (RMP 58-59).
TABLE = [
    (1, 0, 1, 0),
    (19, 0, 1, 18),
    (20, 1, 1, 18),
    (100, 5, 2, 93),
    (1_000_003, 50_000, 20_001, 930_002),
]


@pytest.mark.parametrize("gross, sop, omge, net", TABLE)
def test_split_table(gross, sop, omge, net):
    split = issuance_split(gross=gross, rule_set=rules())
    assert (split.gross, split.share_of_proceeds, split.omge, split.buffer, split.net) == (gross, sop, omge, 0, net)
    assert split.rule_set == "test-1"
    assert (split.sop_rate, split.omge_rate, split.buffer_rate) == (Decimal("0.05"), Decimal("0.02"), None)
    assert (split.sop_rounding, split.omge_rounding) == ("down", "up")


@pytest.mark.django_db
def test_split_uses_the_seeded_rule_set_and_says_so():
    split = issuance_split(gross=1_000_003, rule_set=RuleSet.objects.get(version="2021-01"))
    assert split.rule_set == "2021-01"
    assert split.rounding_note() == "SOP rounded down, OMGE rounded up, per rule set 2021-01"


def test_sop_exemption_for_ldc_sids_host():
    # 6/CMA.6 para 20: exempt unless the host opted out (the caller passes sop_exempt=False then).
    split = issuance_split(gross=100, rule_set=rules(), sop_exempt=True)
    assert (split.share_of_proceeds, split.omge, split.net, split.sop_rate) == (0, 2, 98, None)
    assert issuance_split(gross=100, rule_set=rules(), sop_exempt=False).share_of_proceeds == 5


def test_sop_exemption_follows_the_rule_set():
    split = issuance_split(gross=100, rule_set=rules(sop_exempt_ldc_sids=False), sop_exempt=True)
    assert split.share_of_proceeds == 5 and split.sop_rate == Decimal("0.05")


@pytest.mark.parametrize("rate, gross, omge", [("0.035", 100, 4), ("0.035", 1000, 35), (Decimal("0.035"), 19, 1),
                                               ("0.02", 50, 1), ("1", 7, 7)])
def test_participants_may_elect_more_omge(rate, gross, omge):
    # RMP 59; 7/CMA.4 annex I para 64: at least the minimum, rounded up.
    split = issuance_split(gross=gross, rule_set=rules(), omge_rate=rate)
    assert split.omge == omge and split.omge_rate == Decimal(str(rate))


@pytest.mark.parametrize(
    "rating, gross, buffer, net",
    [("low", 100, 10, 83), ("medium", 100, 20, 73), ("high", 100, 30, 63), ("high", 19, 6, 12),
     ("low", 1_000_003, 100_001, 830_001)],
)
def test_buffer_by_risk_rating_on_gross_rounded_up(rating, gross, buffer, net):
    # policy.md §1-2: base = gross, rate from the rule set, rounded up.
    split = issuance_split(gross=gross, rule_set=rules(), risk_rating=rating)
    assert (split.buffer, split.net) == (buffer, net)
    assert split.buffer_rate == rules().buffer_rate(rating)
    assert split.share_of_proceeds + split.omge + split.buffer + split.net == gross


def test_rates_and_roundings_come_from_the_rule_set():
    custom = rules(version="custom", sop_rate=Decimal("0.10"), sop_rounding="half_up", omge_min_rate=Decimal("0.05"),
                   omge_rounding="down", buffer_rate_low=Decimal("0.15"), buffer_rounding="half_up")
    split = issuance_split(gross=15, rule_set=custom, risk_rating="low")
    # SOP 1.5 half up -> 2; OMGE 0.75 down -> 0; buffer 2.25 half up -> 2
    assert (split.share_of_proceeds, split.omge, split.buffer, split.net) == (2, 0, 2, 11)
    assert split.rounding_note() == (
        "SOP rounded half up, OMGE rounded down, buffer rounded half up, per rule set custom"
    )


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"gross": 0}, "at least 1"),
        ({"gross": -5}, "at least 1"),
        ({"gross": 1.5}, "whole number"),
        ({"gross": True}, "whole number"),
        ({"gross": "10"}, "whole number"),
        ({"gross": 100, "omge_rate": "0.0199"}, "below the minimum"),
        ({"gross": 100, "omge_rate": "1.0001"}, "above 1"),
        ({"gross": 100, "omge_rate": "abc"}, "must be a number"),
        ({"gross": 100, "omge_rate": "NaN"}, "finite"),
        ({"gross": 100, "risk_rating": "extreme"}, "Unknown risk rating"),
        ({"gross": 100, "risk_rating": "very_high"}, "not eligible"),
        ({"gross": 1, "risk_rating": "high"}, "exceed"),
        ({"gross": 10, "omge_rate": "1", "risk_rating": "low"}, "exceed"),
    ],
)
def test_bad_input_is_a_clear_one_line_error(kwargs, message):
    with pytest.raises(ServiceError, match=message) as info:
        issuance_split(rule_set=rules(), **kwargs)
    assert "\n" not in info.value.message


def test_split_is_immutable():
    split = issuance_split(gross=100, rule_set=rules())
    assert isinstance(split, Split)
    with pytest.raises(AttributeError):
        split.net = 1


# --- distribution (policy.md §1) -------------------------------------------------------------

Line = namedtuple("Line", "units percent")


def test_percentages_floor_each_line_and_give_the_residual_to_the_first():
    amounts = distribution_allocate(net=100, lines=[Line(None, Decimal("33.33")), Line(None, Decimal("33.33")),
                                                   Line(None, Decimal("33.34"))])
    assert amounts == [34, 33, 33]


def test_residual_goes_to_first_line_even_when_it_is_the_smallest():
    amounts = distribution_allocate(net=7, lines=[(None, Decimal("10")), (None, Decimal("45")), (None, Decimal("45"))])
    # floor(0.7)=0, floor(3.15)=3, floor(3.15)=3 -> residual 1 to the first line
    assert amounts == [1, 3, 3]


def test_whole_units_must_add_up_to_net():
    assert distribution_allocate(net=93, lines=[(90, None), (3, None)]) == [90, 3]
    with pytest.raises(ServiceError, match="add up to 92 units; the net to distribute is 93"):
        distribution_allocate(net=93, lines=[(90, None), (2, None)])


def test_lines_as_objects_and_dicts():
    class Obj:
        units, percent = None, Decimal("100")

    assert distribution_allocate(net=5, lines=[Obj()]) == [5]
    assert distribution_allocate(net=5, lines=[{"units": 5, "percent": None}]) == [5]


@pytest.mark.parametrize(
    "lines, message",
    [
        ([], "at least one"),
        ([(None, Decimal("60"))], "add up to 60, not 100"),
        ([(None, Decimal("60")), (None, Decimal("40.01"))], "not 100"),
        ([(10, Decimal("100"))], "not both or neither"),
        ([(None, None)], "not both or neither"),
        ([(50, None), (None, Decimal("50"))], "every line"),
        ([(93, None), (0, None)], "at least 1 unit"),
        ([(None, Decimal("100")), (None, Decimal("0"))], "above 0"),
        ([(None, Decimal("110")), (None, Decimal("-10"))], "above 0"),
        ([(None, "abc")], "must be a number"),
        ([(1.5, None)], "whole number"),
    ],
)
def test_bad_distributions_are_refused(lines, message):
    with pytest.raises(ServiceError, match=message):
        distribution_allocate(net=93, lines=lines)


# --- properties against an independent oracle --------------------------------------------------

ROUND = {"down": math.floor, "up": math.ceil, "half_up": lambda x: math.floor(x + Fraction(1, 2))}


@settings(max_examples=300, deadline=None)
@given(
    gross=st.integers(min_value=1, max_value=10**15),
    extra_omge=st.integers(min_value=0, max_value=300),
    exempt=st.booleans(),
    rating=st.sampled_from([None, "low", "medium", "high"]),
    roundings=st.tuples(*[st.sampled_from(["down", "up", "half_up"])] * 3),
)
def test_split_matches_exact_fraction_oracle_and_conserves(gross, extra_omge, exempt, rating, roundings):
    rs = rules(sop_rounding=roundings[0], omge_rounding=roundings[1], buffer_rounding=roundings[2])
    omge_rate = rs.omge_min_rate + Decimal(extra_omge) / 10_000
    try:
        split = issuance_split(gross=gross, rule_set=rs, omge_rate=omge_rate, sop_exempt=exempt, risk_rating=rating)
    except ServiceError:
        # Only refusal allowed: the deductions exceed gross.
        sop = 0 if exempt else ROUND[roundings[0]](gross * Fraction(rs.sop_rate))
        omge = ROUND[roundings[1]](gross * Fraction(omge_rate))
        buf = ROUND[roundings[2]](gross * Fraction(rs.buffer_rate(rating))) if rating else 0
        assert sop + omge + buf > gross
        return
    expect_sop = 0 if exempt else ROUND[roundings[0]](gross * Fraction(rs.sop_rate))
    expect_omge = ROUND[roundings[1]](gross * Fraction(omge_rate))
    expect_buf = ROUND[roundings[2]](gross * Fraction(rs.buffer_rate(rating))) if rating else 0
    assert (split.share_of_proceeds, split.omge, split.buffer) == (expect_sop, expect_omge, expect_buf)
    assert split.share_of_proceeds + split.omge + split.buffer + split.net == gross
    assert split.net >= 0


@settings(max_examples=300, deadline=None)
@given(net=st.integers(min_value=0, max_value=10**15),
       weights=st.lists(st.integers(min_value=1, max_value=10_000), min_size=1, max_size=8))
def test_percentage_allocation_is_exact(net, weights):
    # Percentages with 4 decimals that add up to exactly 100.
    total = sum(weights)
    percents = [Decimal(w * 1_000_000 // total) / 10_000 for w in weights]
    percents[-1] += Decimal(100) - sum(percents)
    if any(p <= 0 for p in percents):
        return
    amounts = distribution_allocate(net=net, lines=[(None, p) for p in percents])
    assert sum(amounts) == net
    floors = [math.floor(net * Fraction(p) / 100) for p in percents]
    assert amounts[1:] == floors[1:]
    assert amounts[0] == floors[0] + (net - sum(floors))
    assert 0 <= net - sum(floors) < len(percents)
