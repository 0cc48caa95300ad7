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


class RealActivity(models.Model):
    """One of the mechanism's real activities loaded by seed_demo (projects/fixtures/real_activities.yaml):
    its CDM reference, the row's source (document symbol and paragraph) and the state the source gives,
    with the pacm records the services made for it. Demo provenance only: the cycle never reads it."""

    cdm_reference = models.CharField(max_length=20, unique=True)
    kind = models.CharField(max_length=10)
    title = models.CharField(max_length=250)
    source = models.CharField(max_length=300)
    target_state = models.CharField(max_length=30)
    # What the source does not give and the loader made up, e.g. "host, dates, estimate".
    not_in_source = models.CharField(max_length=200, blank=True)
    # The SB's decision as its meeting report gives it: "SBM016 item 4.2: approved_with_modifications".
    decision = models.CharField(max_length=120, blank=True)
    modifications = models.TextField(blank=True)
    # A6.4-SBM016 paras 38-39: the re-evaluated fNRB and leakage discount factor of a cookstove PoA.
    fnrb = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    leakage_factor = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    activity = models.OneToOneField("projects.Activity", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="real_activity")
    transition_request = models.OneToOneField("transition.TransitionRequest", null=True, blank=True,
                                              on_delete=models.PROTECT, related_name="real_activity")
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["cdm_reference"]

    def __str__(self):
        return f"CDM {self.cdm_reference} {self.title}"
