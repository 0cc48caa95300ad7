"""Rule set 2025-08: the SB's actual fee levels and time limits, from the day its procedures took effect.

A6.4-PROC-AC-002 v03.0 para 8 and A6.4-PROC-AC-003 v03.0 para 8: both enter into force on 7 August
2025. Their appendix 1 sets the fees within the CMA maxima (7/CMA.4 annex I chapter V), which stay
in rule set 2021-01. Every other value is copied from the rule set in force before it.
"""
import datetime
from decimal import Decimal

from django.db import migrations

VERSION = "2025-08"
EFFECTIVE = datetime.date(2025, 8, 7)  # PROC-AC-002 v03.0 para 8; PROC-AC-003 v03.0 para 8

SB_LEVELS = {
    # PROC-AC-002 v03.0 appendix 1 para 6: registration tiers by annual average (t CO2 eq).
    "registration_tier1_max_tonnes": 15_000,
    "registration_tier2_max_tonnes": 50_000,
    "registration_fee_tier1_usd": Decimal("1500"),
    "registration_fee_tier2_usd": Decimal("5000"),
    "registration_fee_tier3_usd": Decimal("10000"),
    # PROC-AC-002 App.1 para 13; PROC-AC-003 App.1 para 14: per A6.4ER requested for issuance.
    "issuance_fee_per_unit_usd": Decimal("0.15"),
    # PROC-AC-003 App.1 para 6(a), (b): PoA registration, CP inclusion (also the renewal fees, paras 17-18).
    "poa_registration_fee_usd": Decimal("10000"),
    "cp_inclusion_fee_usd": Decimal("800"),
    # PROC-AC-002 App.1 para 10; PROC-AC-003 App.1 para 11: post-registration change, per request.
    "prc_fee_usd": Decimal("1500"),
    # PROC-AC-002 App.1 para 8; PROC-AC-003 App.1 para 9: deviation from the A6.4 SD Tool.
    "sd_deviation_fee_usd": Decimal("1500"),
    # PROC-AC-002 App.1 para 4; PROC-AC-003 App.1 para 4: all fees waived for LDC and SIDS hosts.
    "fees_waived_ldc_sids": True,
    # Time limits of PROC-AC-002 v03.0 (calendar days).
    "prior_consideration_days": 180,  # para 15
    "gsc_days": 28,  # para 20
    "completeness_check_days": 7,  # paras 75, 185
    "information_check_days": 21,  # substantive check, paras 78, 188
    "registration_review_days": 28,  # para 85
    "issuance_review_days": 28,  # para 194 (was 14, policy.md's "reported" value)
    "registration_appeal_days": 28,  # para 89
    "appeal_days": 14,  # issuance, para 198
    "missing_information_days": 28,  # resubmission after "incomplete", paras 77, 80, 187, 190 (was 14)
}

NOTES = (
    "SB levels from 7 August 2025 (A6.4-PROC-AC-002 v03.0 and A6.4-PROC-AC-003 v03.0, para 8; fees of "
    "their appendix 1; time limits of PROC-AC-002 paras 15, 20, 75-89, 185-198). The CMA maxima stay in "
    "rule set 2021-01. Other values as in the rule set before."
)


def publish(apps, schema_editor):
    RuleSet = apps.get_model("methodologies", "RuleSet")
    if RuleSet.objects.filter(version=VERSION).exists():
        return
    before = RuleSet.objects.filter(effective_from__lte=EFFECTIVE).order_by("-effective_from", "-pk").first()
    values = {}
    if before is not None:
        skip = {"id", "version", "effective_from", "notes"}
        values = {f.attname: getattr(before, f.attname) for f in RuleSet._meta.concrete_fields if f.attname not in skip}
    values.update(SB_LEVELS)
    RuleSet.objects.create(version=VERSION, effective_from=EFFECTIVE, notes=NOTES, **values)


def unpublish(apps, schema_editor):
    RuleSet = apps.get_model("methodologies", "RuleSet")
    RuleSet.objects.filter(version=VERSION).delete()


class Migration(migrations.Migration):
    dependencies = [("methodologies", "0004_fee_kinds_and_sb_timers")]
    operations = [migrations.RunPython(publish, unpublish)]
