"""A request to transition a CDM activity to the Article 6.4 mechanism (A6.4-PROC-AC-001 v06.0).

The request names its CDM activity (reference, kind project or PoA, the CPAs a PoA brings, each
with its host), the data its eligibility rests on (A6.4-STAN-AC-001 v05.0 paras 11-14), the host's
approval, the additional documentation, the fee, and once transitioned the registered A6.4
activity (`projects.Activity`, or the `poa.Programme` a PoA becomes, with its CPAs as component
projects: docs/rules-coverage.md transition-2). Rows change only through `services.py`.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin

from ..fsm import fsm_mixin
from .cycle import TRANSITION_TRANSITIONS, TransitionState

TransitionRequestTransitions = fsm_mixin("TransitionRequestTransitions", __name__, "state", TRANSITION_TRANSITIONS)


class TransitionRequest(TransitionRequestTransitions, FSMModelMixin, models.Model):
    class Kind(models.TextChoices):
        PROJECT = "project", _("CDM project activity")
        POA = "poa", _("CDM programme of activities")

    class CreditingType(models.TextChoices):
        RENEWABLE = "renewable", _("Renewable")
        FIXED = "fixed", _("Fixed")

    class Documentation(models.TextChoices):
        ADDENDUM = "addendum", _("Addendum to the PDD (keeps the CDM methodology)")
        REVISED_PDD = "revised_pdd", _("Revised PDD with its validation (A6.4 methodology)")

    class FeeStatus(models.TextChoices):
        NONE = "", _("Not assessed")
        DUE = "due", _("Due")
        PAID = "paid", _("Paid")
        WAIVED = "waived", _("Waived (LDC/SIDS host)")

    # PROC-AC-001 v06.0 para 15: the reference that tells transitioned from new activities,
    # given at publication ("A64-T000001").
    reference = models.CharField(max_length=20, blank=True, db_index=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PROJECT)
    cdm_reference = models.CharField(_("CDM reference number"), max_length=20, db_index=True)
    title = models.CharField(max_length=250)
    host_party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="transition_requests")
    participants = models.ManyToManyField("parties.Organisation", related_name="transition_requests")
    is_afforestation = models.BooleanField(_("afforestation or reforestation"), default=False)
    methodology_version = models.ForeignKey(
        "methodologies.MethodologyVersion", on_delete=models.PROTECT, related_name="transition_requests",
    )
    sectoral_scope = models.ForeignKey("methodologies.SectoralScope", on_delete=models.PROTECT, related_name="+")
    location = models.CharField(max_length=250)
    estimated_annual = models.PositiveIntegerField(help_text=_("Estimated annual reductions or removals (t CO2e)"))
    start_date = models.DateField(_("activity start date"))
    crediting_type = models.CharField(max_length=10, choices=CreditingType.choices)
    cdm_crediting_start = models.DateField(_("CDM crediting period start"))
    cdm_crediting_end = models.DateField(
        _("CDM crediting period end"), help_text=_("When it would have ended had the CDM continued")
    )
    # STAN-AC-001 v05.0 para 13(b): the remaining renewals carry over.
    renewals_remaining = models.PositiveSmallIntegerField(default=0)
    submitted_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)

    # PROC-AC-001 v06.0 paras 21-23: the host's approval and its LDC/SIDS SOP opt-out.
    host_approved_at = models.DateTimeField(null=True, blank=True)
    host_approved_by = models.ForeignKey(
        "parties.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    host_sd_confirmation = models.TextField(blank=True)
    host_ndc_relation = models.TextField(blank=True)
    sop_exemption_opt_out = models.BooleanField(default=False)

    # Paras 30-32: the additional documentation.
    documentation = models.CharField(max_length=12, choices=Documentation.choices, blank=True)
    documentation_summary = models.TextField(blank=True)
    documentation_at = models.DateTimeField(null=True, blank=True)
    # STAN-AC-001 v05.0 (Appendix 3 of the procedure): re-evaluated fNRB and leakage discount factor.
    fnrb = models.DecimalField(_("re-evaluated fNRB"), max_digits=5, decimal_places=4, null=True, blank=True)
    leakage_factor = models.DecimalField(
        _("leakage discount factor"), max_digits=5, decimal_places=4, null=True, blank=True
    )
    validation_doe = models.ForeignKey(
        "parties.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    # Paras 33-36: the transition fee (the registration fee; waived for LDC/SIDS hosts).
    fee_usd = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    fee_status = models.CharField(max_length=8, choices=FeeStatus.choices, blank=True, default="")
    fee_reference = models.CharField(max_length=80, blank=True)
    fee_rule_set = models.ForeignKey(
        "methodologies.RuleSet", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    summary_note = models.TextField(blank=True)  # para 39
    modifications = models.TextField(blank=True)  # para 46(b)
    rejected_by_board = models.BooleanField(default=False)  # para 49: no resubmission
    cdm_deregistration_date = models.DateField(null=True, blank=True)  # para 50
    activity = models.OneToOneField(
        "projects.Activity", null=True, blank=True, on_delete=models.PROTECT, related_name="transition_request",
    )

    state = FSMField(default=TransitionState.REQUESTED, choices=TransitionState.choices, protected=True,
                     db_index=True)
    state_entered_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.label} {self.title}"

    @property
    def label(self):
        return self.reference or f"CDM {self.cdm_reference}"

    @property
    def stream(self):
        return f"transition:{self.pk}"


class TransitionCPA(models.Model):
    """A CPA a CDM PoA brings to its transition (PROC-AC-001 v06.0 para 14), with its host
    (para 24: only CPAs of approving hosts transition); added or removed by a revised request
    between the consultation and the host approval (paras 19-20). Once transitioned, a CPA of an
    approving host is an included component project of the registered PoA (`component`)."""

    request = models.ForeignKey(TransitionRequest, on_delete=models.CASCADE, related_name="cpas")
    cpa_reference = models.CharField(_("CDM CPA reference"), max_length=30)
    title = models.CharField(max_length=250, blank=True)
    host_party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    estimated_annual = models.PositiveBigIntegerField(
        _("estimated annual reductions or removals (t CO2e)"), default=0)
    # Para 19(a): added by a revised request; 19(b): removed (kept, marked, for the record).
    added_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    component = models.OneToOneField("poa.ComponentProject", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="transition_cpa")

    class Meta:
        ordering = ["request", "cpa_reference"]
        constraints = [models.UniqueConstraint(fields=["request", "cpa_reference"], name="transition_cpa_unique")]

    def __str__(self):
        return f"{self.cpa_reference} ({self.host_party})"


class TransitionHost(models.Model):
    """One host Party of a CDM PoA requesting transition and its approval (PROC-AC-001 v06.0 paras
    21-24): each host's DNA approves for its own CPAs by the deadline; only the approving hosts'
    CPAs transition (para 24). `max_annual`: the host's maximum annual amount of all its CPs, which
    the registered PoA's inclusions are checked against (A6.4-PROC-AC-003 v03.0 paras 25(d), 124;
    docs/rules-coverage.md transition-9)."""

    request = models.ForeignKey(TransitionRequest, on_delete=models.CASCADE, related_name="hosts")
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="transition_hosts")
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey("parties.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    sd_confirmation = models.TextField(blank=True)
    ndc_relation = models.TextField(blank=True)
    sop_exemption_opt_out = models.BooleanField(default=False)
    max_annual = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["request", "pk"]
        constraints = [models.UniqueConstraint(fields=["request", "party"], name="transition_host_unique")]

    def __str__(self):
        return f"{self.party} ({'approved' if self.approved_at else 'not approved'})"

    @property
    def approved(self):
        return self.approved_at is not None


class ProvisionalIssuance(models.Model):
    """A provisional request for issuance made under the CDM for 2021 onwards (PROC-AC-001 v06.0
    para 55): recorded on the transition request; its finalisation is requested only once the
    activity has transitioned keeping its CDM methodology, with the revised monitoring report and
    the declaration on avoidance of double issuance (para 55(a)(i)-(ii))."""

    class Status(models.TextChoices):
        PROVISIONAL = "provisional", _("Provisional (under the CDM)")
        FINALISATION_REQUESTED = "finalisation_requested", _("Finalisation requested")
        # Para 55 ("section 5 ... mutatis mutandis"), footnote 18 (projects/transition/finalisation.py).
        RETURNED = "returned", _("Finalisation returned for corrections")
        REVIEW_WINDOW = "review_window", _("Finalisation: review window")
        UNDER_REVIEW = "under_review", _("Finalisation under SB review")
        APPROVED = "approved", _("Finalisation approved (appeal window)")
        REJECTED = "rejected", _("Finalisation rejected")
        FINALISED = "finalised", _("Finalised: monitoring period of the registered activity")

    request = models.ForeignKey(TransitionRequest, on_delete=models.PROTECT, related_name="provisional_issuances")
    cdm_request_reference = models.CharField(_("CDM provisional request reference"), max_length=40)
    period_start = models.DateField()
    period_end = models.DateField()
    quantity = models.PositiveBigIntegerField(_("quantity requested (t CO2e)"))
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.PROVISIONAL)
    # Para 55(a)(ii): the declaration, and the other scheme's confirmation where there is one.
    double_issuance_declared = models.BooleanField(default=False)
    other_scheme_confirmation = models.TextField(blank=True)
    revised_monitoring_report = models.TextField(blank=True)  # para 55(a)(i)
    recorded_at = models.DateTimeField()
    finalisation_requested_at = models.DateTimeField(null=True, blank=True)
    # Paras 40, 44 (review window), 46 (the SB's decision), footnote 18 (14-day appeal window).
    review_due_at = models.DateTimeField(null=True, blank=True)
    appeal_ends_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=60, blank=True)
    monitoring_period = models.OneToOneField("projects.MonitoringPeriod", null=True, blank=True,
                                             on_delete=models.PROTECT, related_name="provisional_issuance")

    class Meta:
        ordering = ["request", "period_start", "pk"]
        constraints = [models.UniqueConstraint(fields=["request", "cdm_request_reference"],
                                               name="provisional_issuance_unique")]

    def __str__(self):
        return f"{self.cdm_request_reference} ({self.period_start} to {self.period_end})"
