"""Reads for the PoA and CP pages and the dashboards. Deny by default; no N+1."""
from django.db.models import Count, Q, Sum

from pacm.engine.offers import waiting_q
from pacm.parties.models import Organisation
from pacm.parties.roles import Role, Tie, tie_q

from ..selectors import MECHANISM_HIDDEN, PRIVATE_STATES
from .cycle import CPState as C
from .guards import CAP_STATES
from .models import ComponentProject, PoAHost, Programme

K = Organisation.Kind
# As for an activity (projects.selectors): public once the PoA-DD is published; before, its
# entity, its DOE, each host's DNA and the mechanism's officers (not a draft).
POA_VISIBILITY = (
    Tie(Role.PARTICIPANT, K.PARTICIPANT, "participants"),
    Tie(Role.DOE, K.DOE, "validation_doe"),
    Tie(Role.DNA, K.DNA, reverse="party__poa_hosts__poa", when=~Q(state__in=MECHANISM_HIDDEN)),
    Tie(Role.SECRETARIAT, K.SECRETARIAT, when=~Q(state__in=MECHANISM_HIDDEN)),
    Tie(Role.SB, K.SB, when=~Q(state__in=MECHANISM_HIDDEN)),
)
# PROC-AC-003 v03.0 para 126: a CP is displayed once included; before, those tied to it.
PUBLIC_CP_STATES = (C.INCLUDED, C.UNDER_INCLUSION_REVIEW, C.EXCLUDED, C.EXCLUDED_ERRONEOUS)
CP_VISIBILITY = (
    Tie(Role.PARTICIPANT, K.PARTICIPANT, "participants"),
    Tie(Role.PARTICIPANT, K.PARTICIPANT, "poa__participants"),
    Tie(Role.DOE, K.DOE, "doe"),
    Tie(Role.DNA, K.DNA, "host__party", via_party=True),
    Tie(Role.SECRETARIAT, K.SECRETARIAT),
    Tie(Role.SB, K.SB),
)


def poas_visible_to(user):
    public = ~Q(state__in=PRIVATE_STATES)
    if user is None or not user.is_authenticated:
        return Programme.objects.filter(public)
    return Programme.objects.filter(public | tie_q(user, Programme, ties=POA_VISIBILITY))


def cps_visible_to(user):
    public = Q(state__in=PUBLIC_CP_STATES) & ~Q(poa__state__in=PRIVATE_STATES)
    if user is None or not user.is_authenticated:
        return ComponentProject.objects.filter(public)
    return ComponentProject.objects.filter(public | tie_q(user, ComponentProject, ties=CP_VISIBILITY))


def poa_list(user):
    return (poas_visible_to(user).select_related("host_party").annotate(
        included=Count("components", filter=Q(components__state=C.INCLUDED))).order_by("-created_at"))


def poa_page_get(*, user, reference):
    return (poas_visible_to(user).filter(reference=reference)
            .select_related("host_party", "methodology_version__methodology", "sectoral_scope", "validation_doe",
                            "poa_design")
            .prefetch_related("participants", "eligibility_criteria", "fees__rule_set", "fees__refund",
                              "documents__versions", "authorization_statements__dna")
            .get())


def poa_hosts(poa):
    """Each host with its maximum and the annual total its CPs take up (uploaded and included)."""
    return list(PoAHost.objects.filter(poa=poa).select_related("party", "approval__dna").annotate(
        total=Sum("components__estimated_annual", filter=Q(components__state__in=CAP_STATES)),
        included=Count("components", filter=Q(components__state=C.INCLUDED))))


def poa_components(poa, user):
    return (cps_visible_to(user).filter(poa=poa).select_related("host__party", "doe").order_by("number"))


def cp_page_get(*, user, reference):
    return (cps_visible_to(user).filter(reference=reference)
            .select_related("poa__sectoral_scope", "poa__methodology_version__methodology", "host__party", "doe",
                            "inclusion_fee__rule_set")
            .prefetch_related("participants", "criteria_confirmed", "poa__eligibility_criteria", "poa__participants")
            .get())


def cp_documents(cp):
    from ..models import Document

    return (Document.objects.filter(activity_id=cp.poa_id, title=cp.reference)
            .prefetch_related("versions").order_by("kind"))


def dashboard_queue(user):
    """PoAs and CPs waiting for this person (pacm.engine.offers.waiting_q of their machines)."""
    from .machines import COMPONENT, POA

    poas = (Programme.objects.filter(waiting_q(user, POA)).filter(pk__in=poas_visible_to(user).values("pk"))
            .select_related("host_party").order_by("due_at", "pk"))
    cps = (ComponentProject.objects.filter(waiting_q(user, COMPONENT)).select_related("poa", "host__party")
           .order_by("due_at", "pk"))
    return poas, cps



def poa_batches(poa):
    """The PoA's monitoring periods, each a batch of CPs (PROC-AC-003 v03.0 para 219), newest first, with
    their CP lines (one prefetch): paged by the page (index (activity, number))."""
    from django.db.models import Prefetch

    from ..models import MonitoringPeriod
    from .models import ComponentClaim

    lines = ComponentClaim.objects.select_related("component").order_by("component__number", "vintage")
    return (MonitoringPeriod.objects.filter(activity_id=poa.pk).prefetch_related(Prefetch("cp_claims", queryset=lines))
            .order_by("-number"))


def cp_liability(cp):
    """The validating DOE's liability for this CP (para 139), or None."""
    from .models import InclusionLiability

    return InclusionLiability.objects.filter(component=cp).select_related("doe", "settlement").first()


def cp_exclusion(cp):
    """The SB's exclusion of an erroneously included CP (paras 132(b), 137) as its event records it:
    {"at", "by", "doe_at_fault", "units"}, or None. Para 139: whether the SB found the validating DOE
    at fault (a finding of the Board panel's decision, projects.board.subjects.FINDINGS)."""
    from pacm.events.models import Event

    from .events import CP_TRANSITIONED

    if cp.state != C.EXCLUDED_ERRONEOUS:
        return None
    event = (Event.objects.filter(stream=cp.poa.stream, kind=CP_TRANSITIONED, payload__component=cp.reference,
                                  payload__transition="exclude_erroneous").order_by("-sequence").first())
    if event is None:
        return None
    return {"at": event.created_at, "by": event.actor_label, "doe_at_fault": bool(event.payload.get("doe_at_fault")),
            "units": event.payload.get("liability_units")}
