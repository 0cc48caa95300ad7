"""What of a paid fee is reimbursed when its request ends early (docs/rules-coverage.md refund-1 to refund-5).

One row per ended request whose fee was paid: the `Fee` row (registration, issuance, renewal) or the
transition request (its fee is kept on the request, A6.4-PROC-AC-001 v06.0 paras 33-35). The amount is
read from the ladder of the rule set the fee was assessed under (`RuleSet.refund_ladders`). Rows are
written only by `projects/renewals/refunds.py`.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _


class Refund(models.Model):
    class Outcome(models.TextChoices):
        WITHDRAWN = "withdrawn", _("Withdrawn")
        INCOMPLETE = "incomplete", _("Concluded as incomplete")
        REJECTED = "rejected", _("Rejected by the SB")

    class Status(models.TextChoices):
        DUE = "due", _("Refund due")
        NONE = "none", _("Not reimbursable")

    fee = models.OneToOneField("projects.Fee", null=True, blank=True, on_delete=models.PROTECT, related_name="refund")
    transition_request = models.OneToOneField("transition.TransitionRequest", null=True, blank=True,
                                              on_delete=models.PROTECT, related_name="refund")
    ladder = models.CharField(max_length=20)
    stage = models.CharField(max_length=20)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    paid_usd = models.DecimalField(max_digits=14, decimal_places=2)
    amount_usd = models.DecimalField(_("refund due (USD)"), max_digits=14, decimal_places=2)
    status = models.CharField(max_length=4, choices=Status.choices)
    # App.1 para 7(b)-(c): due "provided that the request is not resubmitted" within the fixes' days.
    conditional = models.BooleanField(default=False)
    basis = models.CharField(max_length=300)
    rule_set = models.ForeignKey("methodologies.RuleSet", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["recorded_at", "pk"]
        constraints = [models.CheckConstraint(
            condition=models.Q(fee__isnull=False) | models.Q(transition_request__isnull=False),
            name="refund_of_a_fee_or_a_transition_request")]

    def __str__(self):
        return f"Refund {self.amount_usd} USD ({self.get_status_display()})"
