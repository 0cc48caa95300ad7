"""A PoA's documents (pacm issue 9): the PoA's registration certificate, each CP's inclusion
certificate (A6.4-PROC-AC-003 v03.0 paras 120-124: the PoA, the CP, its host, its own crediting
period, STAN-AC-004 v03.0 para 127), and a batch's issuance statement with each CP's units and
serial ranges (para 220); generated on commit, the SHA-256 recorded, the verification page and
the links on the PoA, CP and batch pages, public once registered, included or issued.

Personas as in tests/poa/issuance_world.py: ama coordinates the PoA, otto includes the CPs,
dora verifies, sam is the secretariat.
"""
import hashlib

import pytest
from django.urls import reverse
from django.utils.formats import date_format

from projects.certificates.models import IssuedDocument
from projects.cycle import PeriodState as P
from projects.poa.cycle import CPState as C
from projects.poa.models import ComponentProject
from tests.poa.conftest import notify_cp, poa  # noqa: F401  (poa: the fixture)
from tests.poa.issuance_world import batch, drive, poa_world_build

from .conftest import K, doc, stored


@pytest.fixture
def pw(world, poa, time_machine, django_capture_on_commit_callbacks):  # noqa: F811
    """The registered two-country PoA with three included CPs, its documents generated on commit."""
    with django_capture_on_commit_callbacks(execute=True):
        return poa_world_build(world, poa, time_machine)


def _verify(client, code):
    response = client.get(reverse("certificate-verify", kwargs={"code": code}))
    assert response.status_code == 200
    return response.content.decode()


def _pdf(client, kind, subject_id):
    return client.get(reverse("certificate-pdf", kwargs={"kind": kind, "subject_id": subject_id}))


def test_the_poa_registration_certificate_is_generated_with_its_hash_and_shown(client, world, pw):
    document = doc(K.REGISTRATION, pw.poa.pk)
    assert document.activity_id == pw.poa.pk
    assert hashlib.sha256(stored(document)).hexdigest() == document.sha256
    page = _verify(client, document.code)
    assert "Valid." in page and "Certificate of registration of a programme of activities" in page
    assert pw.poa.reference in page and "Coordinating and managing entity" in page
    assert world.orgs["dev"].name in page
    assert world.host.name in page and world.other.name in page  # both host Parties
    # Public: anyone opens the PDF, byte for byte the recorded one, from the PoA's page.
    response = _pdf(client, "registration", pw.poa.pk)
    assert response.status_code == 200 and b"".join(response.streaming_content) == stored(document)
    poa_page = client.get(reverse("poa-detail", args=[pw.poa.reference])).content.decode()
    assert reverse("certificate-verify", args=[document.code]) in poa_page


def test_each_included_cp_has_its_inclusion_certificate(client, world, pw):
    ke = pw.cps["ke"]
    document = doc(K.CP_INCLUSION, ke.pk)
    assert document.activity_id == pw.poa.pk
    assert hashlib.sha256(stored(document)).hexdigest() == document.sha256
    assert {d.subject_id for d in IssuedDocument.objects.filter(kind=K.CP_INCLUSION)} == {
        c.pk for c in pw.cps.values()}
    page = _verify(client, document.code)
    assert "Valid." in page and "Certificate of inclusion of a component project" in page
    assert f"{ke.reference} {ke.title}" in page and f"{pw.poa.reference} {pw.poa.title}" in page
    assert world.other.name in page  # its host, Kenya
    assert f"{date_format(ke.crediting_start, 'DATE_FORMAT')} – {date_format(ke.crediting_end, 'DATE_FORMAT')}" in page
    cp_page = client.get(reverse("cp-detail", args=[ke.reference])).content.decode()
    assert reverse("certificate-pdf", args=["cp_inclusion", ke.pk]) in cp_page
    response = _pdf(client, "cp_inclusion", ke.pk)
    assert response.status_code == 200 and b"".join(response.streaming_content) == stored(document)


def test_a_cp_not_included_has_no_certificate_and_no_link(client, world, pw, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        cp = notify_cp(world, pw.poa, iso2="GH", title="Tamale cookstoves", estimated_annual=1_000)
    assert ComponentProject.objects.get(pk=cp.pk).state == C.NOTIFIED
    assert not IssuedDocument.objects.filter(kind=K.CP_INCLUSION, subject_id=cp.pk).exists()
    assert _pdf(client, "cp_inclusion", cp.pk).status_code == 404
    client.force_login(world.ama)
    cp_page = client.get(reverse("cp-detail", args=[cp.reference])).content.decode()
    assert 'id="issued-documents"' not in cp_page


def test_a_batch_issuance_statement_gives_each_cps_units_and_serials(client, world, pw,
                                                                     django_capture_on_commit_callbacks):
    period = drive(world, batch(world, pw, {"gh": {pw.y1: 5_000}, "ke": {pw.y1: 8_000}}), P.ISSUED,
                   django_capture_on_commit_callbacks)
    request = period.issuance
    document = doc(K.ISSUANCE, request.pk)
    assert hashlib.sha256(stored(document)).hexdigest() == document.sha256
    page = _verify(client, document.code)
    assert "Issuance statement" in page
    gh, ke = pw.cps["gh"], pw.cps["ke"]
    assert f"{gh.reference} {gh.title}" in page and "5,000 verified" in page
    assert f"{ke.reference} {ke.title}" in page and "8,000 verified" in page
    # Each CP's ranges carry the CP and its host on their serials.
    assert f"A6.4ER-KE-{ke.reference}-{pw.y1}-" in page
    assert f"A6.4ER-GH-{gh.reference}-{pw.y1}-" in page
    # The batch's page links to it, for anyone.
    batch_page = client.get(reverse("period-detail", args=[pw.poa.reference, period.number])).content.decode()
    assert reverse("certificate-verify", args=[document.code]) in batch_page
