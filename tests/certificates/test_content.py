"""What each document says, read back from the stored PDF's text and from the HTML it is made of (pacm issue 9)."""
import datetime

from django.utils.formats import date_format

from pacm.registry.models import Account, AccountKind, LedgerEntry, TransactionKind
from pacm.registry.serials import serial_format
from projects.certificates.kinds import KINDS
from projects.certificates.render import html_render
from projects.certificates.services import code_for
from projects.models import AuthorizationStatement, HostApproval

from .conftest import CHINESE_BENEFICIARY, K, doc, pdf_text, stored


def _text(kind, subject_id):
    document = doc(kind, subject_id)
    return document, pdf_text(stored(document))


def test_the_registration_certificate_names_the_activity_as_registered(world, registered):
    document, text = _text(K.REGISTRATION, registered.pk)
    assert "Certificate of registration" in text
    for fact in (registered.reference, registered.title, "Ghana", "Kpone Green Energy", "A6.4-AMM-001 v1.0",
                 "Terra Verification", document.code):
        assert fact in text, fact
    # The date printed is the registration's, the time the document records as attested.
    assert f"Registered on {date_format(document.attested_at, 'DATE_FORMAT')}" in text  # pacm/formats/en
    assert document.activity_id == registered.pk


def test_the_issuance_statement_has_the_split_and_the_serial_ranges_issued(world, issued):
    request = issued.issuance
    document, text = _text(K.ISSUANCE, request.pk)
    assert "Issuance statement" in text and f"{issued.activity.reference} MP1" in text
    assert f"Units issued {request.gross:,}" in text
    assert f"Forwarded to the participants {request.net:,}" in text
    assert (request.gross, request.share_of_proceeds, request.omge, request.net) == (30_000, 1_500, 600, 27_900)
    issued_ranges = LedgerEntry.objects.filter(transaction__issuance=request, transaction__kind=TransactionKind.ISSUANCE)
    assert issued_ranges.count() == 1
    assert serial_format(issued_ranges.select_related("block__activity", "block__host_party").get()) in text
    assert document.attested_at == request.issued_at


def test_the_cancellation_certificate_has_purpose_beneficiary_and_serial_ranges(world, cancelled):
    document, text = _text(K.USE, cancelled.pk)
    assert "Cancellation certificate" in text
    assert "Purpose Voluntary claim for the 2026 fleet" in text
    assert f"Beneficiary {CHINESE_BENEFICIARY}" in text
    entry = LedgerEntry.objects.select_related("block__activity", "block__host_party").get(transaction=cancelled)
    assert serial_format(entry) in text and "1,200" in text
    # The public certificate names no holder's account number.
    assert world.acct.number not in text


def test_a_retirement_for_ndc_use_gets_a_retirement_certificate_naming_the_party(world, issued,
                                                                               django_capture_on_commit_callbacks):
    from pacm.registry.services import units_use

    Account.objects.create(number="PACM-R-GH", kind=AccountKind.RETIREMENT, name="Ghana retirement", party=world.host)
    with django_capture_on_commit_callbacks(execute=True):
        row = units_use(user=world.ama, from_account=world.acct, quantity=500, purpose="NDC 2030 target",
                        beneficiary="Republic of Ghana", use="retirement", party=world.host)
    document, text = _text(K.USE, row.pk)
    assert "Retirement certificate" in text
    assert "Retirement (NDC use)" in text and "the retirement account of Ghana" in text
    assert "Purpose NDC 2030 target" in text and "Beneficiary Republic of Ghana" in text


def test_the_host_letter_and_statement_print_the_versions_as_issued(world, registered):
    approval = HostApproval.objects.get(activity=registered, version=1)
    _, text = _text(K.HOST_APPROVAL, approval.pk)
    assert "Letter of approval" in text and "Ghana EPA (DNA)" in text
    assert "Fosters SD." in text and "Within NDC scope." in text and "Kpone Green Energy" in text
    statement = AuthorizationStatement.objects.get(activity=registered, version=1)
    _, text = _text(K.AUTHORIZATION, statement.pk)
    assert "Statement of authorization" in text and "Authorized for use towards NDCs" in text
    assert "Effective from 1 Jan 2021" in text  # the English date format (pacm/formats/en)


def test_a_new_version_of_the_approval_gets_its_own_letter(world, registered, django_capture_on_commit_callbacks):
    from projects import services

    with django_capture_on_commit_callbacks(execute=True):
        services.authorization_statement_issue(activity=registered, user=world.dina, uses="both",
                                               first_transfer="authorization", quantity_cap=5_000,
                                               effective_from=datetime.date(2027, 1, 1), change_terms="Adds OIMP.")
    v2 = AuthorizationStatement.objects.get(activity=registered, version=2)
    _, text = _text(K.AUTHORIZATION, v2.pk)
    assert "Version 2" in text and "Quantity authorized 5,000" in text and "Adds OIMP." in text
    assert "Authorized for NDCs and other international mitigation purposes" in text
    v1 = AuthorizationStatement.objects.get(activity=registered, version=1)
    assert doc(K.AUTHORIZATION, v1.pk).sha256 != doc(K.AUTHORIZATION, v2.pk).sha256


def test_the_html_carries_the_qr_code_and_the_fixed_dates_and_nothing_fetched(world, cancelled):
    document = doc(K.USE, cancelled.pk)
    attestation = KINDS[K.USE].attest(KINDS[K.USE].load(cancelled.pk))
    html = html_render(attestation=attestation, code=document.code)
    assert f"/verify/{document.code}/" in html
    assert 'src="data:image/svg+xml;base64,' in html
    assert f'name="dcterms.created" content="{cancelled.created_at:%Y-%m-%dT%H:%M:%SZ}"' in html
    assert "http" not in html.replace(f"http://localhost:8000/verify/{document.code}/", "")
    assert code_for(K.USE, cancelled.pk) == document.code


def test_a_long_list_of_ranges_is_cut_and_counted(world, issued, monkeypatch):
    from projects.certificates import kinds

    monkeypatch.setattr(kinds, "RANGES_MAX", 0)
    attestation = KINDS[K.ISSUANCE].attest(KINDS[K.ISSUANCE].load(issued.issuance.pk))
    assert (attestation.ranges, attestation.ranges_more) == ([], 1)
    html = html_render(attestation=attestation, code="AAAA-BBBB-CCCC-DDDD")
    assert "and 1 more serial range, listed in the registry" in html
