"""The other subjects of `/api/v1/` (pacm issue 9): PoAs, component projects and CDM transition
requests, each with `GET .../actions` and `POST .../actions/{name}` (pacm.api.actions). Lookups go
through their apps' selectors, the same visibility as their web pages."""
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Path as PathParam
from ninja import Router

from pacm.api.actions import subject_routes
from pacm.api.api import api

from .poa import selectors as poa_selectors
from .poa.models import ComponentProject, Programme
from .transition import selectors as transition_selectors
from .transition.models import TransitionRequest

router = Router(tags=["programmes and transitions"])


def _ref():
    return PathParam(..., max_length=40, pattern=r"^[A-Za-z0-9-]+$")


def _poa(user, reference):
    try:
        return poa_selectors.poa_page_get(user=user, reference=reference)
    except Programme.DoesNotExist:
        raise Http404(_("There is no programme with this reference that you may see.")) from None


def _cp(user, reference):
    try:
        return poa_selectors.cp_page_get(user=user, reference=reference)
    except ComponentProject.DoesNotExist:
        raise Http404(_("There is no component project with this reference that you may see.")) from None


def _transition(user, pk):
    try:
        return transition_selectors.transition_request_page_get(user=user, pk=pk)
    except TransitionRequest.DoesNotExist:
        raise Http404(_("There is no transition request with this number that you may see.")) from None


def _subject(kind, reference):
    return lambda obj: {"kind": kind, "reference": str(reference(obj)), "state": obj.state}


subject_routes(router, kind="poa", path="/poas/{reference}", params=[("reference", str, _ref())], lookup=_poa,
               describe=_subject("poa", lambda o: o.reference), what="this programme of activities")
subject_routes(router, kind="cp", path="/cps/{reference}", params=[("reference", str, _ref())], lookup=_cp,
               describe=_subject("component", lambda o: o.reference), what="this component project")
subject_routes(router, kind="transition", path="/transitions/{pk}",
               params=[("pk", int, PathParam(..., ge=1, le=2**63 - 1))], lookup=_transition,
               describe=_subject("transition", lambda o: o.pk), what="this CDM transition request")

api.add_router("", router)
