from django.db import models
from django.utils.translation import gettext_lazy as _


class Fee(models.Model):
    """A fee assessed at submission from the rule set in force (7/CMA.4 annex I paras 51-58)."""

    class Kind(models.TextChoices):
        REGISTRATION = "registration", _("Registration fee")
        ISSUANCE = "issuance", _("Issuance fee")
        INCLUSION = "inclusion", _("Component project inclusion fee")
        # A6.4-PROC-AC-002 v03.0 App.1 para 16; PROC-AC-003 v03.0 App.1 paras 17-18 (projects.renewals).
        RENEWAL = "renewal", _("Renewal fee")

    class Status(models.TextChoices):
        DUE = "due", _("Due")
        PAID = "paid", _("Paid")
        WAIVED = "waived", _("Waived (LDC/SIDS host)")

    activity = models.ForeignKey("projects.Activity", on_delete=models.PROTECT, related_name="fees")
    monitoring_period = models.ForeignKey(
        "projects.MonitoringPeriod", null=True, blank=True, on_delete=models.PROTECT, related_name="fees"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    amount_usd = models.DecimalField(max_digits=14, decimal_places=2)
    basis = models.CharField(max_length=200, help_text=_("How the amount was computed"))
    rule_set = models.ForeignKey("methodologies.RuleSet", on_delete=models.PROTECT)
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.DUE)
    assessed_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    payment_reference = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["activity", "assessed_at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount_usd} USD ({self.get_status_display()})"

    @property
    def settled(self):
        return self.status in (self.Status.PAID, self.Status.WAIVED)
