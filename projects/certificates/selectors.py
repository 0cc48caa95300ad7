"""Reads: a document by its subject or by its code or fingerprint, who may open it, what it attests."""
import hashlib
import re

from pacm.common import bounds
from projects.selectors import activities_visible_to

from .kinds import kind_of
from .models import IssuedDocument

SHA256 = re.compile(r"^[0-9a-f]{64}$")
CODE = re.compile(r"^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$")


def document_of(kind, subject_id):
    if kind_of(kind) is None or not bounds.id_ok(subject_id):
        return None
    return IssuedDocument.objects.select_related("activity").filter(kind=kind, subject_id=subject_id).first()


def document_find(code):
    """By the code printed on it (dashes and case optional) or by its SHA-256; None for anything else."""
    value = (code or "").strip()
    if SHA256.match(value.lower()):
        return IssuedDocument.objects.select_related("activity").filter(sha256=value.lower()).first()
    compact = value.upper().replace("-", "")
    if len(compact) != 16:
        return None
    grouped = "-".join(compact[i:i + 4] for i in range(0, 16, 4))
    if not CODE.match(grouped):
        return None
    return IssuedDocument.objects.select_related("activity").filter(code=grouped).first()


def document_visible(user, doc):
    """Public kinds to anyone; the host's letter and statement to whoever sees the activity."""
    if doc is None:
        return False
    if kind_of(doc.kind).public:
        return True
    return doc.activity_id is not None and activities_visible_to(user).filter(pk=doc.activity_id).exists()


def stored_matches(doc):
    """Whether the stored bytes still hash to the recorded SHA-256 (None: the file is missing)."""
    digest = hashlib.sha256()
    try:
        with doc.file.open("rb") as handle:
            for chunk in iter(lambda: handle.read(65536), b""):
                digest.update(chunk)
    except (FileNotFoundError, OSError):
        return None
    return digest.hexdigest() == doc.sha256


def attestation_public(doc):
    """What the verification page shows: all the document attests when it is public (to anyone), else
    only its kind and date (the page is public; the letter's content is the activity page's to show)."""
    spec = kind_of(doc.kind)
    subject = spec.load(doc.subject_id)
    if subject is None:
        return None
    attestation = spec.attest(subject)
    if not document_visible(None, doc):
        attestation.facts, attestation.ranges, attestation.ranges_more = [], [], 0
        attestation.heading = attestation.statement = ""
    return attestation
