"""The public verification page: valid for the real document, not valid for a tampered hash, never a 500."""
import hashlib

import pytest
from django.urls import reverse

from .conftest import K, doc, stored


def _verify(client, code):
    return client.get(reverse("certificate-verify", kwargs={"code": code}))


def test_the_bytes_served_hash_to_the_recorded_sha256_shown_on_the_page(client, world, cancelled):
    document = doc(K.USE, cancelled.pk)
    response = client.get(reverse("certificate-pdf", kwargs={"kind": "use", "subject_id": cancelled.pk}))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    served = b"".join(response.streaming_content)
    assert served == stored(document)
    assert hashlib.sha256(served).hexdigest() == document.sha256
    page = _verify(client, document.code).content.decode()
    assert document.sha256 in page


def test_by_code_the_page_says_valid_and_shows_what_the_document_attests(client, world, cancelled):
    document = doc(K.USE, cancelled.pk)
    response = _verify(client, document.code)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Valid." in page and "Not valid." not in page
    assert "Cancellation certificate" in page and "Voluntary claim for the 2026 fleet" in page
    assert "1,200" in page and "A6.4ER-GH-" in page
    assert "stored copy" not in page  # it matches: no warning
    # The code is accepted without dashes and in lower case, as read off paper.
    assert "Valid." in _verify(client, document.code.replace("-", "").lower()).content.decode()


def test_by_hash_the_page_says_a_file_with_this_fingerprint_is_the_document(client, world, cancelled):
    document = doc(K.USE, cancelled.pk)
    page = _verify(client, document.sha256).content.decode()
    assert "Valid." in page and "A file with this SHA-256 fingerprint is a document issued by this registry." in page


def test_a_tampered_hash_or_an_unknown_code_is_not_valid(client, world, cancelled):
    document = doc(K.USE, cancelled.pk)
    tampered = document.sha256[:-1] + ("0" if document.sha256[-1] != "0" else "1")
    tampered_file = hashlib.sha256(stored(document) + b"\n% edited").hexdigest()
    for code in (tampered, tampered_file, "AAAA-BBBB-CCCC-DDDD", document.code[:-1] + "Q"):
        response = _verify(client, code)
        assert response.status_code == 404, code
        page = response.content.decode()
        assert "Not valid." in page and "Cancellation certificate" not in page


@pytest.mark.parametrize("code", ["x", "0" * 64, "g" * 64, "A" * 300, "%00", "'; DROP TABLE x;--", "中文",
                                  "AAAA-BBBB-CCCC-DDD1", "----"])
def test_no_500_on_codes_that_are_none(client, world, code):
    response = client.get(f"/verify/{code}/")
    assert response.status_code == 404
    assert "Not valid." in response.content.decode()


def test_a_stored_copy_that_no_longer_matches_is_reported(client, world, cancelled):
    document = doc(K.USE, cancelled.pk)
    with open(document.file.path, "ab") as handle:
        handle.write(b"% tampered in storage")
    page = _verify(client, document.code).content.decode()
    assert "no longer matches its recorded fingerprint" in page


def test_no_500_on_pdf_urls_that_are_none(client, world, cancelled):
    for kind, subject_id in (("use", 999_999), ("nonsense", cancelled.pk), ("issuance", cancelled.pk),
                             ("use", 2 ** 63)):
        response = client.get(f"/certificates/{kind}/{subject_id}/")
        assert response.status_code == 404, (kind, subject_id)
    assert client.post(reverse("certificate-pdf", kwargs={"kind": "use", "subject_id": cancelled.pk})).status_code == 405
    assert client.post(reverse("certificate-verify", kwargs={"code": "x"})).status_code == 405
