"""What the removals standard adds to a monitoring report and to the buffer pool (A6.4-STAN-METH-002
v01.0 paras 26-30, 60-61): the report's statement per vintage, the crediting-deficit ledger, the
storage losses handed to the observed-event flow, the request to end post-crediting monitoring,
and the pool's stress tests."""
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin

from ..fsm import fsm_mixin
from .cycle import STRESS_TEST_TRANSITIONS, TERMINATION_TRANSITIONS, StressTestState, TerminationState


class RemovalsVintage(models.Model):
    """One vintage of a removals monitoring report (para 30): the net removals (c), which may be
    negative, and the net change in GHG storage (a), negative for a reversal (e). The period's
    VintageClaim holds what may be claimed of it (never negative)."""

    period = models.ForeignKey("projects.MonitoringPeriod", on_delete=models.CASCADE, related_name="removals")
    vintage = models.PositiveSmallIntegerField()
    net_removals = models.BigIntegerField()
    storage_change = models.BigIntegerField()

    class Meta:
        ordering = ["period", "vintage"]
        constraints = [models.UniqueConstraint(fields=["period", "vintage"], name="removals_vintage_unique")]

    def __str__(self):
        return f"{self.vintage}: net removals {self.net_removals}, storage {self.storage_change}"


class DeficitEntry(models.Model):
    """One line of an activity's crediting-deficit ledger (para 30(c)(iv), (d)).

    A verified period whose net removals are negative incurs a deficit; later issuances deduct it
    from the units they issue until it is paid off. `balance` is the deficit after this line.
    """

    class Kind(models.TextChoices):
        INCURRED = "incurred", _("Deficit incurred")
        DEDUCTED = "deducted", _("Deducted at issuance")

    activity = models.ForeignKey("projects.Activity", on_delete=models.PROTECT, related_name="deficit_entries")
    period = models.ForeignKey("projects.MonitoringPeriod", on_delete=models.PROTECT, related_name="deficit_entries")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    quantity = models.PositiveBigIntegerField()
    balance = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["activity", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="deficit_entry_positive"),
            models.UniqueConstraint(fields=["period", "kind"], name="deficit_entry_once_per_period"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.quantity} (balance {self.balance})"


class StorageLoss(models.Model):
    """Para 30(e): a verified period's negative net change in storage, handed to the observed-event
    flow (projects.reversals) as an observed event of its own."""

    period = models.OneToOneField("projects.MonitoringPeriod", on_delete=models.PROTECT, related_name="storage_loss")
    quantity = models.PositiveBigIntegerField()
    event = models.OneToOneField("reversals.ObservedEvent", on_delete=models.PROTECT, related_name="storage_loss")

    def __str__(self):
        return f"Storage loss {self.quantity} in period {self.period_id}"


TerminationTransitions = fsm_mixin("TerminationTransitions", __name__, "state", TERMINATION_TRANSITIONS)


class MonitoringTermination(TerminationTransitions, FSMModelMixin, models.Model):
    """Para 28: the participants' request to end post-crediting monitoring, and the SB's answer."""

    class Ground(models.TextChoices):
        NEGLIGIBLE_RISK = "negligible_risk", _("(a) The stored GHGs are at a negligible risk of reversal")
        REMEDIATED = "remediated", _("(b) Potential future reversals are remediated under section 4.6.3")

    activity = models.ForeignKey("projects.Activity", on_delete=models.PROTECT, related_name="monitoring_terminations")
    number = models.PositiveSmallIntegerField()
    ground = models.CharField(max_length=16, choices=Ground.choices)
    demonstration = models.TextField()
    evidence = models.ForeignKey("projects.DocumentVersion", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    requested_at = models.DateTimeField()
    state = FSMField(default=TerminationState.REQUESTED, choices=TerminationState.choices, protected=True,
                     db_index=True)
    state_entered_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["activity", "number"]
        constraints = [models.UniqueConstraint(fields=["activity", "number"], name="termination_number_unique")]

    def __str__(self):
        return f"{self.activity.reference} termination request {self.number}"


StressTestTransitions = fsm_mixin("StressTestTransitions", __name__, "state", STRESS_TEST_TRANSITIONS)


class StressTest(StressTestTransitions, FSMModelMixin, models.Model):
    """One stress test of the Reversal Risk Buffer Pool Account (paras 60-61).

    Reproducible: its inputs (`parameters`) and the ledger's high-water mark (the last
    LedgerTransaction id it read) are recorded with its `results`; the same inputs at the same mark
    give the same figures (projects/removals/stress.py).
    """

    parameters = models.JSONField()
    ledger_mark = models.PositiveBigIntegerField()
    results = models.JSONField()
    rule_set = models.ForeignKey("methodologies.RuleSet", on_delete=models.PROTECT, related_name="+")
    run_by = models.CharField(max_length=150)
    run_at = models.DateTimeField(auto_now_add=True)
    state = FSMField(default=StressTestState.CURRENT, choices=StressTestState.choices, protected=True, db_index=True)
    state_entered_at = models.DateTimeField(null=True, blank=True)
    # When the next test falls due (RuleSet.stress_test_interval_days after this one).
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    reminded_for = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return f"Stress test {self.pk} at ledger mark {self.ledger_mark}"

    @property
    def stream(self):
        return f"stress_test:{self.pk}"
