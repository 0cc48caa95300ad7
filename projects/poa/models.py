"""Programmes of activities and their component projects (A6.4-PROC-AC-003 v03.0, A6.4-STAN-AC-004 v03.0).

A PoA is an Activity row of kind "poa" (`Programme`, a proxy with its own machine): it shares
the activity's documents, findings, fees, host approvals, authorization statements and event
stream, and adds what only a programme has: its host Parties, each with the maximum annual
reductions or removals of all its component projects (`PoAHost.max_annual`, para 25(d), 26), its
eligibility criteria, and its component projects (`ComponentProject`, a machine of its own whose
owner, locked first, is the PoA). docs/architecture.md says why.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin

from ..fsm import fsm_mixin
from ..models import Activity
from ..models.activity import ActivityManager
from .cycle import CP_TRANSITIONS, LIABILITY_TRANSITIONS, POA_TRANSITIONS, CPState, LiabilityState

ProgrammeTransitions = fsm_mixin("ProgrammeTransitions", __name__, "state", POA_TRANSITIONS)
ComponentTransitions = fsm_mixin("ComponentTransitions", __name__, "state", CP_TRANSITIONS)
LiabilityTransitions = fsm_mixin("LiabilityTransitions", __name__, "state", LIABILITY_TRANSITIONS)


class ProgrammeManager(ActivityManager):
    kind = Activity.Kind.POA


class Programme(ProgrammeTransitions, Activity):
    """A programme of activities: the activity's row with the PoA's own machine.

    On a PoA row, `crediting_start`/`crediting_end` hold the PoA period (PROC-AC-003 v03.0 para
    16(e)-(f); the crediting periods are the CPs', STAN-AC-004 v03.0 para 127), `start_date` its
    start, `estimated_annual` the indicative maximum annual amount (para 16(h)), `host_party` the
    first host (every host, the first included, is a `PoAHost`), `participants` the coordinating
    and managing entity.
    """

    objects = ProgrammeManager()

    class Meta:
        proxy = True
        verbose_name = _("programme of activities")
        verbose_name_plural = _("programmes of activities")

    def save(self, *args, **kwargs):
        self.kind = Activity.Kind.POA
        super().save(*args, **kwargs)

    @property
    def is_removals(self):
        return self.methodology_version.methodology.kind == "removals"


class ProgrammeDesign(models.Model):
    """What the PoA-DD says beyond the activity's fields (PROC-AC-003 v03.0 paras 16, 20)."""

    poa = models.OneToOneField(Activity, on_delete=models.PROTECT, primary_key=True, related_name="poa_design")
    typical_cps = models.TextField(_("typical component projects"), blank=True)
    # Para 91: the date the PoA-DD was published for the global stakeholder consultation.
    published_on = models.DateField(null=True, blank=True)


class EligibilityCriterion(models.Model):
    """One criterion for including a CP (PROC-AC-003 v03.0 para 95): the DOE confirms each."""

    poa = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="eligibility_criteria")
    number = models.PositiveSmallIntegerField()
    text = models.TextField()

    class Meta:
        ordering = ["poa", "number"]
        constraints = [models.UniqueConstraint(fields=["poa", "number"], name="poa_criterion_number_unique")]

    def __str__(self):
        return f"{self.number}. {self.text[:60]}"


class PoAHost(models.Model):
    """One host Party of a PoA and, once it approves, the maximum annual amount of all its CPs.

    PROC-AC-003 v03.0 para 25(d), 26: each host of a multi-country PoA approves with its own
    maximum; para 124: an inclusion that would exceed it is blocked. The row is locked (after
    its PoA) by every inclusion in this host.
    """

    poa = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="poa_hosts")
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="poa_hosts")
    position = models.PositiveSmallIntegerField(default=1)
    max_annual = models.PositiveBigIntegerField(
        _("maximum annual reductions or removals of all CPs (t CO2e)"), null=True, blank=True
    )
    approval = models.ForeignKey("projects.HostApproval", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["poa", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["poa", "party"], name="poa_host_unique")]

    def __str__(self):
        return f"{self.party} in {self.poa.reference}"

    @property
    def approved(self):
        return self.max_annual is not None


class ComponentProject(ComponentTransitions, FSMModelMixin, models.Model):
    """A component project of a PoA and its place in the inclusion cycle (PROC-AC-003 v03.0 paras 91-139)."""

    poa = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="components")
    number = models.PositiveIntegerField()
    reference = models.CharField(max_length=30, unique=True, editable=False)
    title = models.CharField(max_length=250)
    host = models.ForeignKey(PoAHost, on_delete=models.PROTECT, related_name="components")
    # The CP's implementers: its activity participants (para 91(c)).
    participants = models.ManyToManyField("parties.Organisation", related_name="components")
    doe = models.ForeignKey("parties.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    location = models.CharField(max_length=250)
    technologies = models.TextField()
    start_date = models.DateField()
    crediting_type = models.CharField(max_length=10, choices=Activity.CreditingType.choices)
    crediting_start = models.DateField()
    crediting_end = models.DateField()
    estimated_annual = models.PositiveBigIntegerField(_("estimated annual reductions or removals (t CO2e)"))
    criteria_confirmed = models.ManyToManyField(EligibilityCriterion, blank=True, related_name="+")
    inclusion_fee = models.OneToOneField("projects.Fee", null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="component")
    notified_at = models.DateTimeField()
    included_at = models.DateTimeField(null=True, blank=True)
    excluded_at = models.DateTimeField(null=True, blank=True)

    state = FSMField(default=CPState.NOTIFIED, choices=CPState.choices, protected=True, db_index=True)
    state_entered_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["poa", "number"]
        constraints = [models.UniqueConstraint(fields=["poa", "number"], name="cp_number_unique")]

    def __str__(self):
        return f"{self.reference} {self.title}"


class ComponentClaim(models.Model):
    """What one CP of a batch claims, and the DOE verifies, for one vintage (PROC-AC-003 v03.0 para 220).

    A PoA's monitoring period (a `projects.MonitoringPeriod` of the PoA) covers one batch of CPs
    (para 219); its `VintageClaim` rows hold the sums of these lines per vintage, so the period
    machine, the request and the issuing task read a PoA's period as a project's.
    """

    period = models.ForeignKey("projects.MonitoringPeriod", on_delete=models.CASCADE, related_name="cp_claims")
    component = models.ForeignKey(ComponentProject, on_delete=models.PROTECT, related_name="claims")
    vintage = models.PositiveSmallIntegerField()
    claimed = models.PositiveBigIntegerField()
    verified = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["period", "component", "vintage"]
        indexes = [models.Index(fields=["component", "period"], name="cp_claim_component_period")]
        constraints = [
            models.UniqueConstraint(fields=["period", "component", "vintage"], name="cp_claim_unique"),
            models.CheckConstraint(
                condition=models.Q(verified__isnull=True) | models.Q(verified__lte=models.F("claimed")),
                name="cp_verified_within_claim",
            ),
        ]

    def __str__(self):
        return f"{self.component.reference} {self.vintage}: {self.claimed}"


class InclusionLiability(LiabilityTransitions, FSMModelMixin, models.Model):
    """What a validating DOE owes for a CP the SB excluded as erroneously included (PROC-AC-003 v03.0 para 139).

    `units`: the A6.4ERs issued for the CP (every unit of its serial blocks, levies included),
    due for cancellation by `due_on` (the exclusion plus `RuleSet.cp_liability_days`). The DOE
    settles it by cancelling that many units from its own holding account (`settlement`); past
    the due date the timer marks it overdue and tells the DOE. Its owner, locked first and keeper
    of the event stream, is the PoA.
    """

    poa = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="liabilities")
    component = models.OneToOneField(ComponentProject, on_delete=models.PROTECT, related_name="liability")
    doe = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="inclusion_liabilities")
    units = models.PositiveBigIntegerField()
    due_on = models.DateField()
    rule_set = models.ForeignKey("methodologies.RuleSet", on_delete=models.PROTECT, related_name="+")
    settlement = models.ForeignKey("registry.LedgerTransaction", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    settled_at = models.DateTimeField(null=True, blank=True)
    state = FSMField(default=LiabilityState.OPEN, choices=LiabilityState.choices, protected=True, db_index=True)
    state_entered_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["poa", "pk"]

    def __str__(self):
        return f"{self.doe} owes {self.units} for {self.component.reference}"
