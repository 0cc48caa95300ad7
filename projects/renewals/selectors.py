"""Reads of renewals for the pages (deny by default, bounded, no N+1)."""
from django.db.models import Q

from pacm.engine.offers import waiting_q
from pacm.parties.roles import tie_q

from . import periods
from .cycle import CPRenewalState, RenewalState
from .machine import MACHINES
from .models import RenewalRequest

# PROC-AC-002 para 81 (section 5.1.2, mutatis mutandis): a request is published once it passes
# the checks; a CP's renewal is displayed once renewed (PROC-AC-003 para 302).
PUBLISHED = (RenewalState.REVIEW_WINDOW, RenewalState.UNDER_REVIEW, RenewalState.APPROVED, RenewalState.RENEWED,
             RenewalState.REJECTED, CPRenewalState.RENEWED, CPRenewalState.UNDER_REVIEW, CPRenewalState.REVERSED)
PAGE = 20


def _related(qs):
    return qs.select_related("activity", "poa", "component", "validation_doe", "fee", "design_version",
                             "report_version")


def renewal_page_get(*, user, pk):
    """The renewal as its own kind (project, PoA or CP), if this user may see it; None otherwise."""
    kind = RenewalRequest._base_manager.filter(pk=pk).values_list("kind", flat=True).first()
    if kind is None:
        return None
    model = periods.MODELS[kind]
    return _related(model.objects.filter(Q(state__in=PUBLISHED) | tie_q(user, model))).filter(pk=pk).first()


def subject_renewals(subject):
    """The subject's renewals, newest first (a page at most)."""
    return list(_related(periods.renewals_of(subject)).order_by("-number")[:PAGE])


def renewals_waiting(user, kinds=None):
    """Renewals on which a declared write waits for this user (the dashboard's queue): one query
    over the table, each kind with its own machine's declarations (waiting_q); the page orders it."""
    if user is None or not user.is_authenticated:
        return RenewalRequest.objects.none()
    from pacm.parties.roles import user_kinds

    # `kinds`: the user's organisation kinds when the page already read them (the dashboard).
    kinds, q = (user_kinds(user) if kinds is None else kinds), Q(pk__in=[])
    for machine in MACHINES:
        q |= Q(kind=machine.model.objects.kind) & waiting_q(user, machine, kinds=kinds)
    return _related(RenewalRequest._base_manager.filter(q))


def approved_after_expiry(renewal):
    """PROC-AC-002 para 234: the SB approved the renewal after the period had expired (renewal-16)."""
    from pacm.events.models import Event

    from .events import TRANSITIONED

    return Event.objects.filter(stream=renewal.owner_row.stream, kind=TRANSITIONED, payload__renewal=renewal.number,
                                payload__renewal_kind=renewal.kind, payload__approved_after_expiry=True).exists()
