from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin

from ..cycle import PERIOD_TRANSITIONS, PeriodState
from ..fsm import fsm_mixin

PeriodTransitions = fsm_mixin("PeriodTransitions", __name__, "state", PERIOD_TRANSITIONS)


class MonitoringPeriod(PeriodTransitions, FSMModelMixin, models.Model):
    """One monitoring period and its own cycle, from report to issued units (policy.md §4)."""

    activity = models.ForeignKey("projects.Activity", on_delete=models.PROTECT, related_name="monitoring_periods")
    number = models.PositiveIntegerField()
    start = models.DateField()
    end = models.DateField()
    state = FSMField(default=PeriodState.SUBMITTED, choices=PeriodState.choices, protected=True, db_index=True)
    state_entered_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    submitted_at = models.DateTimeField(auto_now_add=True)
    # A6.4-STAN-METH-002 v01.0 paras 26-27: a removals activity's period after its last crediting
    # period ended; monitored and verified, never issued (projects/services/removals.py).
    post_crediting = models.BooleanField(default=False)

    class Meta:
        ordering = ["activity", "number"]
        constraints = [models.UniqueConstraint(fields=["activity", "number"], name="period_number_unique")]

    def __str__(self):
        return f"{self.activity.reference} MP{self.number} ({self.start} to {self.end})"

    @property
    def stream(self):
        return self.activity.stream

    @property
    def claimed_total(self):
        return sum(c.claimed for c in self.claims.all())

    @property
    def verified_total(self):
        return sum(c.verified or 0 for c in self.claims.all())


class VintageClaim(models.Model):
    """Reductions or removals claimed, and later verified, for one vintage year (6/CMA.4 dec. 5)."""

    period = models.ForeignKey(MonitoringPeriod, on_delete=models.CASCADE, related_name="claims")
    vintage = models.PositiveSmallIntegerField()
    claimed = models.PositiveBigIntegerField()
    verified = models.PositiveBigIntegerField(null=True, blank=True)
    # A6.4-STAN-METH-002 v01.0 para 30, removals activities only (null otherwise): the report's net
    # removals of the vintage (may be negative) and its net change in GHG storage (para 30(a)).
    net_removals = models.BigIntegerField(null=True, blank=True)
    storage_change = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["period", "vintage"]
        constraints = [
            models.UniqueConstraint(fields=["period", "vintage"], name="claim_vintage_unique"),
            models.CheckConstraint(
                condition=models.Q(verified__isnull=True) | models.Q(verified__lte=models.F("claimed")),
                name="verified_within_claim",
            ),
        ]

    def __str__(self):
        return f"{self.vintage}: {self.claimed} claimed"


class IssuanceRequest(models.Model):
    """What the DOE requests for a verified period (RMP 52; 7/CMA.4 annex I para 64)."""

    class Split(models.TextChoices):
        UNITS = "units", _("Whole units")
        PERCENT = "percent", _("Percentages")

    period = models.OneToOneField(MonitoringPeriod, on_delete=models.PROTECT, related_name="issuance")
    units_requested = models.PositiveBigIntegerField()
    omge_rate = models.DecimalField(max_digits=6, decimal_places=4)
    split = models.CharField(max_length=7, choices=Split.choices, default=Split.PERCENT)
    rule_set = models.ForeignKey("methodologies.RuleSet", null=True, blank=True, on_delete=models.PROTECT)
    # What the task computed and executed, recorded for the public and for audit.
    gross = models.PositiveBigIntegerField(null=True, blank=True)
    share_of_proceeds = models.PositiveBigIntegerField(null=True, blank=True)
    omge = models.PositiveBigIntegerField(null=True, blank=True)
    buffer = models.PositiveBigIntegerField(null=True, blank=True)
    net = models.PositiveBigIntegerField(null=True, blank=True)
    # A6.4-STAN-METH-002 v01.0 para 30(c)(iv): crediting deficit deducted from the units requested.
    deficit_deducted = models.PositiveBigIntegerField(default=0)
    requested_at = models.DateTimeField(auto_now_add=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self):
        return f"Issuance request for {self.period}"


class DistributionLine(models.Model):
    """The participants' forwarding instruction: a receiving holding account and its share."""

    request = models.ForeignKey(IssuanceRequest, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    account = models.ForeignKey("registry.Account", on_delete=models.PROTECT, related_name="+")
    units = models.PositiveBigIntegerField(null=True, blank=True)
    percent = models.DecimalField(max_digits=7, decimal_places=4, null=True, blank=True)

    class Meta:
        ordering = ["request", "position"]
        constraints = [models.UniqueConstraint(fields=["request", "position"], name="distribution_position_unique")]


class Reversal(models.Model):
    """A reported reversal of removals (policy.md §2; rules.md §4.3)."""

    class Kind(models.TextChoices):
        AVOIDABLE = "avoidable", _("Avoidable")
        UNAVOIDABLE = "unavoidable", _("Unavoidable")

    class Status(models.TextChoices):
        REPORTED = "reported", _("Reported")
        SETTLED = "settled", _("Settled")

    activity = models.ForeignKey("projects.Activity", on_delete=models.PROTECT, related_name="reversals")
    quantity = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=11, choices=Kind.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.REPORTED)
    description = models.TextField()
    evidence = models.ForeignKey("projects.DocumentVersion", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    reported_by = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(auto_now_add=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    # Units cancelled so far against this reversal; a buffer shortfall stays owed (policy.md §2).
    cancelled = models.PositiveBigIntegerField(default=0)
    # Set once the secretariat has drawn on the buffer for an unavoidable reversal.
    buffer_drawn = models.BooleanField(default=False)

    class Meta:
        ordering = ["activity", "reported_at"]

    @property
    def outstanding(self):
        return self.quantity - self.cancelled

    @property
    def blocks_issuance(self):
        """Avoidable: until the participants compensate. Unavoidable: only a buffer shortfall."""
        if self.status == self.Status.SETTLED:
            return False
        if self.kind == self.Kind.AVOIDABLE:
            return True
        return self.buffer_drawn and self.outstanding > 0
