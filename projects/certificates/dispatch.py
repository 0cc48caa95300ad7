"""Generate a document when the record it attests commits: one receiver on the event log.

Every record a document attests is written with a typed event in the same transaction (the
registration's transition, issuance.executed, the use's registry.units_moved, the host's
approval and statement). This receiver maps such an event to (kind, subject) and sends the
generating task on commit: nothing is sent for a transaction that rolls back, and no service of
the cycle or of the registry (the lower layer, which may not import this app) needed a change.
A dispatch that fails (the broker is away) is logged, never raised at the committed write; the
sweep (tasks.certificates_sweep) generates what is missing.
"""
import logging

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_save

from pacm.events.models import Event, EventKind

from .models import DocumentKind

log = logging.getLogger(__name__)


def subject_of(event):
    """(kind, subject id) of the document this event calls for, or None."""
    from projects.cycle import ActivityState

    from .kinds import USE_KINDS

    kind, payload = event.kind, event.payload or {}
    if kind in (EventKind.ACTIVITY_TRANSITIONED, POA_TRANSITIONED) and event.to_state == ActivityState.REGISTERED:
        return DocumentKind.REGISTRATION, event.activity_id
    if kind == CP_TRANSITIONED and event.to_state == CP_INCLUDED:
        from projects.poa.models import ComponentProject

        pk = ComponentProject.objects.filter(reference=payload.get("component")).values_list("pk", flat=True).first()
        return (DocumentKind.CP_INCLUSION, pk) if pk else None
    if kind == EventKind.UNITS_MOVED and payload.get("kind") in USE_KINDS:
        return DocumentKind.USE, payload["transaction"]
    if kind == EventKind.ISSUANCE_EXECUTED:
        from projects.models import IssuanceRequest

        pk = IssuanceRequest.objects.filter(period__activity_id=event.activity_id,
                                            period__number=payload.get("monitoring_period")).values_list("pk", flat=True)
        return (DocumentKind.ISSUANCE, pk.first()) if pk else None
    if kind in (EventKind.HOST_APPROVAL_ISSUED, EventKind.AUTHORIZATION_ISSUED):
        from projects.models import AuthorizationStatement, HostApproval

        model = HostApproval if kind == EventKind.HOST_APPROVAL_ISSUED else AuthorizationStatement
        pk = model.objects.filter(activity_id=event.activity_id, version=payload.get("version")).values_list("pk",
                                                                                                            flat=True)
        doc_kind = DocumentKind.HOST_APPROVAL if model is HostApproval else DocumentKind.AUTHORIZATION
        return (doc_kind, pk.first()) if pk else None
    return None


# The PoA's and the CP's transitions (projects.poa.events; pacm issue 9: the PoA's registration
# certificate and the CP's inclusion certificate), named here so the lower layer imports nothing.
POA_TRANSITIONED, CP_TRANSITIONED, CP_INCLUDED = "poa.transitioned", "cp.transitioned", "included"

WATCHED = frozenset({EventKind.ACTIVITY_TRANSITIONED, EventKind.UNITS_MOVED, EventKind.ISSUANCE_EXECUTED,
                     EventKind.HOST_APPROVAL_ISSUED, EventKind.AUTHORIZATION_ISSUED, POA_TRANSITIONED,
                     CP_TRANSITIONED})


def calls_for_document(event):
    """Whether the event may call for a document, read from the row alone (no query on the write path)."""
    from projects.cycle import ActivityState

    from .kinds import USE_KINDS

    if event.kind in (EventKind.ACTIVITY_TRANSITIONED, POA_TRANSITIONED):
        return event.to_state == ActivityState.REGISTERED
    if event.kind == CP_TRANSITIONED:
        return event.to_state == CP_INCLUDED
    if event.kind == EventKind.UNITS_MOVED:
        return (event.payload or {}).get("kind") in USE_KINDS
    return event.kind in WATCHED


def _send(event_id):
    from .tasks import certificate_for_event

    try:
        certificate_for_event.delay(event_id)
    except Exception:  # eager in development and tests: a render that fails is logged, the write stands
        log.exception("could not generate the document of event %s; the sweep will", event_id)


def on_event_saved(sender, instance, created, **kwargs):
    if not settings.PACM_CERTIFICATES_ON_COMMIT:
        return
    if created and calls_for_document(instance):
        event_id = instance.pk
        transaction.on_commit(lambda: _send(event_id), robust=True)


def connect():
    post_save.connect(on_event_saved, sender=Event, dispatch_uid="certificates.on_event_saved")
