"""Methodologies and the dated rule sets that hold every rate, fee, timer and cap (policy.md §1).

Nothing in the cycle carries a rate or a period as a literal: it asks the rule set in force on
the relevant date (the submission date for fees, the issuance date for deductions).
"""
import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from pacm.common import bounds

from .refund_ladders import refund_ladders_default


class SectoralScope(models.Model):
    number = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["number"]

    def __str__(self):
        return f"{self.number}. {self.name}"


class Methodology(models.Model):
    class Kind(models.TextChoices):
        REDUCTIONS = "reductions", _("Emission reductions")
        REMOVALS = "removals", _("Removals")

    code = models.CharField(max_length=40, unique=True)
    title = models.CharField(max_length=250)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.REDUCTIONS)
    # policy.md §2: the buffer applies to removals and to reductions that carry reversal risk.
    reversal_risk = models.BooleanField(default=False)
    sectoral_scopes = models.ManyToManyField(SectoralScope, related_name="methodologies")

    class Meta:
        ordering = ["code"]
        verbose_name_plural = _("methodologies")

    def __str__(self):
        return f"{self.code} {self.title}"

    @property
    def needs_buffer(self):
        return self.kind == self.Kind.REMOVALS or self.reversal_risk


class MethodologyVersion(models.Model):
    class Status(models.TextChoices):
        APPROVED = "approved", _("Approved")
        ON_HOLD = "on_hold", _("On hold")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    methodology = models.ForeignKey(Methodology, on_delete=models.PROTECT, related_name="versions")
    version = models.CharField(max_length=20)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.APPROVED)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    # A6.4-STAN-METH-002 v01.0 para 21: for removals, the methodology's maximum interval between the
    # start of the first crediting period and the first monitoring report (a), and between two
    # consecutive reports (b), each between one and five years. Empty: no due dates (reductions).
    first_report_max_years = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("STAN-METH-002 para 21(a): 1 to 5 years from the start of the first crediting period"),
    )
    report_interval_max_years = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("STAN-METH-002 para 21(b): 1 to 5 years between consecutive monitoring reports"),
    )

    class Meta:
        ordering = ["methodology__code", "valid_from"]
        constraints = [models.UniqueConstraint(fields=["methodology", "version"], name="methodology_version_unique")]

    def __str__(self):
        return f"{self.methodology.code} v{self.version}"

    def clean(self):
        errors = {name: bounds.date_problem(getattr(self, name)) for name in ("valid_from", "valid_to")
                  if getattr(self, name) is not None and bounds.date_problem(getattr(self, name))}
        if errors:
            raise ValidationError(errors)
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": "The end date is before the start date."})

    def is_applicable_on(self, date):
        """RMP 32: only an SB-approved methodology version, valid on that date, may be applied."""
        return (
            self.status == self.Status.APPROVED
            and self.valid_from <= date
            and (self.valid_to is None or date <= self.valid_to)
        )


class BufferBasis(models.TextChoices):
    """What the buffer contribution is computed from (pacm issue 10, docs/rules-coverage.md risk-buffer-1)."""

    # policy.md §2: the placeholder categories of the rule sets before the removals standard.
    CATEGORIES = "categories", _("Low / medium / high categories (policy.md §2; superseded)")
    # A6.4-STAN-METH-002 v01.0 paras 38-39(a), 55: the activity's own percentage risk rating.
    PERCENTAGE = "percentage", _("The activity's percentage risk rating (A6.4-STAN-METH-002 paras 38, 55)")


def _percent(**kw):
    return models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))], **kw
    )


class Rounding(models.TextChoices):
    DOWN = "down", _("Round down")
    UP = "up", _("Round up")
    HALF_UP = "half_up", _("Round half up")


class RuleSetQuerySet(models.QuerySet):
    def in_force(self, on_date=None):
        """The rule set in force on a date: the latest one whose effective date has come."""
        on_date = on_date or datetime.date.today()
        rule_set = self.filter(effective_from__lte=on_date).order_by("-effective_from", "-pk").first()
        if rule_set is None:
            raise RuleSet.DoesNotExist(f"No rule set is in force on {on_date}.")
        return rule_set


# Rule sets by row version (pacm issue 8): {(database, "pk:xmin"): RuleSet}. PostgreSQL gives every
# version of a row its own xmin, so a row changed (even uncommitted, even rolled back) never matches
# an entry made from another version: the key is its own invalidation.
_BY_ROW_VERSION = {}


def rule_set_in_force_key(on_date):
    """An expression for a query that reads the rule set in force on `on_date` as "pk:xmin"
    (PostgreSQL), to be handed to `rule_set_by_key`; None elsewhere (read it with `in_force`)."""
    from django.db import connection
    from django.db.models.expressions import RawSQL

    if connection.vendor != "postgresql":
        return None
    return RawSQL(
        "(SELECT rs.id::text || ':' || rs.xmin::text FROM methodologies_ruleset rs WHERE rs.effective_from <= %s "
        "ORDER BY rs.effective_from DESC, rs.id DESC LIMIT 1)", [on_date], output_field=models.CharField(),
    )


def rule_set_by_key(key):
    """The rule set of a "pk:xmin" key, read once per process and row version."""
    from django.db import connection

    entry = (connection.settings_dict.get("NAME"), key)
    rule_set = _BY_ROW_VERSION.get(entry)
    if rule_set is None:
        pk = int(key.split(":", 1)[0])
        rule_set = RuleSet.objects.extra(select={"row_version": "xmin::text"}).get(pk=pk)
        if f"{pk}:{rule_set.row_version}" == key:  # the version the key named, not a newer one
            _BY_ROW_VERSION[entry] = rule_set
    return rule_set


def _rate(**kw):
    return models.DecimalField(
        max_digits=6, decimal_places=4, validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))], **kw
    )


class RuleSet(models.Model):
    """A dated, versioned set of parameters. Published versions are never edited: the admin
    offers "save as new" to publish the next one, and every result records its version."""

    version = models.CharField(max_length=20, unique=True)
    effective_from = models.DateField()
    notes = models.TextField(blank=True)

    # Issuance arithmetic (rules.md §4; policy.md §1)
    sop_rate = _rate(default=Decimal("0.05"), help_text=_("RMP 58: share of proceeds for adaptation"))
    sop_rounding = models.CharField(max_length=8, choices=Rounding.choices, default=Rounding.DOWN)
    sop_exempt_ldc_sids = models.BooleanField(default=True, help_text=_("6/CMA.6 para 20"))
    omge_min_rate = _rate(default=Decimal("0.02"), help_text=_("RMP 59: minimum OMGE cancellation"))
    omge_rounding = models.CharField(max_length=8, choices=Rounding.choices, default=Rounding.UP)
    # pacm issue 9 (reading omge-confirm-1): the participants confirm the OMGE election and the
    # distribution the DOE submits before the secretariat's checks start. The sources are silent
    # (RMP 52, 59-60; 7/CMA.4 annex I para 64; PROC-AC-002 v03.0 paras 32-36: the focal points
    # communicate on the participants' behalf): a safeguard of this system, on by default.
    issuance_confirmation_required = models.BooleanField(
        default=True, help_text=_("pacm issue 9: the participants confirm the DOE's issuance request (OMGE election "
                                  "and distribution) before the secretariat's checks start"))
    buffer_rate_low = _rate(default=Decimal("0.10"))
    buffer_rate_medium = _rate(default=Decimal("0.20"))
    buffer_rate_high = _rate(default=Decimal("0.30"))
    buffer_rounding = models.CharField(max_length=8, choices=Rounding.choices, default=Rounding.UP)
    # The reversal risk rating and the buffer (A6.4-STAN-METH-002 v01.0, in force 9 October 2024,
    # para 7). The categories above are read only while `buffer_basis` says so (rule set 2021-01).
    buffer_basis = models.CharField(
        max_length=10, choices=BufferBasis.choices, default=BufferBasis.PERCENTAGE,
        help_text=_("STAN-METH-002 para 55: the buffer is the issuing activity's percentage risk rating of the units"),
    )
    # Para 42: "any upper limits to the risk rating" (and a floor, should the SB set one); empty: none.
    risk_rating_min_percent = _percent(help_text=_("STAN-METH-002 para 42: lowest rating accepted (%); empty: none"))
    risk_rating_max_percent = _percent(help_text=_("STAN-METH-002 para 42: upper limit of the rating (%); empty: none"))
    # Para 41: the risk assessment is revised every five years from the start of the first crediting period.
    risk_revision_years = models.PositiveSmallIntegerField(
        default=5, help_text=_("STAN-METH-002 para 41: years between revisions of the risk assessment"),
    )
    # Reading risk-buffer-4: the participants are told this many days before a revision falls due.
    risk_revision_notice_days = models.PositiveSmallIntegerField(
        default=90, help_text=_("Days before a revision of the risk assessment is due that the participants are told"),
    )
    # pacm issue 6 §5 rule 5 (reading, docs/rules-coverage.md): the authorized units' part of the SOP
    # and of the OMGE of a partly authorized issuance is in proportion, rounded this way.
    levy_authorized_rounding = models.CharField(
        max_length=8, choices=Rounding.choices, default=Rounding.UP,
        help_text=_("Authorized units' part of each levy of a partly authorized issuance (7/CMA.4 annex I paras 39-40)"),
    )

    # Fees (rules.md §9; 7/CMA.4 annex I paras 51-58). The defaults are the CMA maxima (rule set
    # 2021-01); the SB's levels (A6.4-PROC-AC-002 / -003 v03.0 appendix 1) are rule set 2025-08.
    issuance_fee_per_unit_usd = models.DecimalField(
        max_digits=8, decimal_places=4, default=Decimal("0.20"),
        help_text=_("Per unit requested, projects and PoAs (AI 53; PROC-AC-002 App.1 para 13; PROC-AC-003 App.1 para 14)"),
    )
    monetary_sop_rate = _rate(default=Decimal("0.03"))
    registration_tier1_max_tonnes = models.PositiveIntegerField(default=15_000)
    registration_tier2_max_tonnes = models.PositiveIntegerField(default=50_000)
    registration_fee_tier1_usd = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("2000"))
    registration_fee_tier2_usd = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("6000"))
    registration_fee_tier3_usd = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("12000"))
    poa_registration_fee_usd = models.DecimalField(
        _("PoA registration fee (USD)"), max_digits=10, decimal_places=2, default=Decimal("12000"),
        help_text=_("AI 51(c); PROC-AC-003 App.1 para 6(a). Also the PoA-period renewal fee (App.1 para 17)"),
    )
    cp_inclusion_fee_usd = models.DecimalField(
        _("component project inclusion fee (USD)"), max_digits=10, decimal_places=2, default=Decimal("1000"),
        help_text=_("Per CP (AI 52; PROC-AC-003 App.1 para 6(b)). Also the CP renewal fee (AI 54; App.1 para 18)"),
    )
    prc_fee_usd = models.DecimalField(
        _("post-registration change fee (USD)"), max_digits=10, decimal_places=2, default=Decimal("2000"),
        help_text=_("Per request, projects, PoAs and CPs (AI 55; PROC-AC-002 App.1 para 10; PROC-AC-003 App.1 para 11)"),
    )
    sd_deviation_fee_usd = models.DecimalField(
        _("SD tool deviation consideration fee (USD)"), max_digits=10, decimal_places=2, null=True, blank=True,
        default=None, help_text=_("Per request (PROC-AC-002 App.1 para 8; PROC-AC-003 App.1 para 9); empty: no such fee"),
    )
    fees_waived_ldc_sids = models.BooleanField(default=True)

    # Timers in calendar days (policy.md §3)
    prior_consideration_days = models.PositiveSmallIntegerField(default=180)
    # rules.md §2.3 S0->S1 [U]: activities that started before 31 Dec 2023 had to notify by 30 Jun 2024.
    prior_consideration_transitional_start_before = models.DateField(
        null=True, blank=True, default=datetime.date(2023, 12, 31)
    )
    prior_consideration_transitional_deadline = models.DateField(
        null=True, blank=True, default=datetime.date(2024, 6, 30)
    )
    gsc_days = models.PositiveSmallIntegerField(_("global stakeholder consultation days"), default=28)
    completeness_check_days = models.PositiveSmallIntegerField(default=7)
    information_check_days = models.PositiveSmallIntegerField(default=21)
    registration_review_days = models.PositiveSmallIntegerField(default=28)
    issuance_review_days = models.PositiveSmallIntegerField(default=14)
    appeal_days = models.PositiveSmallIntegerField(
        _("issuance appeal days"), default=14, help_text=_("After an issuance is approved (PROC-AC-002 v03.0 paras 198, 214)")
    )
    registration_appeal_days = models.PositiveSmallIntegerField(
        default=14, help_text=_("After a registration is approved (PROC-AC-002 v03.0 paras 89, 103)")
    )
    missing_information_days = models.PositiveSmallIntegerField(
        default=14, help_text=_("Resubmission after 'incomplete' (PROC-AC-002 v03.0 paras 77, 80, 187, 190)")
    )

    # Observed events and reversals of removals (A6.4-STAN-METH-002 v01.0 paras 43-58; projects.reversals).
    observed_event_notice_days = models.PositiveSmallIntegerField(
        default=30, help_text=_("STAN-METH-002 para 43: notify an observed event within this many days of becoming aware"))
    preliminary_assessment_days = models.PositiveSmallIntegerField(
        default=90, help_text=_("STAN-METH-002 para 46: verified preliminary assessment report, days after the event ends"))
    reversal_report_days = models.PositiveSmallIntegerField(
        default=365, help_text=_("STAN-METH-002 para 47: verified monitoring report, days after the event ends"))
    buffer_replenishment_days = models.PositiveSmallIntegerField(
        default=365, help_text=_("STAN-METH-002 para 58: replenish the pool after an avoidable reversal (the SB's "
                                 "timeframe is not yet specified: a reading)"))
    deadline_reminder_days = models.PositiveSmallIntegerField(
        default=14, help_text=_("Participants are reminded this many days before a reversal or monitoring deadline"))
    # A6.4-STAN-METH-002 v01.0 para 61: the buffer pool's stress test at least every three years
    # (days, so the next test falls due no later than three calendar years after the last).
    stress_test_interval_days = models.PositiveSmallIntegerField(
        default=1095, validators=[MinValueValidator(1)],
        help_text=_("STAN-METH-002 para 61: the buffer stress test falls due this many days after the last"))

    # The Supervisory Body's decisions (projects.board; rules.md §1; docs/rules-coverage.md "Readings").
    # Fractions are kept as whole numerator and denominator, so that 3/4 (or 2/3) is exact.
    # RMP paras 4-5: 12 members, each with an alternate. The quorum counts the seats present.
    board_members = models.PositiveSmallIntegerField(
        _("Supervisory Body members"), default=12, validators=[MinValueValidator(1)], help_text=_("RMP para 4: 12 members")
    )
    # RMP para 17 (rules.md §1): at least three quarters of the members present.
    board_quorum_numerator = models.PositiveSmallIntegerField(default=3, help_text=_("RMP para 17: quorum 3/4"))
    board_quorum_denominator = models.PositiveSmallIntegerField(default=4, validators=[MinValueValidator(1)])
    # RMP para 22: consensus where possible, else three fourths of the members present and voting.
    board_majority_numerator = models.PositiveSmallIntegerField(default=3, help_text=_("RMP para 22: majority 3/4"))
    board_majority_denominator = models.PositiveSmallIntegerField(default=4, validators=[MinValueValidator(1)])
    # Electronic decisions (RoP rule 67, as cited in A6.4-SBM017 v01.0 para 36). The window is a
    # reading: the 14 days members have to object to the secretariat's recommendation on a request
    # for deviation (A6.4-PROC-AC-002 v03.0 para 59).
    board_electronic_days = models.PositiveSmallIntegerField(
        _("electronic decision window days"), default=14, validators=[MinValueValidator(1)]
    )

    # CDM transition (projects.transition; A6.4-PROC-AC-001 v06.0, A6.4-STAN-AC-001 v05.0).
    transition_active_on = models.DateField(
        default=datetime.date(2021, 1, 1),
        help_text=_("STAN-AC-001 v05.0 para 11: the CDM crediting period would have been active on this day"),
    )
    transition_request_deadline = models.DateField(
        default=datetime.date(2023, 12, 31), help_text=_("PROC-AC-001 v06.0 para 12: requests, 24:00 CET")
    )
    transition_request_deadline_ar = models.DateField(
        default=datetime.date(2025, 12, 31),
        help_text=_("PROC-AC-001 v06.0 para 13: afforestation and reforestation requests, 24:00 CET"),
    )
    # PROC-AC-001 v06.0 para 21 says 31 Dec 2025; CMA7 extended it to 30 Jun 2026, reported by the
    # press only (docs/rules-coverage.md, transition-1): the default is the extension.
    transition_host_approval_deadline = models.DateField(
        default=datetime.date(2026, 6, 30),
        help_text=_("PROC-AC-001 v06.0 para 21 (31 Dec 2025), extended by CMA7 to 30 Jun 2026 [press]; 24:00 CET"),
    )
    transition_addendum_deadline = models.DateField(
        default=datetime.date(2026, 12, 31), help_text=_("PROC-AC-001 v06.0 para 30: the addendum, by this day")
    )
    transition_renewable_end = models.DateField(
        default=datetime.date(2025, 12, 31),
        help_text=_("STAN-AC-001 v05.0 para 13(a)(ii): a renewable crediting period ends by this day"),
    )
    transition_corrections_days = models.PositiveSmallIntegerField(
        default=14, help_text=_("PROC-AC-001 v06.0 para 15: a corrected request, else rejected")
    )
    transition_gsc_days = models.PositiveSmallIntegerField(default=28, help_text=_("PROC-AC-001 v06.0 para 17"))
    transition_revised_pdd_days = models.PositiveSmallIntegerField(
        default=365, help_text=_("PROC-AC-001 v06.0 para 32: revised PDD and validation within one year")
    )
    transition_completeness_days = models.PositiveSmallIntegerField(default=7, help_text=_("PROC-AC-001 v06.0 para 37"))
    transition_fixes_days = models.PositiveSmallIntegerField(
        default=2, help_text=_("PROC-AC-001 v06.0 para 37: revised documents within two days")
    )
    transition_substantive_days = models.PositiveSmallIntegerField(default=21, help_text=_("PROC-AC-001 v06.0 para 38"))
    transition_summary_note_days = models.PositiveSmallIntegerField(default=14, help_text=_("PROC-AC-001 v06.0 para 39"))
    transition_review_days = models.PositiveSmallIntegerField(default=28, help_text=_("PROC-AC-001 v06.0 para 40"))
    transition_modifications_days = models.PositiveSmallIntegerField(
        default=7, help_text=_("PROC-AC-001 v06.0 para 47: modifications accepted, else deemed rejected")
    )
    transition_appeal_days = models.PositiveSmallIntegerField(default=28, help_text=_("PROC-AC-001 v06.0 paras 45, 51"))
    transition_finalisation_appeal_days = models.PositiveSmallIntegerField(
        default=14, help_text=_("PROC-AC-001 v06.0 para 55, footnote 18: appeal of a finalisation decision"))

    # Crediting periods (rules.md §7.1; RMP 31(f))
    crediting_earliest_start = models.DateField(default=datetime.date(2021, 1, 1))
    reductions_renewable_years = models.PositiveSmallIntegerField(default=5)
    reductions_fixed_years = models.PositiveSmallIntegerField(default=10)
    removals_renewable_years = models.PositiveSmallIntegerField(default=15)
    max_renewals = models.PositiveSmallIntegerField(default=2)
    # Renewal (projects.renewals). PROC-AC-003 v03.0 para 274: a PoA period at most three times.
    poa_max_renewals = models.PositiveSmallIntegerField(
        default=3, help_text=_("PROC-AC-003 v03.0 para 274: renewals of a PoA period"))
    # PROC-AC-002 v03.0 para 242 (PROC-AC-003 v03.0 paras 286, 303): the request no earlier than 270
    # days before, and no later than one year after, the period's end.
    renewal_request_before_days = models.PositiveSmallIntegerField(
        default=270, help_text=_("PROC-AC-002 v03.0 para 242: the request for renewal, at the earliest this many days "
                                 "before the period ends"))
    renewal_request_after_days = models.PositiveSmallIntegerField(
        default=365, help_text=_("PROC-AC-002 v03.0 para 242: at the latest this many days (one year) after it ends"))
    # PROC-AC-002 v03.0 para 243 (PROC-AC-003 paras 287, 304): a transitioned activity, within one
    # year of the SB's approval of its transition (docs/rules-coverage.md renewal-2).
    renewal_transition_days = models.PositiveSmallIntegerField(
        default=365, help_text=_("PROC-AC-002 v03.0 para 243: after the SB approved the transition"))

    # Programmes of activities and component projects (A6.4-PROC-AC-003 v03.0, A6.4-STAN-AC-004 v03.0).
    poa_max_years = models.PositiveSmallIntegerField(
        _("PoA duration, years"), default=20, help_text=_("PROC-AC-003 v03.0 para 16(f), footnote 9"))
    poa_removals_max_years = models.PositiveSmallIntegerField(
        _("PoA duration with removals, years"), default=60, help_text=_("PROC-AC-003 v03.0 para 16(f), footnote 9"))
    cp_notification_days = models.PositiveSmallIntegerField(
        _("CP inclusion notification days"), default=180,
        help_text=_("A CP that has started notifies within this many days of the PoA-DD's publication (PROC-AC-003 v03.0 para 91)"))
    cp_crediting_start_max_years = models.PositiveSmallIntegerField(
        _("CP crediting start, years after notification or inclusion"), default=2,
        help_text=_("STAN-AC-004 v03.0 para 131"))
    cp_inclusion_review_days = models.PositiveSmallIntegerField(
        _("erroneous inclusion review days after inclusion"), default=365,
        help_text=_("Within 1 year of inclusion (PROC-AC-003 v03.0 para 128)"))
    cp_issuance_review_days = models.PositiveSmallIntegerField(
        _("erroneous inclusion review days after the CP's first issuance"), default=180,
        help_text=_("PROC-AC-003 v03.0 para 128"))
    # Para 139: the DOE at fault cancels the units issued for an erroneously included CP within 30 days.
    cp_liability_days = models.PositiveSmallIntegerField(
        _("days for the DOE to cancel the units of an erroneous inclusion"), default=30,
        help_text=_("PROC-AC-003 v03.0 para 139"))
    # A6.4-PROC-AC-002 v03.0 App.1 paras 7, 14, 17; A6.4-PROC-AC-003 v03.0 App.1 paras 7-8, 15, 19-20;
    # A6.4-PROC-AC-001 v06.0 para 35: what of a paid fee is reimbursed, per stage (methodologies/refund_ladders.py).
    refund_ladders = models.JSONField(
        _("refund ladders of the fees"), default=refund_ladders_default,
        help_text=_("{ladder: {stage: ['full'|'none'] or ['above'|'amount', 'USD']}}"))
    # Para 221: a CP's issuance requests for a crediting period within 2 years after its end
    # (footnote 23: the SB may set another deadline for removals).
    cp_issuance_request_years = models.PositiveSmallIntegerField(
        _("years after a CP's crediting period within which its issuance is requested"), default=2,
        help_text=_("PROC-AC-003 v03.0 para 221"))

    objects = RuleSetQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_from"]

    def __str__(self):
        return f"Rule set {self.version} (from {self.effective_from})"

    def bounds_errors(self):
        """{field: message} for every parameter outside what the cycle's arithmetic can hold.

        By the kind of field, so a parameter added later is bounded too: dates within
        bounds.DATE_MIN..DATE_MAX, timers (`*_days`) up to bounds.TIMER_DAYS_MAX (a due date is
        `now + days`), period lengths (`*_years`) and renewals within what date arithmetic holds,
        tonnage thresholds within the estimate they are compared with, the issuance fee per unit
        within what a fee on the largest request can hold (Fee.amount_usd).
        """
        errors = {}
        for field in self._meta.concrete_fields:
            value = getattr(self, field.attname)
            if value is None or field.primary_key:
                continue
            if isinstance(field, models.DateField):
                problem = bounds.date_problem(value)
            elif field.name == "issuance_fee_per_unit_usd":
                problem = None if value <= bounds.FEE_PER_UNIT_MAX else f"At most USD {bounds.FEE_PER_UNIT_MAX} per unit."
            elif isinstance(field, models.IntegerField):
                if field.name.endswith("_days"):
                    low, high, unit = 0, bounds.TIMER_DAYS_MAX, "days"
                elif field.name.endswith("_years"):
                    low, high, unit = 1, bounds.PERIOD_YEARS_MAX, "years"
                elif field.name.endswith("max_renewals"):
                    low, high, unit = 0, bounds.RENEWALS_MAX, "renewals"
                elif isinstance(field, models.SmallIntegerField):
                    low, high, unit = 0, bounds.SMALLINT_MAX, ""
                else:
                    low, high, unit = 0, bounds.ESTIMATE_MAX, ""
                problem = bounds.whole_problem(value, minimum=low, maximum=high,
                                               what=f"a whole number{' of ' + unit if unit else ''}")
            else:
                continue
            if problem:
                errors[field.name] = problem
        return errors

    def clean(self):
        errors = self.bounds_errors()
        if errors:
            raise ValidationError(errors)
        if self.buffer_basis == BufferBasis.CATEGORIES:
            highest = self.buffer_rate_high
        else:
            highest = (self.risk_rating_max_percent if self.risk_rating_max_percent is not None else Decimal("100")) / 100
        if self.buffer_basis == BufferBasis.CATEGORIES or self.risk_rating_max_percent is not None:
            if self.omge_min_rate + self.sop_rate + highest >= 1:
                raise ValidationError(_("SOP, OMGE and the highest buffer rate must leave participants some units."))
        low, high = self.risk_rating_min_percent, self.risk_rating_max_percent
        if low is not None and high is not None and low > high:
            raise ValidationError(_("The lowest risk rating accepted is above the upper limit."))
        if self.registration_tier1_max_tonnes >= self.registration_tier2_max_tonnes:
            raise ValidationError(_("Tier 1's ceiling must be below tier 2's."))
        if not 0 < self.board_quorum_numerator <= self.board_quorum_denominator:
            raise ValidationError(_("The Board's quorum is a fraction above 0 and at most 1 (e.g. 3/4)."))
        if not self.board_majority_denominator < 2 * self.board_majority_numerator <= 2 * self.board_majority_denominator:
            raise ValidationError(_("The Board's majority is a fraction above one half and at most 1 (e.g. 3/4)."))

    def risk_rating_problem(self, percent):
        """(code, message, params) when `percent` is outside this rule set's limits (STAN-METH-002 para 42)."""
        low, high = self.risk_rating_min_percent, self.risk_rating_max_percent
        params = {"rating": f"{percent:f}", "rule_set": self.version}
        if low is not None and percent < low:
            params["minimum"] = f"{low:f}"
            return ("risk_rating_below_minimum", _(
                "A risk rating of %(rating)s %% is below the lowest of %(minimum)s %% that rule set %(rule_set)s "
                "accepts (A6.4-STAN-METH-002 para 42).") % params, params)
        if high is not None and percent > high:
            params["maximum"] = f"{high:f}"
            return ("risk_rating_above_maximum", _(
                "A risk rating of %(rating)s %% is above the upper limit of %(maximum)s %% of rule set %(rule_set)s "
                "(A6.4-STAN-METH-002 para 42).") % params, params)
        return None

    RATING_CATEGORIES = ("low", "medium", "high", "very_high")

    def buffer_rate(self, rating):
        """policy.md §2; 'very_high' is not eligible for issuance and has no rate."""
        return {"low": self.buffer_rate_low, "medium": self.buffer_rate_medium, "high": self.buffer_rate_high}.get(
            rating
        )

    def registration_fee(self, annual_tonnes):
        """7/CMA.4 annex I para 51. Non-integer averages round up to the next tonne (conservative)."""
        if annual_tonnes <= self.registration_tier1_max_tonnes:
            return self.registration_fee_tier1_usd
        if annual_tonnes <= self.registration_tier2_max_tonnes:
            return self.registration_fee_tier2_usd
        return self.registration_fee_tier3_usd

    def renewal_fee(self, annual_tonnes):
        """Crediting-period renewal of a project: its registration tier (AI 54; PROC-AC-002 App.1 para 16)."""
        return self.registration_fee(annual_tonnes)

    def poa_renewal_fee(self):
        """PoA-period renewal: the PoA registration fee (AI 54; PROC-AC-003 App.1 para 17)."""
        return self.poa_registration_fee_usd

    def cp_renewal_fee(self):
        """Crediting-period renewal of a component project: the inclusion fee (AI 54; PROC-AC-003 App.1 para 18)."""
        return self.cp_inclusion_fee_usd

    def prc_fee(self, registered_tonnes, changed_tonnes):
        """A post-registration change, plus the difference up to a higher registration tier if the change
        moves the project up one (AI 55; PROC-AC-002 v03.0 App.1 paras 10-11)."""
        step_up = self.registration_fee(changed_tonnes) - self.registration_fee(registered_tonnes)
        return self.prc_fee_usd + max(step_up, Decimal("0"))

    def prior_consideration_deadline(self, start_date):
        """The last day to notify prior consideration for an activity that started on `start_date`."""
        before = self.prior_consideration_transitional_start_before
        if before and self.prior_consideration_transitional_deadline and start_date < before:
            return self.prior_consideration_transitional_deadline
        return start_date + datetime.timedelta(days=self.prior_consideration_days)

    def board_quorum(self):
        """RMP para 17: the number of seats that must be present (a fraction of a seat rounds up)."""
        return -(-self.board_quorum_numerator * self.board_members // self.board_quorum_denominator)

    def board_majority_reached(self, yes, no):
        """RMP para 22: the majority of the members present and voting (abstentions are not votes),
        exactly: yes / (yes + no) >= numerator / denominator, compared in whole numbers."""
        voting = yes + no
        return voting > 0 and yes * self.board_majority_denominator >= self.board_majority_numerator * voting

    def timer_days(self, key):
        return getattr(self, f"{key}_days")


