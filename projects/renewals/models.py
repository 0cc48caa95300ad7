"""A request to renew a crediting period or a PoA period, and a CP's renewal notification.

One table, three machines: `RenewalRequest` (a project's crediting period, machine `renewal`, owner
the activity), `PoARenewal` (a PoA period, machine `poa_renewal`, owner the PoA) and `CPRenewal` (a
component project's crediting period, machine `cp_renewal`, owner the PoA), proxies that keep
only their kind. Each row keeps the period it renews (`previous_*`) and the one it gives
(`new_*`): the activity's, PoA's or CP's crediting periods are its first one plus the renewed rows
(`periods.crediting_periods`). Rows change only through `services.py`.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin

from ..fsm import fsm_mixin
from .cycle import CP_RENEWAL_TRANSITIONS, RENEWAL_TRANSITIONS, CPRenewalState, RenewalState

RenewalTransitions = fsm_mixin("RenewalTransitions", __name__, "state", RENEWAL_TRANSITIONS)
CPRenewalTransitions = fsm_mixin("CPRenewalTransitions", __name__, "state", CP_RENEWAL_TRANSITIONS)


class Kind(models.TextChoices):
    PROJECT = "project", _("Crediting period of a project")
    POA = "poa", _("PoA period")
    CP = "cp", _("Crediting period of a component project")


class KindManager(models.Manager):
    kind = Kind.PROJECT

    def get_queryset(self):
        return super().get_queryset().filter(kind=self.kind)


class RenewalRequest(RenewalTransitions, FSMModelMixin, models.Model):
    """The renewal of a project's crediting period (A6.4-PROC-AC-002 v03.0 paras 231-250)."""

    kind = models.CharField(max_length=7, choices=Kind.choices, default=Kind.PROJECT, editable=False, db_index=True)
    # The project (kind project); the PoA (kinds poa and cp): the owner, locked first.
    activity = models.ForeignKey("projects.Activity", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="renewals")
    poa = models.ForeignKey("poa.Programme", null=True, blank=True, on_delete=models.PROTECT,
                            related_name="poa_renewals")
    component = models.ForeignKey("poa.ComponentProject", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="renewals")
    # 1 for the first renewal of this subject, 2 for the second, ...
    number = models.PositiveSmallIntegerField()
    previous_start = models.DateField()
    previous_end = models.DateField()
    # PROC-AC-002 para 233 / PROC-AC-003 paras 277-278: the day after the previous end.
    new_start = models.DateField()
    new_end = models.DateField()
    # Para 238 / 282 / 297: any DOE accredited in the scope, contracted by the participants.
    validation_doe = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+")
    # STAN-AC-002 para 162 (STAN-AC-004 paras 207, 216): what the update says.
    baseline_update = models.TextField(_("baseline update, with the downward adjustment"))
    additionality_update = models.TextField(_("additionality: the updated regulatory analysis"), blank=True)
    estimated_annual = models.PositiveBigIntegerField(_("updated estimated annual reductions or removals (t CO2e)"))
    design_version = models.ForeignKey("projects.DocumentVersion", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")
    report_version = models.ForeignKey("projects.DocumentVersion", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")
    # STAN-AC-002 para 163 (STAN-METH-002 para 35): the methodology version the update applies, and
    # why another methodology than the registered one (para 163(b)-(c)); renewals/methodology.py.
    methodology_version = models.ForeignKey("methodologies.MethodologyVersion", null=True, blank=True,
                                            on_delete=models.PROTECT, related_name="+")
    methodology_change = models.TextField(_("why another methodology is applied"), blank=True)
    fee = models.OneToOneField("projects.Fee", null=True, blank=True, on_delete=models.PROTECT, related_name="renewal")
    # PROC-AC-002 para 243 / PROC-AC-003 paras 287, 304: a transitioned subject's own window.
    transitioned = models.BooleanField(default=False)
    window_opens = models.DateField()
    window_closes = models.DateField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    renewed_at = models.DateTimeField(null=True, blank=True)

    state = FSMField(default=RenewalState.UNDER_VALIDATION,
                     choices=RenewalState.choices + CPRenewalState.choices, protected=True, db_index=True)
    state_entered_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = KindManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "number"], condition=models.Q(kind="project"),
                                    name="renewal_project_number_unique"),
            models.UniqueConstraint(fields=["poa", "number"], condition=models.Q(kind="poa"),
                                    name="renewal_poa_number_unique"),
            models.UniqueConstraint(fields=["component", "number"], condition=models.Q(kind="cp"),
                                    name="renewal_cp_number_unique"),
        ]

    def __str__(self):
        return f"{self.subject_reference} renewal {self.number}"

    def save(self, *args, **kwargs):
        self.kind = type(self).objects.kind
        super().save(*args, **kwargs)

    @property
    def subject(self):
        return {Kind.PROJECT: self.activity, Kind.POA: self.poa, Kind.CP: self.component}[self.kind]

    @property
    def subject_reference(self):
        return self.subject.reference

    @property
    def owner_row(self):
        return self.activity if self.kind == Kind.PROJECT else self.poa


class PoAManager(KindManager):
    kind = Kind.POA


class CPManager(KindManager):
    kind = Kind.CP


class PoARenewal(RenewalRequest):
    """The renewal of a PoA period (A6.4-PROC-AC-003 v03.0 paras 274-293)."""

    objects = PoAManager()

    class Meta:
        proxy = True
        verbose_name = _("PoA period renewal")


class CPRenewal(CPRenewalTransitions, RenewalRequest):
    """The notification of renewal of a CP's crediting period (A6.4-PROC-AC-003 v03.0 paras 294-305)."""

    objects = CPManager()

    class Meta:
        proxy = True
        verbose_name = _("component project renewal")
