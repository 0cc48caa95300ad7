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


@dataclass(frozen=True)
class SubjectKind:
    key: str
    label: str
    model: type
    table: dict
    service_prefix: str  # the keyword its machine's services take the subject by
    activity_pk: Callable  # the activity whose stream records the decision
    describe: Callable

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

    def fire(self, obj, name, actor, comment):
        """Fire `name` through the service its machine declares for it, as the Board."""
        from pacm.engine.machines import machine_for

        return machine_for(obj).call(name, obj, user=actor, comment=comment)


SUBJECTS = {
    "activity": SubjectKind(
        key="activity", label=gettext_lazy("activity"), model=Activity, table=ACTIVITY_BY_NAME, service_prefix="activity",
        activity_pk=lambda obj: obj.pk, describe=lambda obj: obj.reference,
    ),
    "period": SubjectKind(
        key="period", label=gettext_lazy("monitoring period"), model=MonitoringPeriod, table=PERIOD_BY_NAME,
        service_prefix="period", activity_pk=lambda obj: obj.activity_id,
        describe=lambda obj: f"{obj.activity.reference} MP{obj.number}",
    ),
}


def subject_kind_of(obj):
    for kind in SUBJECTS.values():
        if isinstance(obj, kind.model):
            return kind
    raise ServiceError(_("The Board does not decide on this kind of record."), code="board_does_decide_kind")
