"""The PoA's and the component project's machines, registered with the engine (projects.poa.apps).

A PoA (`Programme`, a proxy of Activity) holds the activity's ties but for the host's DNA: each
host Party's DNA, through the PoA's host rows. A CP's participants are its implementers and the
PoA's coordinating/managing entity (the PoA's participants, the scope-(c) focal point); its DOE
is the one named for it; its DNA the DNA of its host Party. The CP's owner, locked first and
keeper of the event stream, is its PoA.
"""
from django.urls import reverse
from django.utils.translation import gettext as _

from pacm.engine.machines import Machine, machine_register
from pacm.parties.models import Organisation
from pacm.parties.roles import Role, Tie

from ..cycle import ActivityState as A
from ..machines import _latest_versions, _timer_days
from ..models import Document
from . import cycle, events, guards
from .models import ComponentProject, Programme

K = Organisation.Kind
CP_KINDS = (Document.Kind.CP_DD, Document.Kind.CP_VALIDATION_REPORT, Document.Kind.CP_INCLUSION_FORM)

POA_TIES = (
    Tie(Role.PARTICIPANT, K.PARTICIPANT, "participants"),
    Tie(Role.DOE, K.DOE, "validation_doe", states=frozenset(set(A.values) - {A.REGISTERED})),
    Tie(Role.DOE, K.DOE, "verification_doe", states=frozenset({A.REGISTERED})),
    # PROC-AC-003 v03.0 para 26: each host Party of a multi-country PoA, through its DNA.
    Tie(Role.DNA, K.DNA, reverse="party__poa_hosts__poa"),
    Tie(Role.SECRETARIAT, K.SECRETARIAT),
    Tie(Role.SB, K.SB),
)
CP_TIES = (
    Tie(Role.PARTICIPANT, K.PARTICIPANT, "participants"),
    Tie(Role.PARTICIPANT, K.PARTICIPANT, "poa__participants"),
    Tie(Role.DOE, K.DOE, "doe"),
    Tie(Role.DNA, K.DNA, "host__party", via_party=True),
    Tie(Role.SECRETARIAT, K.SECRETARIAT),
    Tie(Role.SB, K.SB),
)


def poa_documents(poa):
    return [d for d in _latest_versions(document__activity=poa, document__monitoring_period=None)
            if d["kind"] not in CP_KINDS]


def cp_documents(cp):
    return _latest_versions(document__activity_id=cp.poa_id, document__title=cp.reference, document__kind__in=CP_KINDS)


POA = Machine(
    name="poa",
    model=Programme,
    states=A,
    initial=A.DRAFT,
    transitions=cycle.POA_TRANSITIONS,
    actions=cycle.POA_ACTIONS,
    terminal=cycle.POA_TERMINAL,
    timed=cycle.POA_TIMED,
    ties=POA_TIES,
    guards=guards,
    event_kind=events.POA_TRANSITIONED,
    subject_kwarg="poa",
    documents=poa_documents,
    describe=lambda p: p.reference,
    url=lambda p: reverse("poa-detail", kwargs={"reference": p.reference}),
    event_activity=lambda p: p,
    timer_days=_timer_days,
    audience=frozenset({Role.PARTICIPANT}),
)

COMPONENT = Machine(
    name="component",
    model=ComponentProject,
    states=cycle.CPState,
    initial=cycle.CPState.NOTIFIED,
    transitions=cycle.CP_TRANSITIONS,
    actions=cycle.CP_ACTIONS,
    terminal=cycle.CP_TERMINAL,
    owner="poa",
    ties=CP_TIES,
    guards=guards,
    event_kind=events.CP_TRANSITIONED,
    subject_kwarg="cp",
    documents=cp_documents,
    describe=lambda c: _("component project %(reference)s") % {"reference": c.reference},
    url=lambda c: reverse("cp-detail", kwargs={"reference": c.reference}),
    event_context=lambda c: {"component": c.reference},
    event_activity=lambda c: c.poa,
    timer_days=_timer_days,
    audience=frozenset({Role.PARTICIPANT}),
)


def machines_register():
    from .liability import LIABILITY

    machine_register(POA)
    machine_register(COMPONENT)
    machine_register(LIABILITY)
