"""The activity's and the monitoring period's machines, registered with the engine.

Each names its model, its table (projects.cycle), who holds which role on it (its ties: the
one place "is this organisation tied to this activity" is said), its owner and lock order,
its timed and terminal states, and what its events carry.
"""
from django.urls import reverse
from django.utils.translation import gettext as _

from pacm.engine.machines import Machine, machine_register
from pacm.events.models import EventKind
from pacm.parties.models import Organisation
from pacm.parties.roles import Role, Tie

from . import cycle, guards
from .cycle import ActivityState as A
from .models import Activity, DocumentVersion, MonitoringPeriod

K = Organisation.Kind

# Who holds which role on an activity (rules.md §1): its participants; the DOE engaged for the
# stage (the validation DOE until registration, then the verification DOE); the host Party's
# DNA; the secretariat and the SB mechanism-wide.
ACTIVITY_TIES = (
    Tie(Role.PARTICIPANT, K.PARTICIPANT, "participants"),
    Tie(Role.DOE, K.DOE, "validation_doe", states=frozenset(set(A.values) - {A.REGISTERED})),
    Tie(Role.DOE, K.DOE, "verification_doe", states=frozenset({A.REGISTERED})),
    Tie(Role.DNA, K.DNA, "host_party", via_party=True),
    Tie(Role.SECRETARIAT, K.SECRETARIAT),
    Tie(Role.SB, K.SB),
)
# A period's roles come from its activity; its DOE is the verification DOE.
PERIOD_TIES = (
    Tie(Role.PARTICIPANT, K.PARTICIPANT, "activity__participants"),
    Tie(Role.DOE, K.DOE, "activity__verification_doe"),
    Tie(Role.DNA, K.DNA, "activity__host_party", via_party=True),
    Tie(Role.SECRETARIAT, K.SECRETARIAT),
    Tie(Role.SB, K.SB),
)


def _latest_versions(**document_filter):
    """The latest version of each document matching the filter: what a decision rests on."""
    rows = (
        DocumentVersion.objects.filter(**document_filter)
        .order_by("document_id", "-number")
        .values("id", "document_id", "document__kind", "number", "sha256")
    )
    latest = {}
    for row in rows:
        latest.setdefault(row["document_id"], row)
    return [
        {"id": r["id"], "kind": r["document__kind"], "version": r["number"], "sha256": r["sha256"]}
        for r in latest.values()
    ]


def activity_documents(activity):
    return _latest_versions(document__activity=activity, document__monitoring_period=None)


def period_documents(period):
    return _latest_versions(document__monitoring_period=period)


def _timer_days(key, on_date):
    from methodologies.models import RuleSet

    return RuleSet.objects.in_force(on_date).timer_days(key)


ACTIVITY = Machine(
    name="activity",
    model=Activity,
    states=cycle.ActivityState,
    initial=A.DRAFT,
    transitions=cycle.ACTIVITY_TRANSITIONS,
    actions=cycle.ACTIVITY_ACTIONS,
    terminal=cycle.ACTIVITY_TERMINAL,
    timed=cycle.ACTIVITY_TIMED,
    ties=ACTIVITY_TIES,
    guards=guards,
    event_kind=EventKind.ACTIVITY_TRANSITIONED,
    subject_kwarg="activity",
    documents=activity_documents,
    describe=lambda a: a.reference,
    url=lambda a: reverse("activity-detail", kwargs={"reference": a.reference}),
    event_activity=lambda a: a,
    timer_days=_timer_days,
    audience=frozenset({Role.PARTICIPANT}),
)

def _period_url(period):
    """The period's page: a project's period or a PoA's batch (the page serves both, projects.poa)."""
    return reverse("period-detail", kwargs={"reference": period.activity.reference, "number": period.number})


PERIOD = Machine(
    name="period",
    model=MonitoringPeriod,
    states=cycle.PeriodState,
    initial=cycle.PeriodState.SUBMITTED,
    transitions=cycle.PERIOD_TRANSITIONS,
    actions=cycle.PERIOD_ACTIONS,
    terminal=cycle.PERIOD_TERMINAL,
    timed=cycle.PERIOD_TIMED,
    owner="activity",
    # A PoA's periods too (projects.poa, PROC-AC-003 v03.0 paras 217-222): Activity.objects lists projects only.
    owner_manager="_base_manager",
    ties=PERIOD_TIES,
    guards=guards,
    event_kind=EventKind.MONITORING_TRANSITIONED,
    subject_kwarg="period",
    documents=period_documents,
    describe=lambda p: _("%(activity)s monitoring period %(number)s") % {"activity": p.activity.reference, "number": p.number},
    url=lambda p: _period_url(p),
    event_context=lambda p: {"monitoring_period": p.number},
    event_activity=lambda p: p.activity,
    timer_days=_timer_days,
    audience=frozenset({Role.PARTICIPANT}),
)


def machines_register():
    machine_register(ACTIVITY)
    machine_register(PERIOD)


__all__ = ["ACTIVITY", "PERIOD", "machines_register"]
