"""The demo mark and its clock: one row, written by `seed_demo`; absent in any real database."""
import datetime

from django.db import models


class DemoClock(models.Model):
    """This database holds demo data (seed_demo made it) and its clock runs `offset` ahead."""

    SINGLETON = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON, editable=False)
    offset = models.DurationField(default=datetime.timedelta(0))
    marked_at = models.DateTimeField()

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="demo_clock_singleton")]

    def __str__(self):
        return f"demo clock +{self.offset}"
