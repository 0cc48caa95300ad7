"""The PDF of a document, and the public verification page its QR code opens."""
from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import selectors
from .kinds import kind_of


def _language(request):
    """The language asked for: ?lang= (one of settings.LANGUAGES), else the reader's (LocaleMiddleware
    and the profile); None for an unknown ?lang=."""
    asked = request.GET.get("lang")
    if asked is None:
        return translation.get_language() or settings.LANGUAGE_CODE
    return asked if asked in dict(settings.LANGUAGES) else None


@require_GET
def certificate_pdf(request, kind, subject_id):
    """The stored bytes, exactly: their SHA-256 is the one recorded (and shown on the verification page).

    In another language than the registry's (pacm issue 9: ?lang=, else the reader's language), a
    copy made now from the same record with the same code, which says it is a translation."""
    doc = selectors.document_of(kind, subject_id)
    if doc is None or not selectors.document_visible(request.user, doc):
        raise Http404(_("There is no such document that you may see (it may not be generated yet)."))
    language = _language(request)
    if language is None:
        raise Http404(_("There is no such language."))
    if language != settings.LANGUAGE_CODE:
        from .services import certificate_render

        _attestation, data = certificate_render(kind=doc.kind, subject_id=doc.subject_id, code=doc.code,
                                                language=language)
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{doc.kind}-{doc.code}-{language}.pdf"'
        response["Content-Language"] = language
        return response
    try:
        handle = doc.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404(_("The file of this document is missing from storage.")) from None
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
        # The fingerprinted copy is the one in the site's language (a link without ?lang= gives the reader's).
        "original_language": settings.LANGUAGE_CODE,
    })
