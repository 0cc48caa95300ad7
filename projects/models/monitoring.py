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
    # The risk rating the buffer was computed at (A6.4-STAN-METH-002 paras 54-55): a percentage ("12.50")
    # or, under a superseded rule set, a category ("low"); the pool's composition groups by it.
    buffer_rating = models.CharField(max_length=12, blank=True)
    net = models.PositiveBigIntegerField(null=True, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    # pacm issue 9 (reading omge-confirm-1): whether the participants confirm this request's OMGE
    # election and distribution before the checks start (the rule set in force at its submission
    # says), and their confirmation; a resubmission asks again.
    confirmation_required = models.BooleanField(default=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey("parties.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")

    class Meta:
        ordering = ["-requested_at"]

    @property
    def awaits_confirmation(self):
        return self.confirmation_required and self.confirmed_at is None

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
    """A reversal reported under the superseded policy.md §2 placeholder flow (before issue 10).

    No longer written: observed events, suspensions and remediation follow A6.4-STAN-METH-002
    v01.0 (projects.reversals). The rows and their events stay readable on the activity page.
    """

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

