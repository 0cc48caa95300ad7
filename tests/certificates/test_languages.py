"""Documents in the reader's language (pacm issue 9): the registry keeps and fingerprints its copy in
the site's language; a copy in another language is made on request (?lang=, else the reader's
language), its text from that language's catalog, its dates in that language's format, Chinese in
the CJK font. The translations come from a test-only catalog (tests/catalogs.py), so the test reads
real catalog text whether or not the project's catalogs are translated yet."""
import hashlib
import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import formats, translation

from projects.certificates.render import CJK_FONT_FILE
from projects.certificates.services import certificate_issue, certificate_render
from tests.catalogs import catalog_install

from .conftest import K, doc, pdf_fonts, pdf_text, stored

CJK = "WenQuanYi-Zen-Hei"
ZH = {
    "Certificate of registration": "登记证书",
    "Article 6.4 mechanism registry": "第6.4条机制登记处",
    "Registered on": "登记日期",
    "Document code": "文件代码",
}


@pytest.fixture
def chinese(settings, tmp_path):
    return catalog_install(settings, tmp_path, {"zh_Hans": ZH, "fr": {"Certificate of registration":
                                                                      "Certificat d'enregistrement"}})


def _pdf(client, subject_id, **params):
    return client.get(reverse("certificate-pdf", kwargs={"kind": K.REGISTRATION, "subject_id": subject_id}), params)


def _registered_on(document, code):
    with translation.override(code):
        return formats.date_format(document.attested_at, "DATE_FORMAT")


def test_a_chinese_certificate_reads_its_text_from_the_catalog(world, registered, chinese):
    if not Path(CJK_FONT_FILE).exists() and not os.environ.get("PACM_REQUIRE_CJK_FONT"):
        pytest.skip("the CJK font package (fonts-wqy-zenhei) is not installed: `make fonts`")
    document = doc(K.REGISTRATION, registered.pk)
    attestation, data = certificate_render(kind=K.REGISTRATION, subject_id=registered.pk, code=document.code,
                                           language="zh-hans")
    text = pdf_text(data)
    assert all(chinese_text in text for chinese_text in ZH.values())
    assert "Certificate of registration" not in text and "Registered on" not in text and "Document code" not in text
    assert attestation.title == "登记证书"
    assert f"登记日期 {_registered_on(document, 'zh-hans')}" in text  # 2026年…月…日: the Chinese date format
    assert any(name.startswith(CJK) for name in pdf_fonts(data)), pdf_fonts(data)
    # Not in the test catalog: the project's own Chinese catalog gives the translation notice.
    assert document.code in text and "This copy is a translation" not in text and "译本" in text


def test_the_registrys_copy_stays_in_the_sites_language_whoever_issues_it(world, registered, chinese):
    document = doc(K.REGISTRATION, registered.pk)
    data = stored(document)
    assert "Certificate of registration" in pdf_text(data) and "登记证书" not in pdf_text(data)
    # Rendered again under another active language: the same bytes, the recorded fingerprint.
    with translation.override("zh-hans"):
        _attestation, again = certificate_render(kind=K.REGISTRATION, subject_id=registered.pk, code=document.code)
        assert certificate_issue(kind=K.REGISTRATION, subject_id=registered.pk) == (document, False)
    assert again == data and hashlib.sha256(again).hexdigest() == document.sha256


def test_the_download_is_in_the_language_asked_for(client, world, registered, chinese):
    document = doc(K.REGISTRATION, registered.pk)
    original = _pdf(client, registered.pk)
    assert hashlib.sha256(b"".join(original.streaming_content)).hexdigest() == document.sha256
    translated = _pdf(client, registered.pk, lang="zh-hans")
    assert translated.status_code == 200 and translated["Content-Type"] == "application/pdf"
    assert translated["Content-Language"] == "zh-hans"
    assert f"{K.REGISTRATION}-{document.code}-zh-hans.pdf" in translated["Content-Disposition"]
    assert "登记证书" in pdf_text(translated.content) and hashlib.sha256(translated.content).hexdigest() != document.sha256
    # ?lang=en is the registry's own copy; an unknown language is a 404, never a 500.
    assert hashlib.sha256(b"".join(_pdf(client, registered.pk, lang="en").streaming_content)).hexdigest() == document.sha256
    assert _pdf(client, registered.pk, lang="xx").status_code == 404


def test_without_lang_the_readers_language_is_used(client, world, registered, chinese):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = _pdf(client, registered.pk)
    assert response["Content-Language"] == "fr"
    text = pdf_text(response.content)
    assert "Certificat d'enregistrement" in text
    assert _registered_on(doc(K.REGISTRATION, registered.pk), "fr") in text  # 5 mars 2026: the French format
