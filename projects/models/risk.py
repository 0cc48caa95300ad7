from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin

from ..fsm import fsm_mixin
from ..risk.cycle import RISK_TRANSITIONS, RiskState

RiskTransitions = fsm_mixin("RiskTransitions", __name__, "state", RISK_TRANSITIONS)


class RiskAssessment(RiskTransitions, FSMModelMixin, models.Model):
    """One reversal risk assessment of an activity, validated or to be (A6.4-STAN-METH-002 paras 38-41, 49).

    Number 0 is the design document's, validated with the activity; each revision is the next
    number. Rows are never deleted: they are the rating's history.
    """

    class Reason(models.TextChoices):
        INITIAL = "initial", _("Design document (paras 38-40)")
        PERIODIC = "periodic", _("Five-yearly revision (para 41)")
        REVERSAL = "reversal", _("Revision after a reversal (para 49)")

    activity = models.ForeignKey("projects.Activity", on_delete=models.PROTECT, related_name="risk_assessments")
    number = models.PositiveSmallIntegerField()
    reason = models.CharField(max_length=10, choices=Reason.choices)
    # Para 41: when the revision falls due (the start of the first crediting period + k x the rule set's years).
    revision_due = models.DateField(null=True, blank=True)
    rating_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    negligible = models.BooleanField(default=False)
    document_version = models.ForeignKey(
        "projects.DocumentVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    validated_at = models.DateTimeField(null=True, blank=True)
    validated_by = models.ForeignKey(
        "parties.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = FSMField(default=RiskState.SCHEDULED, choices=RiskState.choices, protected=True, db_index=True)
    state_entered_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["activity", "number"]
        constraints = [models.UniqueConstraint(fields=["activity", "number"], name="risk_assessment_number_unique")]

    def __str__(self):
        return f"{self.activity_id} risk assessment {self.number}"
