"""The observed-event and report-due machines, registered with the engine (projects.apps)."""
from django.urls import reverse
from django.utils.translation import gettext as _

from pacm.engine.machines import Machine, machine_register
from pacm.events.models import EventKind
from pacm.parties.models import Organisation
from pacm.parties.roles import Role, Tie

from . import cycle, due_cycle, guards
from .models import ObservedEvent, ReportDue

K = Organisation.Kind

# Who acts on an observed event: the activity's participants (paras 43, 45, 47, 58), its
# verification DOE (paras 46-47), the secretariat as registry administrator (para 57) and the SB
# (paras 44, 46-48, 56).
EVENT_TIES = (
    Tie(Role.PARTICIPANT, K.PARTICIPANT, "activity__participants"),
    Tie(Role.DOE, K.DOE, "activity__verification_doe"),
    Tie(Role.SECRETARIAT, K.SECRETARIAT),
    Tie(Role.SB, K.SB),
)


def _timer_days(key, on_date):
    from methodologies.models import RuleSet

    return RuleSet.objects.in_force(on_date).timer_days(key)


EVENT = Machine(
    name="observed_event",
    model=ObservedEvent,
    states=cycle.EventState,
    initial=cycle.EventState.NOTIFIED,
    transitions=cycle.EVENT_TRANSITIONS,
    actions=cycle.EVENT_ACTIONS,
    terminal=cycle.EVENT_TERMINAL,
    timed=cycle.EVENT_TIMED,
    owner="activity",
    ties=EVENT_TIES,
    guards=guards,
    event_kind=EventKind.OBSERVED_EVENT_TRANSITIONED,
    subject_kwarg="event",
    describe=lambda e: _("%(activity)s observed event %(number)s") % {"activity": e.activity.reference,
                                                                      "number": e.number},
    url=lambda e: reverse("observed-event-detail", kwargs={"reference": e.activity.reference, "number": e.number}),
    event_context=lambda e: {"observed_event": e.number},
    event_activity=lambda e: e.activity,
    timer_days=_timer_days,
    audience=frozenset({Role.PARTICIPANT}),
)

DUE_TIES = (
    Tie(Role.PARTICIPANT, K.PARTICIPANT, "activity__participants"),
    Tie(Role.SECRETARIAT, K.SECRETARIAT),
    Tie(Role.SB, K.SB),
)

DUE = Machine(
    name="report_due",
    model=ReportDue,
    states=due_cycle.DueState,
    initial=due_cycle.DueState.OPEN,
    transitions=due_cycle.DUE_TRANSITIONS,
    terminal=due_cycle.DUE_TERMINAL,
    timed=due_cycle.DUE_TIMED,
    owner="activity",
    ties=DUE_TIES,
    guards=guards,
    event_kind=EventKind.REPORT_DUE_TRANSITIONED,
    subject_kwarg="due",
    describe=lambda d: _("%(activity)s monitoring report due %(date)s") % {"activity": d.activity.reference,
                                                                           "date": d.due_on.isoformat()},
    url=lambda d: reverse("activity-detail", kwargs={"reference": d.activity.reference}) + "#report-dues",
    event_context=lambda d: {"report_due": d.number, "due_on": d.due_on.isoformat()},
    event_activity=lambda d: d.activity,
    timer_days=_timer_days,
    audience=frozenset({Role.PARTICIPANT}),
)


def machines_register():
    machine_register(EVENT)
    machine_register(DUE)
