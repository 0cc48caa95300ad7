"""Generate the documents a dispatch missed (a broker away, records older than this app), a batch a pass."""
import logging

from django.db.models import Exists, OuterRef

from pacm.common.errors import ServiceError
from pacm.registry.models import LedgerTransaction
from projects.models import Activity, AuthorizationStatement, HostApproval, IssuanceRequest
from projects.poa.models import ComponentProject

from .kinds import REGISTERED_STATES, USE_KINDS
from .models import DocumentKind, IssuedDocument
from .services import certificate_issue

log = logging.getLogger(__name__)
BATCH = 100


def _without(kind, queryset, batch):
    has = IssuedDocument.objects.filter(kind=kind, subject_id=OuterRef("pk"))
    return [(kind, pk) for pk in queryset.filter(~Exists(has)).order_by("pk").values_list("pk", flat=True)[:batch]]


def documents_missing(*, batch=BATCH):
    """(kind, subject id) of records that call for a document and have none, at most `batch` of each kind."""
    K = DocumentKind
    return [
        *_without(K.REGISTRATION, Activity._base_manager.filter(state__in=REGISTERED_STATES), batch),  # PoAs too
        *_without(K.ISSUANCE, IssuanceRequest.objects.filter(issued_at__isnull=False), batch),
        *_without(K.USE, LedgerTransaction.objects.filter(kind__in=sorted(USE_KINDS)), batch),
        *_without(K.HOST_APPROVAL, HostApproval.objects.all(), batch),
        *_without(K.AUTHORIZATION, AuthorizationStatement.objects.all(), batch),
        *_without(K.CP_INCLUSION, ComponentProject.objects.filter(included_at__isnull=False), batch),
    ]


def certificates_sweep(*, batch=BATCH):
    """The documents generated in this pass (idempotent: one already there is left as it is)."""
    done = []
    for kind, subject_id in documents_missing(batch=batch):
        try:
            doc, created = certificate_issue(kind=kind, subject_id=subject_id)
        except ServiceError as error:
            log.warning("no %s document for %s: %s", kind, subject_id, error)
            continue
        if created:
            done.append(doc)
    return done
