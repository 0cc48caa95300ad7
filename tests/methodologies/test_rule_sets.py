"""Rule sets and methodology versions: the dated data every rate, fee, timer and cap comes from
(policy.md §1; RMP 32; 7/CMA.4 annex I para 51)."""
import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from methodologies.models import Methodology, MethodologyVersion, RuleSet


def test_the_seeded_rule_set_carries_policy_defaults(db):
    rules = RuleSet.objects.get(version="2021-01")
    assert rules.effective_from == datetime.date(2021, 1, 1)
    assert (rules.sop_rate, rules.omge_min_rate) == (Decimal("0.05"), Decimal("0.02"))  # RMP 58-59
    assert (rules.registration_fee_tier1_usd, rules.registration_fee_tier2_usd, rules.registration_fee_tier3_usd) == (
        Decimal("2000"), Decimal("6000"), Decimal("12000"))  # 7/CMA.4 annex I para 51 maxima
    assert (rules.prior_consideration_days, rules.gsc_days, rules.registration_review_days) == (180, 28, 28)
    assert rules.crediting_earliest_start == datetime.date(2021, 1, 1)  # RMP 31(f)


def test_in_force_is_the_latest_effective_version(db):
    newer = RuleSet.objects.create(version="2027-01", effective_from=datetime.date(2027, 1, 1))
    assert RuleSet.objects.in_force(datetime.date(2024, 10, 8)).version == "2021-01"
    # A6.4-STAN-METH-002 v01.0 para 7: the removals standard's rule set from 9 October 2024.
    assert RuleSet.objects.in_force(datetime.date(2025, 8, 6)).version == "2024-10"
    assert RuleSet.objects.in_force(datetime.date(2026, 12, 31)).version == "2025-08"
    assert RuleSet.objects.in_force(datetime.date(2027, 1, 1)) == newer
    same_day = RuleSet.objects.create(version="2027-01b", effective_from=datetime.date(2027, 1, 1))
    assert RuleSet.objects.in_force(datetime.date(2027, 6, 1)) == same_day  # the later publication wins


def test_no_rule_set_before_the_first(db):
    with pytest.raises(RuleSet.DoesNotExist):
        RuleSet.objects.in_force(datetime.date(2020, 12, 31))


@pytest.mark.parametrize("tonnes,tier", [(1, 1), (9_000, 1), (9_001, 2), (30_000, 2), (30_001, 3), (10**9, 3)])
def test_registration_fee_tier_boundaries_come_from_the_rule_set(tonnes, tier):
    rules = RuleSet(version="x", registration_tier1_max_tonnes=9_000, registration_tier2_max_tonnes=30_000,
                    registration_fee_tier1_usd=Decimal("100"), registration_fee_tier2_usd=Decimal("200"),
                    registration_fee_tier3_usd=Decimal("300"))
    assert rules.registration_fee(tonnes) == Decimal(100 * tier)


def test_timer_days_read_the_named_field():
    rules = RuleSet(version="x", gsc_days=33, appeal_days=9)
    assert (rules.timer_days("gsc"), rules.timer_days("appeal")) == (33, 9)


def test_rule_set_validation():
    with pytest.raises(ValidationError):
        RuleSet(version="x", registration_tier1_max_tonnes=50_000, registration_tier2_max_tonnes=50_000).clean()
    with pytest.raises(ValidationError):
        RuleSet(version="x", buffer_basis="categories", buffer_rate_high=Decimal("0.93")).clean()
    # A6.4-STAN-METH-002 para 42: an upper limit of the rating that leaves the participants nothing,
    # and a floor above the limit, are refused.
    with pytest.raises(ValidationError):
        RuleSet(version="x", risk_rating_max_percent=Decimal("93")).clean()
    with pytest.raises(ValidationError):
        RuleSet(version="x", risk_rating_min_percent=Decimal("20"), risk_rating_max_percent=Decimal("10")).clean()
    RuleSet(version="x", buffer_rate_high=Decimal("0.93")).clean()  # the categories are not read
    RuleSet(version="x").clean()


def test_the_standard_rule_set_takes_the_percentage_and_the_categories_are_superseded(db):
    """A6.4-STAN-METH-002 v01.0 para 7 (in force 9 October 2024), paras 38, 41, 55; policy.md §2."""
    old, standard, latest = (RuleSet.objects.get(version=v) for v in ("2021-01", "2024-10", "2025-08"))
    assert old.buffer_basis == "categories" and old.buffer_rate("low") == Decimal("0.10")
    assert standard.effective_from == datetime.date(2024, 10, 9)
    assert (standard.buffer_basis, latest.buffer_basis) == ("percentage", "percentage")
    assert (standard.risk_revision_years, latest.risk_revision_years) == (5, 5)
    assert standard.risk_rating_min_percent is None and standard.risk_rating_max_percent is None
    # Every other value as in the rule set before it.
    assert (standard.sop_rate, standard.registration_fee_tier1_usd) == (old.sop_rate, old.registration_fee_tier1_usd)


@pytest.mark.parametrize("status,valid_to,day,ok", [
    ("approved", None, datetime.date(2024, 1, 1), True),
    ("approved", None, datetime.date(2023, 12, 31), False),
    ("approved", datetime.date(2025, 6, 30), datetime.date(2025, 6, 30), True),
    ("approved", datetime.date(2025, 6, 30), datetime.date(2025, 7, 1), False),
    ("on_hold", None, datetime.date(2024, 6, 1), False),
    ("withdrawn", None, datetime.date(2024, 6, 1), False),
])
def test_methodology_version_applicable_on(status, valid_to, day, ok):
    """RMP 32: an SB-approved version, valid on the day."""
    version = MethodologyVersion(methodology=Methodology(code="M", kind="reductions"), version="1",
                                 status=status, valid_from=datetime.date(2024, 1, 1), valid_to=valid_to)
    assert version.is_applicable_on(day) is ok


@pytest.mark.parametrize("kind,reversal_risk,needs", [("removals", False, True), ("reductions", True, True),
                                                       ("reductions", False, False)])
def test_which_methodologies_need_a_buffer(kind, reversal_risk, needs):
    """policy.md §2: removals and reductions with reversal risk."""
    assert Methodology(code="M", kind=kind, reversal_risk=reversal_risk).needs_buffer is needs
