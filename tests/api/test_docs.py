"""The OpenAPI 3.1 document and the interactive docs: our own static files, no CDN, under the CSP."""
import re

import pytest
from django.test import Client

from ..security.test_deploy import inline_code

pytestmark = pytest.mark.django_db

CDN = re.compile(r"cdn\.|jsdelivr|unpkg|cdnjs|googleapis|https?://(?!testserver)", re.I)


def test_the_openapi_document_is_3_1_and_lists_the_api(client):
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    paths = set(doc["paths"])
    for path in ("/api/v1/activities", "/api/v1/activities/{reference}", "/api/v1/activities/{reference}/actions",
                 "/api/v1/activities/{reference}/actions/{name}", "/api/v1/registry/blocks",
                 "/api/v1/registry/accounts/{number}/statement", "/api/v1/registry/totals"):
        assert path in paths, path
    assert doc["components"]["securitySchemes"]["ApiAuth"] == {"type": "http", "scheme": "bearer"}


def test_the_docs_page_loads_only_our_static_files_and_no_cdn_url(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert not CDN.search(html), CDN.search(html)
    assert inline_code(html) == []  # nothing the Content-Security-Policy would block
    scripts = re.findall(r'<script src="([^"]+)"', html) + re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert scripts == ["/static/vendor/swagger-ui/swagger-ui-bundle.js", "/static/js/api-docs.js",
                       "/static/vendor/swagger-ui/swagger-ui.css"]
    for url in scripts:
        served = client.get(url)
        assert served.status_code == 200, url
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy and "unsafe" not in policy
    init = b"".join(Client().get("/static/js/api-docs.js").streaming_content).decode()
    assert "validatorUrl: null" in init and "data" in init


def test_no_cdn_template_of_django_ninja_can_be_chosen():
    from pacm.api.api import api
    from pacm.api.docs import VendoredSwagger

    assert isinstance(api.docs, VendoredSwagger)
