"""Shared model behaviour."""
from django.conf import settings
from django.db import models


class AppendOnlyQuerySet(models.QuerySet):
    """Rows are written once: no bulk update or delete through the ORM."""

    def update(self, **kwargs):
        raise TypeError(f"{self.model._meta.verbose_name_plural} are append-only: they cannot be updated.")

    def delete(self):
        raise TypeError(f"{self.model._meta.verbose_name_plural} are append-only: they cannot be deleted.")


class AppendOnlyModel(models.Model):
    """A record that is created once and never edited or deleted (an audit fact, a version)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError(f"{self._meta.verbose_name} rows are append-only: write a new one instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError(f"{self._meta.verbose_name} rows are append-only: they are never deleted.")


class SubmissionKey(models.Model):
    """A form submission that took effect, claimed by its one-time key (pacm.common.submission).

    The row is inserted in the same transaction as the service call it guards: a call that is
    refused or rolled back leaves no row, so the key can be used again; a second post of the same
    key finds the row and is answered with the first one's result instead of a second effect.
    """

    key = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    path = models.CharField(max_length=500)
    result_url = models.CharField(max_length=500, blank=True)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self):
        return f"{self.key} {self.path}"
