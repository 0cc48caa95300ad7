"""Links to the generated documents from the pages that show what they attest (pacm issue 9).

`{% cp_document cp %}`: a CP's inclusion certificate;
`{% activity_documents activity %}`: the activity's registration certificate, host letters and
authorization statements (one query); `{% issuance_document issuance %}`: the issuance
statement (one query, none before issuance); `t.kind|use_document` on a statement row: whether a
retirement or cancellation certificate belongs to it (no query: the link names the transaction).
"""
from django import template

from ..kinds import USE_KINDS
from ..models import DocumentKind, IssuedDocument

register = template.Library()
ACTIVITY_KINDS = (DocumentKind.REGISTRATION, DocumentKind.HOST_APPROVAL, DocumentKind.AUTHORIZATION)
# An activity has one registration and a few versions of each letter; the card shows the newest.
SHOWN = 20


@register.inclusion_tag("certificates/activity_documents.html")
def activity_documents(activity):
    docs = list(IssuedDocument.objects.filter(activity=activity, kind__in=ACTIVITY_KINDS)
                .order_by("kind", "-subject_id")[:SHOWN])
    return {"docs": docs}


@register.inclusion_tag("certificates/issuance_document.html")
def issuance_document(issuance):
    doc = None
    if issuance is not None and issuance.issued_at is not None:
        doc = IssuedDocument.objects.filter(kind=DocumentKind.ISSUANCE, subject_id=issuance.pk).first()
    return {"doc": doc}


@register.filter
def use_document(kind):
    return kind in USE_KINDS


@register.inclusion_tag("certificates/activity_documents.html")
def cp_document(cp):
    """A component project's inclusion certificate (one query; none before its inclusion)."""
    docs = []
    if cp is not None and cp.included_at is not None:
        docs = list(IssuedDocument.objects.filter(kind=DocumentKind.CP_INCLUSION, subject_id=cp.pk)[:1])
    return {"docs": docs}
