"""The three renewal machines, registered with the engine from RenewalsConfig.ready().

Who holds which role: the subject's participants (a CP's implementers and its PoA's coordinating
and managing entity); the DOE the participants contracted for the renewal's validation
(PROC-AC-002 para 238; PROC-AC-003 paras 282, 297); the host Party's DNA (each host's for a PoA,
para 26); the secretariat and the SB mechanism-wide. The owner, locked first and keeper of the
event stream, is the activity (a project) or the PoA (a PoA period, a CP).
"""
from django.urls import reverse
from django.utils.translation import gettext as _

from pacm.engine.machines import Machine, machine_register
from pacm.parties.models import Organisation
from pacm.parties.roles import Role, Tie

from . import cycle, guards
from .events import TRANSITIONED
from .models import CPRenewal, PoARenewal, RenewalRequest

K = Organisation.Kind


def _timer_days(key, on_date):
    from methodologies.models import RuleSet

    return RuleSet.objects.in_force(on_date).timer_days(key)


def describe(renewal):
    return _("%(subject)s renewal %(number)s") % {"subject": renewal.subject_reference, "number": renewal.number}


def _context(renewal):
    return {"renewal": renewal.number, "renewal_kind": renewal.kind, "subject": renewal.subject_reference}


def _common(**kw):
    return dict(
        guards=guards, event_kind=TRANSITIONED, subject_kwarg="renewal", describe=describe,
        url=lambda r: reverse("renewal-detail", kwargs={"pk": r.pk}), event_context=_context,
        event_activity=lambda r: r.owner_row, timer_days=_timer_days, audience=frozenset({Role.PARTICIPANT}), **kw,
    )


MECHANISM = (Tie(Role.SECRETARIAT, K.SECRETARIAT), Tie(Role.SB, K.SB))

def _pipeline_machine(name, model, owner, ties):
    """A project's or a PoA's renewal: the request pipeline's table (cycle.RENEWAL_TRANSITIONS)."""
    return Machine(
        name=name, model=model, states=cycle.RenewalState, initial=cycle.RenewalState.UNDER_VALIDATION,
        transitions=cycle.RENEWAL_TRANSITIONS, actions=cycle.RENEWAL_ACTIONS, terminal=cycle.RENEWAL_TERMINAL,
        timed=cycle.RENEWAL_TIMED, owner=owner, ties=(*ties, Tie(Role.DOE, K.DOE, "validation_doe"), *MECHANISM),
        **_common(),
    )


RENEWAL_MACHINE = _pipeline_machine("renewal", RenewalRequest, "activity", (
    Tie(Role.PARTICIPANT, K.PARTICIPANT, "activity__participants"),
    Tie(Role.DNA, K.DNA, "activity__host_party", via_party=True),
))
POA_RENEWAL_MACHINE = _pipeline_machine("poa_renewal", PoARenewal, "poa", (
    Tie(Role.PARTICIPANT, K.PARTICIPANT, "poa__participants"),
    # PROC-AC-003 v03.0 para 26: the DNA of each host of the PoA.
    Tie(Role.DNA, K.DNA, reverse="party__poa_hosts__poa__poa_renewals"),
))

CP_RENEWAL_MACHINE = Machine(
    name="cp_renewal", model=CPRenewal, states=cycle.CPRenewalState, initial=cycle.CPRenewalState.NOTIFIED,
    transitions=cycle.CP_RENEWAL_TRANSITIONS, actions=cycle.CP_RENEWAL_ACTIONS, terminal=cycle.CP_RENEWAL_TERMINAL,
    owner="poa",
    ties=(Tie(Role.PARTICIPANT, K.PARTICIPANT, "component__participants"),
          Tie(Role.PARTICIPANT, K.PARTICIPANT, "poa__participants"),
          Tie(Role.DOE, K.DOE, "validation_doe"),
          Tie(Role.DNA, K.DNA, "component__host__party", via_party=True), *MECHANISM),
    **_common(),
)

MACHINES = (RENEWAL_MACHINE, POA_RENEWAL_MACHINE, CP_RENEWAL_MACHINE)


def machines_register():
    for machine in MACHINES:
        machine_register(machine)
