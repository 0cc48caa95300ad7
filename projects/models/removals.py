"""Removals (A6.4-STAN-METH-002 v01.0, issue 10): the crediting-deficit ledger of an activity and the
buffer pool's stress tests."""
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin

from ..fsm import fsm_mixin
from ..stress_cycle import STRESS_TEST_TRANSITIONS, StressTestState


class DeficitEntry(models.Model):
    """One line of an activity's crediting-deficit ledger (STAN-METH-002 v01.0 para 30(c)(iv), (d)).

    A verified monitoring period whose net removals are negative incurs a deficit; a later
    issuance deducts it from the units it issues until it is paid off. Quantities are whole
    tonnes; `balance` is the activity's deficit after this line.
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


StressTestTransitions = fsm_mixin("StressTestTransitions", __name__, "state", STRESS_TEST_TRANSITIONS)


class StressTest(StressTestTransitions, FSMModelMixin, models.Model):
    """One stress test of the Reversal Risk Buffer Pool Account (STAN-METH-002 v01.0 paras 60-61).

    Reproducible: its inputs (`parameters`) and the ledger's high-water mark (the last
    LedgerTransaction id it read) are recorded with its `results`; the same inputs at the same
    mark give the same figures (projects/services/stress_test.py).
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

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return f"Stress test {self.pk} at ledger mark {self.ledger_mark}"

    @property
    def stream(self):
        return f"stress_test:{self.pk}"
