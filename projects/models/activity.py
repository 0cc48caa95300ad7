from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin

from ..cycle import ACTIVITY_TRANSITIONS, ActivityState
from ..fsm import fsm_mixin

ActivityTransitions = fsm_mixin("ActivityTransitions", __name__, "state", ACTIVITY_TRANSITIONS)


class ActivityManager(models.Manager):
    """Stand-alone projects only: a PoA (kind "poa", projects.poa.models.Programme) is an Activity
    row with its own machine, and the activity machine, pages and lists never see it."""

    kind = "project"

    def get_queryset(self):
        return super().get_queryset().filter(kind=self.kind)


class Activity(ActivityTransitions, FSMModelMixin, models.Model):
    """A mitigation activity (a stand-alone project) and its place in the cycle."""

    class Kind(models.TextChoices):
        PROJECT = "project", _("Project")
        # PROC-AC-003 v03.0: a programme of activities shares the activity's rows (documents,
        # findings, fees, host approvals, authorization statements, events); docs/architecture.md.
        POA = "poa", _("Programme of activities")

    class CreditingType(models.TextChoices):
        RENEWABLE = "renewable", _("Renewable")
        FIXED = "fixed", _("Fixed")

    class RiskRating(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")
        VERY_HIGH = "very_high", _("Very high")

    kind = models.CharField(max_length=7, choices=Kind.choices, default=Kind.PROJECT, editable=False, db_index=True)
    reference = models.CharField(max_length=20, unique=True, editable=False)
    title = models.CharField(max_length=250)
    host_party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="activities")
    participants = models.ManyToManyField("parties.Organisation", related_name="activities")
    methodology_version = models.ForeignKey(
        "methodologies.MethodologyVersion", on_delete=models.PROTECT, related_name="activities"
    )
    sectoral_scope = models.ForeignKey("methodologies.SectoralScope", on_delete=models.PROTECT)
    location = models.CharField(max_length=250)
    start_date = models.DateField(help_text=_("The activity's start date"))
    crediting_type = models.CharField(max_length=10, choices=CreditingType.choices)
    crediting_start = models.DateField()
    crediting_end = models.DateField()
    estimated_annual = models.PositiveIntegerField(help_text=_("Estimated annual reductions or removals (t CO2e)"))
    description = models.TextField()
    validation_doe = models.ForeignKey(
        "parties.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verification_doe = models.ForeignKey(
        "parties.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Validated by the DOE for removals and reversal-risk activities (policy.md §2).
    # Superseded (policy.md §2 categories, rule set 2021-01): kept for the activities validated with one.
    risk_rating = models.CharField(max_length=10, choices=RiskRating.choices, blank=True)
    # A6.4-STAN-METH-002 v01.0 paras 38-40: the overall percentage risk rating of the participants' risk
    # assessment, part of the design document; validated by the DOE (risk_validated_at), revised
    # through projects.RiskAssessment (paras 41, 49).
    risk_rating_percent = models.DecimalField(
        _("reversal risk rating (%)"), max_digits=5, decimal_places=2, null=True, blank=True,
    )
    # Para 39(b): the assessment determines a negligible risk of reversal (a rating of 0).
    risk_negligible = models.BooleanField(_("negligible risk of reversal"), default=False)
    risk_validated_at = models.DateTimeField(null=True, blank=True)

    state = FSMField(default=ActivityState.DRAFT, choices=ActivityState.choices, protected=True, db_index=True)
    state_entered_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActivityManager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = _("activities")

    def __str__(self):
        return f"{self.reference} {self.title}"

    @property
    def stream(self):
        return f"activity:{self.pk}"

    @property
    def is_registered(self):
        return self.state == ActivityState.REGISTERED

    def engaged_doe_ids(self):
        """Before registration the validation DOE acts; after it, the verification DOE."""
        doe_id = self.verification_doe_id if self.is_registered else self.validation_doe_id
        return {doe_id} if doe_id else set()
