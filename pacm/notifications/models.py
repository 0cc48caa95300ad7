from django.conf import settings
from django.db import models


class Notification(models.Model):
    """One person told of one committed write on one subject (a machine's row)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    machine = models.CharField(max_length=40)
    subject_pk = models.PositiveBigIntegerField()
    write = models.CharField(max_length=60)
    # Names the one write (queued once per committed write): a task run twice finds its rows.
    key = models.CharField(max_length=64)
    subject_line = models.CharField(max_length=255)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["machine", "subject_pk", "write", "key", "recipient"],
                                    name="notification_once_per_write_and_recipient"),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_inbox"),
            models.Index(fields=["recipient"], condition=models.Q(read_at__isnull=True), name="notification_unread"),
        ]

    def __str__(self):
        return f"{self.recipient_id}: {self.subject_line}"


class NotificationPreference(models.Model):
    """A person's choice: notifications are always listed in-app; e-mail only when enabled."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_preference")
    email_enabled = models.BooleanField(default=True)

    def __str__(self):
        return f"{self.user_id}: e-mail {'on' if self.email_enabled else 'off'}"


class NotificationOptOut(models.Model):
    """pacm issue 9: no e-mail for notifications of one kind (a machine: activity, period, account,
    ...); they are still listed in-app."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_opt_outs")
    machine = models.CharField(max_length=40)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "machine"], name="notification_opt_out_unique")]

    def __str__(self):
        return f"{self.user_id}: no e-mail for {self.machine}"


def email_enabled(user, machine=None):
    """E-mail on for this person (and, given `machine`, for that kind of notification)."""
    pref = NotificationPreference.objects.filter(user=user).values_list("email_enabled", flat=True).first()
    if pref is False:
        return False
    return machine is None or not NotificationOptOut.objects.filter(user=user, machine=machine).exists()
