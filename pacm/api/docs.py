"""The interactive docs: Swagger UI from our own static files (static/vendor/swagger-ui), never a CDN.

Its settings travel in data- attributes read by static/js/api-docs.js: no inline script, so the
Content-Security-Policy (script-src 'self', style-src 'self') holds on this page too.
"""
from django.shortcuts import render
from ninja.openapi.docs import DocsBase


class VendoredSwagger(DocsBase):
    def render_page(self, request, api, **kwargs):
        return render(request, "api/docs.html", {"openapi_url": self.get_openapi_url(api, kwargs), "api": api})
