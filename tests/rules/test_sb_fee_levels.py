"""Rule 6: fees at the SB's actual levels, a new dated rule-set version (pacm issue 6 §5).

A6.4-PROC-AC-002 v03.0 and A6.4-PROC-AC-003 v03.0 both enter into force on 7 August 2025 (para 8
of each); their appendix 1 sets the fees within the CMA maxima of 7/CMA.4 annex I chapter V
(paras 51-55), which stay the earlier version 2021-01. The fee computation uses the version in
force on the submission date (policy.md §1; 7/CMA.4 annex I para 56).
"""
import datetime
from decimal import Decimal

import pytest

from methodologies.models import RuleSet
from projects.cycle import PeriodState as P
from projects.models import Fee

D = Decimal
SB_EFFECTIVE = datetime.date(2025, 8, 7)


def test_the_sb_levels_are_a_new_version_from_the_day_the_procedures_took_effect(db):
    """PROC-AC-002 v03.0 App.1 paras 6, 8, 10, 13; PROC-AC-003 v03.0 App.1 paras 6, 9, 11, 14."""
    sb = RuleSet.objects.get(version="2025-08")
    assert sb.effective_from == SB_EFFECTIVE
    assert (sb.registration_fee_tier1_usd, sb.registration_fee_tier2_usd, sb.registration_fee_tier3_usd) == (
        D("1500"), D("5000"), D("10000"))
    assert (sb.registration_tier1_max_tonnes, sb.registration_tier2_max_tonnes) == (15_000, 50_000)
    assert sb.issuance_fee_per_unit_usd == D("0.15")
    assert (sb.poa_registration_fee_usd, sb.cp_inclusion_fee_usd, sb.prc_fee_usd, sb.sd_deviation_fee_usd) == (
        D("10000"), D("800"), D("1500"), D("1500"))
    assert sb.fees_waived_ldc_sids  # PROC-AC-002 App.1 para 4
    assert RuleSet.objects.in_force(SB_EFFECTIVE) == sb
    # The day before, rule set 2024-10 (A6.4-STAN-METH-002's percentage buffer, pacm issue 10), which
    # keeps the CMA maxima of 2021-01 (reading risk-buffer-1).
    before = RuleSet.objects.in_force(SB_EFFECTIVE - datetime.timedelta(days=1))
    assert before.version == "2024-10"
    assert before.registration_fee_tier2_usd == RuleSet.objects.get(version="2021-01").registration_fee_tier2_usd


def test_the_cma_maxima_stay_the_earlier_version(db):
    """7/CMA.4 annex I paras 51(a)-(c), 52, 53, 55: the ceilings, kept as rule set 2021-01."""
    cma = RuleSet.objects.get(version="2021-01")
    assert (cma.registration_fee_tier1_usd, cma.registration_fee_tier2_usd, cma.registration_fee_tier3_usd) == (
        D("2000"), D("6000"), D("12000"))
    assert (cma.issuance_fee_per_unit_usd, cma.poa_registration_fee_usd, cma.cp_inclusion_fee_usd,
            cma.prc_fee_usd, cma.sd_deviation_fee_usd) == (D("0.20"), D("12000"), D("1000"), D("2000"), None)
    sb = RuleSet.objects.get(version="2025-08")
    for field in ("registration_fee_tier1_usd", "registration_fee_tier2_usd", "registration_fee_tier3_usd",
                  "issuance_fee_per_unit_usd", "poa_registration_fee_usd", "cp_inclusion_fee_usd", "prc_fee_usd"):
        assert getattr(sb, field) <= getattr(cma, field), field  # the SB stays within the CMA's boundary


def test_every_fee_kind_of_the_appendices(db):
    """Renewal = the registration tier (PROC-AC-002 App.1 para 16); PoA renewal = PoA registration and
    CP renewal = CP inclusion (PROC-AC-003 App.1 paras 17-18); a PRC that lifts the project to a
    higher tier pays the difference on top (PROC-AC-002 App.1 para 11; 7/CMA.4 annex I para 55)."""
    sb = RuleSet.objects.get(version="2025-08")
    assert [sb.renewal_fee(t) for t in (15_000, 15_001, 50_001)] == [D("1500"), D("5000"), D("10000")]
    assert (sb.poa_renewal_fee(), sb.cp_renewal_fee()) == (D("10000"), D("800"))
    assert sb.prc_fee(14_000, 14_500) == D("1500")  # same tier
    assert sb.prc_fee(14_000, 16_000) == D("5000")  # 1,500 + (5,000 - 1,500)
    assert sb.prc_fee(40_000, 10_000) == D("1500")  # a lower tier is not refunded (App.1 para 11)
    cma = RuleSet.objects.get(version="2021-01")
    assert cma.prc_fee(14_000, 60_000) == D("2000") + D("12000") - D("2000")


@pytest.mark.parametrize("at, version, amount", [
    (datetime.datetime(2025, 8, 6, 23, 59, tzinfo=datetime.UTC), "2024-10", D("6000.00")),  # the CMA maxima
    (datetime.datetime(2025, 8, 7, 0, 0, tzinfo=datetime.UTC), "2025-08", D("5000.00")),
])
def test_the_registration_fee_is_charged_at_the_sb_level_from_its_effective_date(requested, at, version, amount):
    """7/CMA.4 annex I para 51 maxima until 6 August 2025; PROC-AC-002 v03.0 App.1 para 6(b) from
    7 August 2025: 40,000 t/yr is tier 2."""
    fee = requested(estimated_annual=40_000, at=at).fees.get(kind=Fee.Kind.REGISTRATION)
    assert (fee.rule_set.version, fee.amount_usd) == (version, amount)


def test_the_issuance_fee_is_charged_at_the_sb_level(world, registered, submit, drive):
    """PROC-AC-002 v03.0 App.1 para 13: USD 0.15 per A6.4ER requested (not the CMA maximum of 0.20)."""
    period = drive(submit(registered), P.ISSUANCE_REQUESTED, units=20_000)
    fee = period.fees.get(kind=Fee.Kind.ISSUANCE)
    assert (fee.rule_set.version, fee.amount_usd) == ("2025-08", D("3000.00"))
    assert "x USD 0.1500 under rule set 2025-08" in fee.basis
