"""HTML to PDF with WeasyPrint: the stylesheet is a file, fonts come from fontconfig, and nothing
is fetched (a data: URI is the only URL a document may hold; anything else stops the render).

Deterministic: the PDF's creation and modification dates are the attested record's time, its
identifier is derived from the document's code, the language is given (the registry's copy: the
site's default, settings.LANGUAGE_CODE), and WeasyPrint names font subsets from their glyphs; the
same record, code and language give the same bytes.

Languages (pacm issue 9): the registry keeps, and fingerprints, one copy in the site's default
language; `certificate_render(language=...)` makes a copy in another language on request (the
download's ?lang=, or the reader's language), same code, which says it is a translation.
"""
import base64
import hashlib

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .pdf import STYLESHEET

# The CJK font (Debian fonts-wqy-zenhei, README "Fonts"); pdf/document.css names it after DejaVu Sans.
CJK_FONT = "WenQuanYi Zen Hei"
CJK_FONT_FILE = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"


def verify_url(code):
    """The public verification page a document's QR code points to (absolute: it is read off paper)."""
    return settings.PACM_SITE_URL.rstrip("/") + reverse("certificate-verify", kwargs={"code": code})


def qr_data_uri(text):
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode()


def _fetcher():
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    class NoNetwork(URLFetcher):
        """data: only: a template that names an http(s) or file URL fails loudly instead of fetching."""

        def fetch(self, url, headers=None):
            if not url.startswith("data:"):
                raise FatalURLFetchingError(f"a generated document fetches nothing: {url[:80]}")
            return super().fetch(url, headers)

    return NoNetwork(allowed_protocols=("data",))


def html_render(*, attestation, code, language=None):
    """The HTML the PDF is made of (tests read it to check the content), in `language` (the
    site's default when None). `attestation` should be made under the same language (its labels)."""
    url = verify_url(code)
    language = language or settings.LANGUAGE_CODE
    with translation.override(language):
        return render_to_string("certificates/pdf/document.html", {
            "a": attestation, "code": code, "verify_url": url, "qr": qr_data_uri(url),
            # Metadata, machine-read: ISO 8601 whatever the language.
            "moment": attestation.attested_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "translated": language != settings.LANGUAGE_CODE,
            "original_language": dict(settings.LANGUAGES).get(settings.LANGUAGE_CODE, settings.LANGUAGE_CODE),
        })


def pdf_render(*, attestation, code, language=None):
    from weasyprint import CSS, HTML

    fetcher = _fetcher()
    html = HTML(string=html_render(attestation=attestation, code=code, language=language), url_fetcher=fetcher,
                base_url=None)
    identifier = hashlib.sha256(f"pacm-document:{code}".encode()).hexdigest()[:32].encode()
    return html.write_pdf(stylesheets=[CSS(filename=str(STYLESHEET), url_fetcher=fetcher)],
                          pdf_identifier=identifier)
