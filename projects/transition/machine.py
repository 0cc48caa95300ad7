"""The transition request's machine, registered with the engine from TransitionConfig.ready().

Who holds which role on a request: its participants (the CDM scope-(c) focal point's
organisation, PROC-AC-001 v06.0 para 11(d)); the host Party's DNA; the secretariat and the SB
mechanism-wide. A DOE acts only through the participants' documentation (para 32) here.
"""
from django.urls import reverse
from django.utils.translation import gettext as _

from pacm.engine.machines import Machine
from pacm.parties.models import Organisation
from pacm.parties.roles import Role, Tie

from . import cycle, guards
from .models import TransitionRequest

K = Organisation.Kind
EVENT_KIND = "transition.transitioned"

TRANSITION_TIES = (
    Tie(Role.PARTICIPANT, K.PARTICIPANT, "participants"),
    Tie(Role.DNA, K.DNA, "host_party", via_party=True),
    # PROC-AC-001 v06.0 paras 21, 24: each host Party of a CDM PoA, through its DNA.
    Tie(Role.DNA, K.DNA, reverse="party__transition_hosts__request"),
    Tie(Role.SECRETARIAT, K.SECRETARIAT),
    Tie(Role.SB, K.SB),
)


def _timer_days(key, on_date):
    from methodologies.models import RuleSet

    return RuleSet.objects.in_force(on_date).timer_days(key)


def describe(request):
    return _("transition request %(label)s") % {"label": request.label}


TRANSITION_MACHINE = Machine(
    name="transition",
    model=TransitionRequest,
    states=cycle.TransitionState,
    initial=cycle.TransitionState.REQUESTED,
    transitions=cycle.TRANSITION_TRANSITIONS,
    actions=cycle.TRANSITION_ACTIONS,
    terminal=cycle.TRANSITION_TERMINAL,
    timed=cycle.TRANSITION_TIMED,
    ties=TRANSITION_TIES,
    guards=guards,
    event_kind=EVENT_KIND,
    subject_kwarg="request",
    describe=describe,
    url=lambda r: reverse("transition-detail", kwargs={"pk": r.pk}),
    event_activity=lambda r: r.activity,
    timer_days=_timer_days,
    audience=frozenset({Role.PARTICIPANT}),
)
