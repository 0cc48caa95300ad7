from django.db import models
from django.utils.translation import gettext_lazy as _


class Finding(models.Model):
    """A DOE finding with its own small life: open -> answered -> closed (or reopened)."""

    class Kind(models.TextChoices):
        CAR = "car", _("Corrective action request")
        CL = "cl", _("Clarification request")
        FAR = "far", _("Forward action request")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    # Corrective actions and clarifications block a positive opinion; forward actions do not.
    BLOCKING = (Kind.CAR, Kind.CL)

    activity = models.ForeignKey("projects.Activity", on_delete=models.PROTECT, related_name="findings")
    monitoring_period = models.ForeignKey(
        "projects.MonitoringPeriod", null=True, blank=True, on_delete=models.PROTECT, related_name="findings"
    )
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=3, choices=Kind.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    text = models.TextField()
    response = models.TextField(blank=True)
    raised_by = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["activity", "number"]
        constraints = [models.UniqueConstraint(fields=["activity", "number"], name="finding_number_unique")]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.number}"
