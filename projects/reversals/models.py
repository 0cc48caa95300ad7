"""An observed event involving the release of stored GHGs (A6.4-STAN-METH-002 v01.0 paras 43-58),
and the due dates of monitoring reports of removals (paras 21-25)."""
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin

from ..fsm import fsm_mixin
from .cycle import EVENT_TRANSITIONS, EventState
from .due_cycle import DUE_TRANSITIONS, DueState

EventTransitions = fsm_mixin("EventTransitions", __name__, "state", EVENT_TRANSITIONS)
DueTransitions = fsm_mixin("DueTransitions", __name__, "state", DUE_TRANSITIONS)


class ObservedEvent(EventTransitions, FSMModelMixin, models.Model):
    activity = models.ForeignKey("projects.Activity", on_delete=models.PROTECT, related_name="observed_events")
    number = models.PositiveSmallIntegerField()
    # Para 43: a brief description, the date or dates of its occurrence, its location.
    description = models.TextField()
    location = models.CharField(max_length=250)
    occurred_from = models.DateField()
    occurred_to = models.DateField(null=True, blank=True, help_text=_("Empty while the event is ongoing (para 45)"))
    aware_on = models.DateField(help_text=_("When the participants became aware of the event (para 43)"))
    notified_at = models.DateTimeField()
    notice_due_on = models.DateField()
    # Para 43: a notice later than the rule set's days after becoming aware is recorded as late.
    late = models.BooleanField(default=False)
    notified_by = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+")

    state = FSMField(default=EventState.NOTIFIED, choices=EventState.choices, protected=True, db_index=True)
    state_entered_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # The due date a reminder was last sent for (reminders are sent once per deadline).
    reminded_for = models.DateTimeField(null=True, blank=True)

    preliminary = models.ForeignKey("projects.DocumentVersion", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    full_report = models.ForeignKey("projects.DocumentVersion", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    suspension = models.ForeignKey("registry.Suspension", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    # Paras 48, 53, 56: the SB's determination, by type of unit; avoidable or not.
    authorized_quantity = models.PositiveBigIntegerField(default=0)
    contribution_quantity = models.PositiveBigIntegerField(default=0)
    avoidable = models.BooleanField(null=True, blank=True)
    # Para 57: buffer units cancelled for remediation, by type; the rest is a shortfall.
    cancelled_authorized = models.PositiveBigIntegerField(default=0)
    cancelled_contribution = models.PositiveBigIntegerField(default=0)
    # Para 58: what the participants forwarded back to the pool, by type, and by when.
    replenish_due_on = models.DateField(null=True, blank=True)
    replenished_authorized = models.PositiveBigIntegerField(default=0)
    replenished_contribution = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["activity", "number"]
        constraints = [models.UniqueConstraint(fields=["activity", "number"], name="observed_event_number_unique")]

    def __str__(self):
        return f"{self.activity.reference} observed event {self.number}"

    @property
    def magnitude(self):
        return self.authorized_quantity + self.contribution_quantity

    @property
    def cancelled(self):
        return self.cancelled_authorized + self.cancelled_contribution

    @property
    def shortfall(self):
        """Para 53 asks for full remediation: what the pool could not cover so far."""
        if self.state not in (EventState.REMEDIATED, EventState.CLOSED):
            return 0
        return self.magnitude - self.cancelled

    @property
    def replenishment_owed(self):
        """Para 58: an avoidable reversal owes back what was cancelled from the pool, by type."""
        if not self.avoidable:
            return 0
        return (self.cancelled_authorized - self.replenished_authorized) + (
            self.cancelled_contribution - self.replenished_contribution)

    def owed_by_type(self):
        if not self.avoidable:
            return {}
        owed = {"authorized": self.cancelled_authorized - self.replenished_authorized,
                "mc": self.cancelled_contribution - self.replenished_contribution}
        return {k: v for k, v in owed.items() if v > 0}


class ReportDue(DueTransitions, FSMModelMixin, models.Model):
    """A monitoring report of removals due by a date (paras 21-22), extended on request (para 24); a
    missed one suspends the activity's units (para 25)."""

    activity = models.ForeignKey("projects.Activity", on_delete=models.PROTECT, related_name="report_dues")
    number = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    # Para 24: the extension asked for, with its justification.
    requested_due_on = models.DateField(null=True, blank=True)
    justification = models.TextField(blank=True)
    state = FSMField(default=DueState.OPEN, choices=DueState.choices, protected=True, db_index=True)
    state_entered_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    reminded_for = models.DateTimeField(null=True, blank=True)
    suspension = models.ForeignKey("registry.Suspension", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    met_by = models.ForeignKey("projects.MonitoringPeriod", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")

    class Meta:
        ordering = ["activity", "number"]
        constraints = [models.UniqueConstraint(fields=["activity", "number"], name="report_due_number_unique")]

    def __str__(self):
        return f"{self.activity.reference} report due {self.due_on}"
