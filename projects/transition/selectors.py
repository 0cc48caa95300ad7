"""Reads of transition requests: who sees which, and what waits for whom."""
from django.db.models import Q

from pacm.engine.offers import waiting_q
from pacm.parties.roles import Role, tie_q

from .machine import TRANSITION_MACHINE
from .models import TransitionRequest

# PROC-AC-001 v06.0 para 15: the public sees a request once it is published; before that its
# participants, the host's DNA, the secretariat and the SB.
SEEN_BEFORE_PUBLICATION = frozenset({Role.PARTICIPANT, Role.DNA, Role.SECRETARIAT, Role.SB})


def transition_requests_visible_to(user):
    published = ~Q(reference="")
    rows = TransitionRequest.objects.select_related("host_party")
    if user is None or not user.is_authenticated:
        return rows.filter(published)
    return rows.filter(published | tie_q(user, TransitionRequest, SEEN_BEFORE_PUBLICATION))


def transition_request_page_get(*, user, pk):
    return transition_requests_visible_to(user).select_related(
        "methodology_version__methodology", "sectoral_scope", "activity", "host_approved_by", "validation_doe",
        "fee_rule_set", "refund").get(pk=pk)


def transition_requests_waiting(user):
    """The requests on which a declared write waits for this user (the dashboard's queue)."""
    if user is None or not user.is_authenticated:
        return TransitionRequest.objects.none()
    return (TransitionRequest.objects.filter(waiting_q(user, TRANSITION_MACHINE)).select_related("host_party")
            .order_by("due_at", "pk"))
