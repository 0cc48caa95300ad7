"""The other subjects of `/api/v1/` (pacm issue 9): PoAs, component projects and CDM transition
requests, each with `GET .../actions` and `POST .../actions/{name}` (pacm.api.actions). Lookups go
through their apps' selectors, the same visibility as their web pages."""
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Path as PathParam
from ninja import Router

from pacm.api.actions import action_take, offers_out
from pacm.api.api import ERRORS, api
from pacm.api.auth import SIGNED_IN
from pacm.api.schemas import ActionIn, ActionOut, OffersOut

from .poa import selectors as poa_selectors
from .poa.models import ComponentProject, Programme
from .transition import selectors as transition_selectors
from .transition.models import TransitionRequest

router = Router(tags=["programmes and transitions"])
REF = PathParam(..., max_length=40, pattern=r"^[A-Za-z0-9-]+$")
NAME = PathParam(..., max_length=60, pattern=r"^[a-z_]+$")
PK = PathParam(..., ge=1, le=2**63 - 1)


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


POA_SUBJECT = _subject("poa", lambda o: o.reference)
CP_SUBJECT = _subject("component", lambda o: o.reference)
TRANSITION_SUBJECT = _subject("transition", lambda o: o.pk)


@router.get("/poas/{reference}/actions", response={200: OffersOut, **ERRORS}, summary="What you may do on this PoA now")
def poa_actions(request, reference: str = REF):
    return offers_out(request.auth.user, _poa(request.auth.user, reference))


@router.post("/poas/{reference}/actions/{name}", response={200: ActionOut, **ERRORS}, auth=SIGNED_IN,
             summary="Take a write on the PoA")
def poa_act(request, body: ActionIn, reference: str = REF, name: str = NAME):
    return action_take(user=request.auth.user, subject=_poa(request.auth.user, reference), name=name, body=body,
                       describe=POA_SUBJECT)


@router.get("/cps/{reference}/actions", response={200: OffersOut, **ERRORS},
            summary="What you may do on this component project now")
def cp_actions(request, reference: str = REF):
    return offers_out(request.auth.user, _cp(request.auth.user, reference))


@router.post("/cps/{reference}/actions/{name}", response={200: ActionOut, **ERRORS}, auth=SIGNED_IN,
             summary="Take a write on the component project")
def cp_act(request, body: ActionIn, reference: str = REF, name: str = NAME):
    return action_take(user=request.auth.user, subject=_cp(request.auth.user, reference), name=name, body=body,
                       describe=CP_SUBJECT)


@router.get("/transitions/{pk}/actions", response={200: OffersOut, **ERRORS},
            summary="What you may do on this CDM transition request now")
def transition_actions(request, pk: int = PK):
    return offers_out(request.auth.user, _transition(request.auth.user, pk))


@router.post("/transitions/{pk}/actions/{name}", response={200: ActionOut, **ERRORS}, auth=SIGNED_IN,
             summary="Take a write on the CDM transition request")
def transition_act(request, body: ActionIn, pk: int = PK, name: str = NAME):
    return action_take(user=request.auth.user, subject=_transition(request.auth.user, pk), name=name, body=body,
                       describe=TRANSITION_SUBJECT)


api.add_router("", router)
