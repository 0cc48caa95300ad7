"""The one write of this app: generate a document once and keep its bytes (pacm issue 9).

Run by the registry itself (the task dispatched when the record it attests commits, or the sweep),
never by a person: there is no user and no form. Idempotent: a second call, a redelivered task or
two workers at once end with one row and one file (the unique (kind, subject) row decides; the
document's bytes are the same for the same record, render.py).
"""
import base64
import hashlib
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from pacm.common.errors import ServiceError
from pacm.common.uploads import discard_on_rollback

from .kinds import kind_of
from .models import IssuedDocument
from .render import pdf_render

log = logging.getLogger(__name__)


def code_for(kind, subject_id):
    """The document's code, printed on it and in its QR code: fixed by what it attests (so a re-render
    gives the same bytes), 80 bits of a keyed digest, grouped for reading aloud."""
    digest = salted_hmac("pacm.certificates.code", f"{kind}:{subject_id}", algorithm="sha256").digest()
    text = base64.b32encode(digest).decode()[:16]
    return "-".join(text[i:i + 4] for i in range(0, 16, 4))


def certificate_render(*, kind, subject_id, code=None, language=None):
    """(attestation, PDF bytes) for the record, or a ServiceError when it calls for no document.

    In `language` (pacm issue 9; the site's default when None, the registry's copy): the attestation's
    labels and dates and the template's text all come from that language's catalog and formats."""
    language = language or settings.LANGUAGE_CODE
    with translation.override(language):
        return _render(kind=kind, subject_id=subject_id, code=code, language=language)


def _render(*, kind, subject_id, code, language):
    spec = kind_of(kind)
    if spec is None:
        params = {"kind": str(kind)[:40]}
        raise ServiceError(_("There is no kind of document called %(kind)s.") % params, code="certificate_kind_unknown",
                           params=params)
    subject = spec.load(subject_id)
    if subject is None:
        params = {"kind": kind, "subject": subject_id}
        raise ServiceError(_("Record %(subject)s calls for no %(kind)s document (yet).") % params,
                           code="certificate_subject_none", params=params)
    attestation = spec.attest(subject)
    return attestation, pdf_render(attestation=attestation, code=code or code_for(kind, subject_id), language=language)


def certificate_issue(*, kind, subject_id):
    """The document of this record: (row, created). Generates and stores it the first time only."""
    existing = IssuedDocument.objects.filter(kind=kind, subject_id=subject_id).first()
    if existing is not None:
        return existing, False
    code = code_for(kind, subject_id)
    attestation, data = certificate_render(kind=kind, subject_id=subject_id, code=code)
    doc = IssuedDocument(kind=kind, subject_id=subject_id, activity=attestation.activity, code=code,
                         sha256=hashlib.sha256(data).hexdigest(), size=len(data), attested_at=attestation.attested_at)
    try:
        with transaction.atomic():
            doc.file.save("document.pdf", ContentFile(data), save=False)
            discard_on_rollback(doc.file)  # a lost race deletes its copy; the winner's stays
            doc.save()
    except IntegrityError:
        return IssuedDocument.objects.get(kind=kind, subject_id=subject_id), False
    log.info("issued %s %s for %s %s", kind, code, kind, subject_id)
    return doc, True
