"""Issue 11 in a real browser: the Content-Security-Policy blocks nothing the pages need, and
the confirmation dialogs (static/js/pacm.js, no inline handler) still guard the final steps."""
import re

from playwright.sync_api import expect

from projects.cycle import ActivityState as A
from projects.models import Activity

from .pages import activity_open, transition_form


def csp_reports(page):
    """Chromium's console messages about the Content-Security-Policy, collected as the test goes."""
    reports = []
    page.on("console", lambda message: reports.append(message.text)
            if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text else None)
    return reports


def test_no_page_trips_the_content_security_policy(page, login, world, activity):
    reports = csp_reports(page)
    login(world.ama)
    for url in ("/", "/registry/", "/dashboard/", f"/activities/{activity.reference}/", "/registry/accounts/"):
        response = page.goto(url)
        assert response.status == 200, url
        assert "script-src 'self'" in response.headers["content-security-policy"]
    # Bootstrap's own script runs under the policy: the collapsed navbar opens on a narrow screen.
    page.set_viewport_size({"width": 500, "height": 800})
    page.goto("/")
    page.get_by_role("button", name="Toggle navigation").click()
    expect(page.locator("#pacm-nav")).to_have_class(re.compile(r"\bshow\b"))
    page.goto("/admin/login/")
    page.wait_for_load_state("networkidle")  # the browser's own last requests (the icon) are answered
    assert reports == []


def test_a_danger_step_asks_first_and_does_nothing_when_declined(page, login, world, activity):
    login(world.ama)
    activity_open(page, activity.reference)
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    form = transition_form(page, "withdraw")
    form.get_by_label("Reasons").fill("Project cancelled")
    asked = []

    def answer(accept):
        def handle(dialog):
            asked.append(dialog.message)
            dialog.accept() if accept else dialog.dismiss()
        return handle

    page.once("dialog", answer(False))
    form.get_by_role("button").click()
    page.once("dialog", answer(True))
    with page.expect_navigation():
        form.get_by_role("button").click()
    assert asked == ["Withdraw the activity: are you sure?"] * 2
    # The declined press sent nothing: one POST only, the accepted one.
    assert [url for url in posts if url.endswith("/do/withdraw/")] == [posts[0]] and len(posts) == 1
    expect(page.locator("#state-badge")).to_have_text("Withdrawn")
    page.wait_for_load_state("networkidle")  # the browser's own last requests (the icon) are answered
    assert Activity.objects.get(pk=activity.pk).state == A.WITHDRAWN
