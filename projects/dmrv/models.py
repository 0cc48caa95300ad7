"""Readings of a monitoring period's parameters, posted by a participant's MRV system (pacm issue 9).

A reading belongs to an activity and a period *number*: the period the participants are drafting,
which has no row until its report is submitted (projects.services.verification.period_submit)."""
from django.conf import settings
from django.db import models


class MonitoredParameter(models.Model):
    """A parameter a methodology version monitors; `claimed`: its readings are the reductions or
    removals themselves (t CO2e), summed per vintage to compute the claims (dmrv.compute)."""

    methodology_version = models.ForeignKey("methodologies.MethodologyVersion", on_delete=models.CASCADE,
                                            related_name="monitored_parameters")
    code = models.CharField(max_length=60)
    unit = models.CharField(max_length=20)
    claimed = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["methodology_version", "code"], name="dmrv_parameter_unique")]

    def __str__(self):
        return f"{self.code} ({self.unit})"


class MrvKey(models.Model):
    """A participant's signing key for one activity (HMAC-SHA256). HMAC needs the key itself to check a
    signature, so it is kept as it is (not a hash); it is shown once, on registration, and revocable."""

    activity = models.ForeignKey("projects.Activity", on_delete=models.CASCADE, related_name="mrv_keys")
    organisation = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+")
    key_id = models.CharField(max_length=24, unique=True)
    secret = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return self.key_id


class ReadingBatch(models.Model):
    """One signed POST of readings; its client key makes a repeat answer the first (idempotency)."""

    activity = models.ForeignKey("projects.Activity", on_delete=models.CASCADE, related_name="mrv_batches")
    period_number = models.PositiveIntegerField()
    key = models.ForeignKey(MrvKey, on_delete=models.PROTECT, related_name="batches")
    client_key = models.CharField(max_length=64)
    body_sha256 = models.CharField(max_length=64)
    signed_at = models.DateTimeField()
    received_at = models.DateTimeField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["activity", "client_key"], name="dmrv_batch_client_key_unique")]


class Reading(models.Model):
    batch = models.ForeignKey(ReadingBatch, on_delete=models.CASCADE, related_name="readings")
    activity = models.ForeignKey("projects.Activity", on_delete=models.CASCADE, related_name="mrv_readings")
    period_number = models.PositiveIntegerField()
    parameter = models.CharField(max_length=60)
    value = models.DecimalField(max_digits=24, decimal_places=6)
    unit = models.CharField(max_length=20)
    measured_at = models.DateTimeField()
    source = models.CharField(max_length=100)

    class Meta:
        indexes = [models.Index(fields=["activity", "period_number", "-id"], name="dmrv_reading_period_idx")]
