"""What the Board decides on: one entry per kind of subject.

A subject kind names its model, the machine whose transitions the Board may fire (those whose
actors include `Role.BOARD` in `projects.cycle`), the service that fires them and the activity
whose event stream records the decision. A later subject (a PoA, a component project, a
transition request) adds one entry here and `Role.BOARD` to its transitions; the decision
model, the services and the page panel need no change.
"""
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pacm.common.errors import ServiceError
from pacm.parties.roles import Role

from ..cycle import ACTIVITY_BY_NAME, PERIOD_BY_NAME
from ..models import Activity, MonitoringPeriod
from ..poa.cycle import CP_TRANSITIONS, POA_TRANSITIONS
from ..poa.models import ComponentProject, Programme
from ..renewals.cycle import CP_RENEWAL_TRANSITIONS, RENEWAL_BY_NAME
from ..renewals.models import CPRenewal, PoARenewal, RenewalRequest
from ..transition.cycle import TRANSITION_BY_NAME
from ..transition.models import TransitionRequest


@dataclass(frozen=True)
class Finding:
    """A finding the Board makes with a decision, given to the proposed transition's service: a write
    takes it when its declaration names it among its `inputs` (e.g. `exclude_erroneous`)."""

    label: str
    help_text: str


# PROC-AC-003 v03.0 para 139: with the exclusion of an erroneously included CP (paras 132(b), 137), the
# SB may determine that the validating DOE failed to assess the CP's compliance: the DOE then owes
# the units issued for the CP (projects.poa.liability).
FINDINGS = {
    "doe_at_fault": Finding(
        label=gettext_lazy("The validating DOE is at fault"),
        help_text=gettext_lazy("With the exclusion only: the Supervisory Body determines that the validating DOE "
                               "failed to assess the CP's compliance (PROC-AC-003 v03.0 para 139); the DOE then "
                               "owes the units issued for the CP, to be cancelled within the rule set's time."),
    ),
}


def findings_of(spec):
    """The Board findings the transition `spec` takes (its declared inputs that are findings)."""
    return tuple(name for name in spec.inputs if name in FINDINGS)


@dataclass(frozen=True)
class SubjectKind:
    key: str
    label: str
    model: type
    table: dict
    service_prefix: str  # the keyword its machine's services take the subject by
    activity_pk: Callable  # the activity the decision's events link to (None: none yet)
    describe: Callable
    # Extra payload of the decision's events, naming the subject inside its owner's stream.
    context: Callable = lambda obj: {}

    def get(self, pk):
        obj = self.model.objects.filter(pk=pk).first()
        if obj is None:
            raise ServiceError(_("No such %(kind)s.") % {"kind": self.label}, code="no_such")
        return obj

    def board_transitions(self):
        """The declared transitions that only the Board fires, by name."""
        return {name: spec for name, spec in self.table.items() if Role.BOARD in spec.actors}

    def proposals(self, obj):
        """The Board transitions possible from the subject's state now."""
        return [spec for spec in self.board_transitions().values() if obj.state in spec.source]

    def fire(self, obj, name, actor, comment, findings=None):
        """Fire `name` through the service its machine declares for it, as the Board, with the
        decision's findings (the transition's declared inputs, `FINDINGS`)."""
        from pacm.engine.machines import machine_for

        return machine_for(obj).call(name, obj, user=actor, comment=comment, **(findings or {}))


def _renewal_context(obj):
    return {"renewal": obj.number, "renewal_kind": obj.kind}


SUBJECTS = {
    "activity": SubjectKind(
        key="activity", label=gettext_lazy("activity"), model=Activity, table=ACTIVITY_BY_NAME, service_prefix="activity",
        activity_pk=lambda obj: obj.pk, describe=lambda obj: obj.reference,
    ),
    "period": SubjectKind(
        key="period", label=gettext_lazy("monitoring period"), model=MonitoringPeriod, table=PERIOD_BY_NAME,
        service_prefix="period", activity_pk=lambda obj: obj.activity_id,
        describe=lambda obj: f"{obj.activity.reference} MP{obj.number}",
        context=lambda obj: {"monitoring_period": obj.number},
    ),
    # PROC-AC-003 v03.0 paras 44-90 (as PROC-AC-002 paras 102-103): register or reject a PoA;
    # deregister it (the activity's own rule, RMP 22).
    "poa": SubjectKind(
        key="poa", label="programme of activities", model=Programme,
        table={t.name: t for t in POA_TRANSITIONS}, service_prefix="poa", activity_pk=lambda obj: obj.pk,
        describe=lambda obj: obj.reference,
    ),
    # PROC-AC-003 v03.0 para 136: the SB confirms a CP under review or excludes it.
    "component": SubjectKind(
        key="component", label="component project", model=ComponentProject,
        table={t.name: t for t in CP_TRANSITIONS}, service_prefix="cp", activity_pk=lambda obj: obj.poa_id,
        describe=lambda obj: obj.reference, context=lambda obj: {"component": obj.reference},
    ),
    # PROC-AC-001 v06.0 paras 46-49: approve, approve with modifications, reject.
    "transition": SubjectKind(
        key="transition", label="transition request", model=TransitionRequest, table=TRANSITION_BY_NAME,
        service_prefix="request", activity_pk=lambda obj: obj.activity_id, describe=lambda obj: obj.label,
        context=lambda obj: {"transition_request": obj.label},
    ),
    # PROC-AC-002 v03.0 para 249; PROC-AC-003 v03.0 para 292: approve or reject a renewal.
    "poa_renewal": SubjectKind(
        key="poa_renewal", label="renewal of a PoA period", model=PoARenewal, table=RENEWAL_BY_NAME,
        service_prefix="renewal", activity_pk=lambda obj: obj.poa_id,
        describe=lambda obj: f"{obj.subject_reference} renewal {obj.number}", context=_renewal_context,
    ),
    "renewal": SubjectKind(
        key="renewal", label="renewal of a crediting period", model=RenewalRequest, table=RENEWAL_BY_NAME,
        service_prefix="renewal", activity_pk=lambda obj: obj.activity_id,
        describe=lambda obj: f"{obj.subject_reference} renewal {obj.number}", context=_renewal_context,
    ),
    # PROC-AC-003 v03.0 paras 302, 305 (section 6.2.5 mutatis mutandis, para 132): the SB confirms a CP's
    # renewal under review or reverses it (erroneous); its events name the CP on the PoA's stream.
    "cp_renewal": SubjectKind(
        key="cp_renewal", label=gettext_lazy("renewal of a component project's crediting period"), model=CPRenewal,
        table={t.name: t for t in CP_RENEWAL_TRANSITIONS}, service_prefix="renewal",
        activity_pk=lambda obj: obj.poa_id, describe=lambda obj: f"{obj.subject_reference} renewal {obj.number}",
        context=lambda obj: {"component": obj.subject_reference, **_renewal_context(obj)},
    ),
}


def subject_kind_of(obj):
    # A proxy (a PoA is an Activity, a PoA's or a CP's renewal a renewal request) is its own kind first.
    for kind in SUBJECTS.values():
        if type(obj) is kind.model:
            return kind
    if not type(obj)._meta.proxy:  # a proxy of no kind here is decided by no one (deny by default)
        for kind in SUBJECTS.values():
            if isinstance(obj, kind.model):
                return kind
    raise ServiceError(_("The Board does not decide on this kind of record."), code="board_does_decide_kind")
