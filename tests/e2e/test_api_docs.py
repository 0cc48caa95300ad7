"""The API's interactive docs in a real browser (pacm issue 9): Swagger UI from our static files
renders the OpenAPI document under the Content-Security-Policy, and asks nothing of another host."""
from playwright.sync_api import expect

from .test_security_in_the_browser import csp_reports


def test_the_api_docs_render_under_the_policy_from_our_own_files(page, live_server, world, activity):
    reports = csp_reports(page)
    hosts = []
    page.on("request", lambda request: hosts.append(request.url.split("/")[2]))
    response = page.goto("/api/v1/docs")
    assert response.status == 200 and "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.get_by_text("/api/v1/activities/{reference}/actions/{name}").first).to_be_visible()
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("pacm API")
    page.wait_for_load_state("networkidle")
    assert reports == []
    assert set(hosts) == {live_server.url.split("/")[2]}
