"""Shared model behaviour."""
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
