"""The PDF of a document, and the public verification page its QR code opens."""
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import selectors
from .kinds import kind_of


@require_GET
def certificate_pdf(request, kind, subject_id):
    """The stored bytes, exactly: their SHA-256 is the one recorded (and shown on the verification page)."""
    doc = selectors.document_of(kind, subject_id)
    if doc is None or not selectors.document_visible(request.user, doc):
        raise Http404("There is no such document that you may see (it may not be generated yet).")
    try:
        handle = doc.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("The file of this document is missing from storage.") from None
    return FileResponse(handle, content_type="application/pdf", filename=f"{doc.kind}-{doc.code}.pdf")


@require_GET
def certificate_verify(request, code):
    """Public: whether a document with this code or SHA-256 was issued, and what it attests (public facts)."""
    doc = selectors.document_find(code[:80])
    attestation = selectors.attestation_public(doc) if doc is not None else None
    if attestation is None:
        return render(request, "certificates/verify.html", {"valid": False, "asked": code[:80]}, status=404)
    by_hash = doc.sha256 == code.strip().lower()
    return render(request, "certificates/verify.html", {
        "valid": True, "doc": doc, "a": attestation, "by_hash": by_hash, "kind_label": kind_of(doc.kind),
        "stored_ok": selectors.stored_matches(doc), "public": selectors.document_visible(None, doc),
        "may_open": selectors.document_visible(request.user, doc),
    })
