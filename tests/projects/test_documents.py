"""Documents: immutable, hashed versions; only PDF or office files within the size limit; and
only the role that owns a kind of document may upload it (rules.md §2.3 "Documents / data")."""
import hashlib
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pacm.common.errors import Refused, ServiceError
from pacm.events.models import Event, EventKind
from projects import services
from projects.cycle import ActivityState as A
from projects.models import Document, DocumentVersion

from .. import factories as f
from .support import PERSONAS


def _upload(world, activity, persona="ama", kind="pdd", uploaded=None):
    return services.document_upload(activity=activity, user=world.people[persona], kind=kind,
                                    uploaded=uploaded or f.pdf("pdd.pdf"))


def _stored_files(settings):
    root = settings.MEDIA_ROOT
    return sorted(os.path.join(d, n) for d, _, names in os.walk(root) for n in names) if os.path.exists(root) else []


def test_upload_stores_the_file_its_hash_and_an_event(world, activity):
    content = f.pdf_bytes(payload=os.urandom(300_000))  # several read chunks
    version = _upload(world, activity, uploaded=f.pdf("My PDD.pdf", content=content))
    version = DocumentVersion.objects.get(pk=version.pk)
    assert version.sha256 == hashlib.sha256(content).hexdigest()
    assert version.number == 1 and version.size == len(content)
    assert version.content_type == "application/pdf" and version.original_name == "My PDD.pdf"
    assert version.uploaded_by == world.ama and version.organisation == world.orgs["dev"]
    with version.file.open("rb") as fh:
        assert fh.read() == content
    event = Event.objects.filter(stream=activity.stream).order_by("-sequence").first()
    assert event.kind == EventKind.DOCUMENT_UPLOADED and event.actor == world.ama
    assert event.payload == {"document": "pdd", "version": 1, "sha256": version.sha256, "name": "My PDD.pdf",
                             "size": len(content), "monitoring_period": None}


def test_new_upload_adds_a_version_and_keeps_the_old_one(world, activity):
    first = f.pdf_bytes("first draft")
    second = f.pdf_bytes("second draft")
    v1 = _upload(world, activity, uploaded=f.pdf("pdd.pdf", content=first))
    v2 = _upload(world, activity, uploaded=f.pdf("pdd.pdf", content=second))
    assert (v1.document_id, v1.number, v2.number) == (v2.document_id, 1, 2)
    assert Document.objects.filter(activity=activity, kind="pdd").count() == 1
    v1 = DocumentVersion.objects.get(pk=v1.pk)
    assert v1.sha256 == hashlib.sha256(first).hexdigest()
    with v1.file.open("rb") as fh:
        assert fh.read() == first
    assert v1.file.name != v2.file.name
    assert Document.objects.get(pk=v1.document_id).latest.pk == v2.pk


def test_the_same_content_uploaded_twice_is_two_versions(world, activity):
    v1 = _upload(world, activity)
    v2 = _upload(world, activity)
    assert (v1.number, v2.number) == (1, 2) and v1.sha256 == v2.sha256
    with DocumentVersion.objects.get(pk=v1.pk).file.open("rb") as fh:
        assert fh.read() == f.PDF_BYTES


def test_versions_are_immutable(world, activity):
    version = DocumentVersion.objects.get(pk=_upload(world, activity).pk)
    version.original_name = "forged.pdf"
    with pytest.raises(TypeError):
        version.save()
    with pytest.raises(TypeError):
        version.delete()
    assert DocumentVersion.objects.get(pk=version.pk).original_name == "pdd.pdf"


OFFICE = {
    # Real (small) office files: they are checked by their structure (tests/hardening/test_uploads.py).
    "docx": f.docx_bytes(),
    "xlsx": f.xlsx_bytes(),
    "odt": f.odt_bytes(),
    "doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40,
    "xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x01" * 40,
}


@pytest.mark.parametrize("ext", sorted(OFFICE))
def test_office_documents_are_accepted(world, activity, ext, settings):
    version = _upload(world, activity, kind="sd_report",
                      uploaded=SimpleUploadedFile(f"report.{ext}", OFFICE[ext]))
    assert version.content_type == settings.PACM_UPLOAD_EXTENSIONS[f".{ext}"]


BAD = {
    "executable": ("setup.exe", b"MZ\x90\x00" + b"\x00" * 60, "Upload a PDF or office document"),
    "text": ("notes.txt", b"plain text", "Upload a PDF or office document"),
    "no-extension": ("pdd", f.PDF_BYTES, "Upload a PDF or office document"),
    "fake-pdf": ("pdd.pdf", b"<html>not a pdf</html>", "does not look like a PDF"),
    "fake-docx": ("pdd.docx", b"%PDF-1.4 renamed", "does not look like an office document"),
    "fake-doc": ("pdd.doc", b"PK\x03\x04 zip, not OLE", "does not look like an office document"),
    "empty": ("pdd.pdf", b"", "The file is empty"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_uploads_are_refused_and_nothing_is_stored(world, activity, settings, case):
    name, content, message = BAD[case]
    counts = (Document.objects.count(), DocumentVersion.objects.count(), Event.objects.count())
    with pytest.raises(ServiceError, match=message) as error:
        _upload(world, activity, uploaded=SimpleUploadedFile(name, content))
    assert not isinstance(error.value, Refused) and error.value.field == "file"
    assert (Document.objects.count(), DocumentVersion.objects.count(), Event.objects.count()) == counts
    assert _stored_files(settings) == []


def test_size_limit(world, activity, settings):
    settings.PACM_MAX_UPLOAD_BYTES = 1000
    at_limit = f.PDF_BYTES + b"0" * (1000 - len(f.PDF_BYTES))
    with pytest.raises(ServiceError, match="larger than"):
        _upload(world, activity, uploaded=f.pdf("big.pdf", content=at_limit + b"0"))
    assert DocumentVersion.objects.count() == 0 and _stored_files(settings) == []
    assert _upload(world, activity, uploaded=f.pdf("ok.pdf", content=at_limit)).size == 1000


def test_path_in_the_file_name_is_dropped(world, activity, settings):
    version = _upload(world, activity, uploaded=f.pdf("../../../etc/pdd.pdf"))
    assert version.original_name == "pdd.pdf"
    stored = os.path.realpath(version.file.path)
    assert stored.startswith(os.path.realpath(settings.MEDIA_ROOT) + os.sep)


# Who uploads which kind of document; written out here, not read from the code under test.
MAY_UPLOAD = {
    "ama": {"pdd", "local_consultation", "sd_report", "monitoring_report", "reversal_evidence", "other",
            "risk_assessment"},  # A6.4-STAN-METH-002 paras 38-41: the participants' risk assessment
    "dora": {"validation_report", "verification_report", "other"},
    "dina": {"host_approval_letter", "authorization_statement"},
}
KINDS = sorted(Document.Kind.values)


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_upload_which_kind(world, activity, advance_to, persona):
    activity = advance_to(activity, A.VALIDATION_CONTRACTED)  # dora is engaged
    allowed = MAY_UPLOAD.get(persona, set())
    for kind in KINDS:
        counts = (DocumentVersion.objects.count(), Event.objects.count())
        assert services.design.can_upload(activity=activity, user=world.people[persona], kind=kind) == (kind in allowed)
        if kind in allowed:
            version = _upload(world, activity, persona=persona, kind=kind)
            assert version.document.kind == kind
        else:
            with pytest.raises(Refused):
                _upload(world, activity, persona=persona, kind=kind)
            assert (DocumentVersion.objects.count(), Event.objects.count()) == counts


def test_unknown_kind_is_a_clear_error(world, activity):
    with pytest.raises(ServiceError, match="kind of document") as error:
        _upload(world, activity, kind="selfie")
    assert error.value.field == "kind" and not isinstance(error.value, Refused)
    assert DocumentVersion.objects.count() == 0


def test_no_uploads_to_a_closed_activity(world, activity, settings):
    services.activity_withdraw(activity=activity, user=world.ama, comment="Abandoned.")
    counts = (Document.objects.count(), DocumentVersion.objects.count(), Event.objects.count())
    with pytest.raises(Refused, match="closed"):
        _upload(world, activity)
    assert (Document.objects.count(), DocumentVersion.objects.count(), Event.objects.count()) == counts
    assert _stored_files(settings) == []
