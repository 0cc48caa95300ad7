"""Builders for test data. Each returns saved rows with sensible defaults; override by keyword."""
import datetime
import io

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from methodologies.models import Methodology, MethodologyVersion, SectoralScope
from pacm.common.uploads import sample_pdf
from pacm.parties.models import DOEAccreditation, Membership, Organisation, Party, PartyStatus

# A real (small) PDF: uploads are checked by their structure (pacm.common.uploads).
PDF_BYTES = sample_pdf()


def pdf_bytes(note="", payload=b""):
    """A valid PDF whose bytes differ by `note` (and `payload`, stored in a stream)."""
    return sample_pdf(note, payload=payload)


def party(iso2="GH", name="Ghana", *, ldc=False, sids=False, **kw):
    defaults = dict(
        name=name, dna_designated=True, has_ndc=True, sd_contribution_published=True, activity_types_published=True
    )
    defaults.update(kw)
    p, _ = Party.objects.update_or_create(iso2=iso2, defaults=defaults)
    if ldc:
        PartyStatus.objects.create(party=p, kind=PartyStatus.Kind.LDC, valid_from=datetime.date(1990, 1, 1))
    if sids:
        PartyStatus.objects.create(party=p, kind=PartyStatus.Kind.SIDS, valid_from=datetime.date(1990, 1, 1))
    return p


def organisation(name, kind, *, party=None, **kw):
    org, _ = Organisation.objects.get_or_create(name=name, defaults=dict(kind=kind, party=party, **kw))
    return org


def user(username, *orgs, email=None):
    u = get_user_model().objects.create_user(username=username, password="pacm-test-pw", email=email or f"{username}@example.org")
    for org in orgs:
        Membership.objects.create(user=u, organisation=org)
    return u


def scope(number=13):
    return SectoralScope.objects.get(number=number)


def methodology_version(code="A6.4-AMM-001", *, kind="reductions", scope_number=13, status="approved",
                        valid_from=datetime.date(2021, 1, 1), valid_to=None, version="1.0", reversal_risk=False):
    m, _ = Methodology.objects.get_or_create(code=code, defaults={"title": f"{code} methodology", "kind": kind,
                                                                  "reversal_risk": reversal_risk})
    m.sectoral_scopes.add(scope(scope_number))
    v, created = MethodologyVersion.objects.get_or_create(
        methodology=m, version=version, defaults=dict(status=status, valid_from=valid_from, valid_to=valid_to)
    )
    if not created:
        v.status, v.valid_from, v.valid_to = status, valid_from, valid_to
        v.save()
    return v


def accredit(doe, scope_number=13, valid_from=datetime.date(2020, 1, 1), valid_to=None):
    return DOEAccreditation.objects.create(
        organisation=doe, sectoral_scope=scope(scope_number), valid_from=valid_from, valid_to=valid_to
    )


def pdf(name="document.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def pdd_data(host, version=None, **overrides):
    version = version or methodology_version()
    today = datetime.date.today()
    data = dict(
        title="Accra landfill gas flaring",
        host_party=host,
        methodology_version=version,
        sectoral_scope=version.methodology.sectoral_scopes.first(),
        location="Kpone, Greater Accra",
        start_date=today - datetime.timedelta(days=30),
        crediting_type="renewable",
        crediting_start=today - datetime.timedelta(days=30),
        crediting_end=today - datetime.timedelta(days=31) + datetime.timedelta(days=5 * 365),
        estimated_annual=40_000,
        description="Capture and flaring of landfill gas at the Kpone engineered landfill.",
    )
    data.update(overrides)
    return data


def board_decide(world, subject, transition, comment="Decided by the Supervisory Body.", *, meeting="SBM019",
                 agenda_item="4.2"):
    """The Board adopts `transition` on `subject` (an activity or a monitoring period) at a meeting,
    by consensus, as the secretariat (sam) records it: the transition fires as the Board."""
    from projects.board.services import board_decision_record_meeting

    return board_decision_record_meeting(
        subject=subject, transition=transition, user=world.sam, meeting=meeting, agenda_item=agenda_item,
        outcome="adopted", comment=comment,
    )


__all__ = ["io"]


def zip_bytes(entries):
    """A zip of (name, content) entries in that order; a `mimetype` entry is stored, the rest deflated."""
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries:
            if name == "mimetype":
                archive.writestr(zipfile.ZipInfo(name), content, compress_type=zipfile.ZIP_STORED)
            else:
                archive.writestr(name, content)
    return buffer.getvalue()


CONTENT_TYPES = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'


def docx_bytes(*extra):
    return zip_bytes([("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", "<Relationships/>"),
                      ("word/document.xml", "<w:document/>"), *extra])


def xlsx_bytes(*extra):
    return zip_bytes([("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", "<Relationships/>"),
                      ("xl/workbook.xml", "<workbook/>"), *extra])


def odt_bytes(*extra, mimetype="application/vnd.oasis.opendocument.text"):
    return zip_bytes([("mimetype", mimetype), ("META-INF/manifest.xml", "<manifest/>"), ("content.xml", "<content/>"),
                      *extra])


def issuance_confirm(period, user):
    """pacm issue 9: the participants confirm the DOE's issuance request (OMGE election, distribution)
    before the secretariat's checks start; a request that does not ask for it is left as it is."""
    from projects import services
    from projects.models import IssuanceRequest

    if IssuanceRequest.objects.get(period=period).awaits_confirmation:
        services.period_confirm_issuance_request(period=period, user=user)
