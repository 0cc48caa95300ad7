"""pacm issue 9 ("People"): every page type passes axe-core with no serious or critical violation.

axe-core is vendored in tests/e2e/vendor/axe-core (version and licence there). The pages' own
Content-Security-Policy would block the script axe is injected as, so this module's browser
context bypasses the policy (this module only: test_security_in_the_browser.py checks the policy
itself). Each page is opened as the persona who uses it (personas in tests/conftest.py); every
violation is printed with its rule id, its targets and its help text before the test fails.
"""
import datetime
import json
from pathlib import Path

import pytest
from django.urls import reverse

from pacm.registry.models import Account
from projects.cycle import PeriodState as P
from tests import factories as f
from tests.issuance.conftest import drive, period_dates, period_over, registered, submit  # noqa: F401 (fixtures)

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
# Moderate and minor in axe's scale, but the issue names them: every page has one h1, headings do
# not skip levels, and no table header is empty.
NAMED = ("page-has-heading-one", "heading-order", "empty-table-header")


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """This module only: the injected axe script runs although the pages' CSP allows no such script."""
    return {**browser_context_args, "bypass_csp": True}


def axe_run(page):
    """axe-core's violations on the page as it is now: the serious and critical ones, and the named ones."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                           targets: v.nodes.map(n => n.target.join(' ')).slice(0, 8)}));
        }"""
    )
    return [v for v in result if v["impact"] in BLOCKING or v["id"] in NAMED]


class Audit:
    """Opens pages, runs axe on each, and keeps every blocking violation with its page."""

    def __init__(self, page, login):
        self.page, self.login, self.found, self.seen = page, login, [], []

    def visit(self, url, *, as_user=None, status=200):
        if as_user is not None:
            self.login(as_user)
        response = self.page.goto(url)
        assert response.status == status, f"{url} answered {response.status}, expected {status}"
        self.check(url)

    def check(self, label):
        self.seen.append(label)
        for violation in axe_run(self.page):
            self.found.append((label, violation))

    def assert_clean(self):
        for label, v in self.found:
            print(f"{label}: [{v['impact']}] {v['id']}: {v['help']}\n    {json.dumps(v['targets'])}")
        assert self.found == [], f"{len(self.found)} serious/critical axe violations on {len(self.seen)} pages"


@pytest.fixture
def audit(page, login):
    return Audit(page, login)


@pytest.fixture
def issued(world, registered, submit, drive):  # noqa: F811
    """The registered activity's period 1, issued into ama's holding account; period 2 verified."""
    period = drive(submit(registered), P.ISSUED)
    drive(submit(registered, number=2), P.VERIFIED)
    return period


def test_public_pages_have_no_serious_violation(audit, world, issued):
    activity = issued.activity
    for url in ("/", "/registry/", "/registry/serials/", "/registry/blocks/", "/registry/issuances/",
                "/registry/uses/", "/registry/totals/", "/registry/buffer-pool/",
                reverse("activity-detail", kwargs={"reference": activity.reference}),
                reverse("period-detail", kwargs={"reference": activity.reference, "number": 1}),
                "/accounts/login/", "/accounts/password-reset/", "/accounts/password-reset/sent/"):
        audit.visit(url)
    audit.visit("/verify/NO-SUCH-CODE/", status=404)  # the verify page says the code matches no document
    audit.visit("/activities/NO-SUCH-ACTIVITY/", status=404)
    audit.assert_clean()


def test_the_registry_lookup_with_a_serial_has_no_serious_violation(audit, world, issued):
    from pacm.registry.models import UnitBlock
    from pacm.registry.serials import serial_compose

    block = UnitBlock.objects.order_by("pk").first()
    serial = serial_compose(host_iso2="GH", activity_reference=issued.activity.reference, vintage=block.vintage,
                            serial_start=block.serial_start, serial_end=block.serial_start)
    audit.visit(f"/registry/serials/?q={serial}")
    audit.assert_clean()


def test_the_working_pages_have_no_serious_violation(audit, world, issued):
    activity = issued.activity
    account = Account.objects.get(number="PACM-H-DEV-1")
    activity_url = reverse("activity-detail", kwargs={"reference": activity.reference})
    period2 = reverse("period-detail", kwargs={"reference": activity.reference, "number": 2})
    # Period 2 is verified: the DOE's page of it carries the issuance request form.
    for user in (world.ama, world.dora, world.dina, world.sam, world.sofia):
        audit.visit("/dashboard/", as_user=user)
        audit.visit(activity_url)
        audit.visit(period2)
    audit.login(world.ama)
    for url in ("/account/", "/account/tokens/", "/notifications/",
                "/registry/accounts/", f"/registry/accounts/{account.number}/", "/activities/new/",
                reverse("period-submit", kwargs={"reference": activity.reference})):
        audit.visit(url)
    audit.visit("/buffer/stress-tests/", as_user=world.sam)
    audit.visit("/exports/aef/", as_user=world.dina)
    # The transfer's review step (pacm issue 9, move-confirm-1), reached through its form.
    audit.visit(f"/registry/accounts/{account.number}/", as_user=world.ama)
    transfer = audit.page.locator("#transfer")
    transfer.get_by_label("To holding account number").fill("PACM-H-DEV-2")
    transfer.get_by_label("Units", exact=False).first.fill("10")
    with audit.page.expect_navigation():
        transfer.get_by_role("button", name="Review the transfer").click()
    audit.check("transfer review")
    audit.visit(f"/registry/accounts/{account.number}/", as_user=world.kofi, status=404)
    audit.assert_clean()


def test_the_403_page_has_no_serious_violation(audit, world, activity):
    audit.visit("/buffer/stress-tests/", as_user=world.kofi, status=403)
    audit.assert_clean()


def test_programme_pages_have_no_serious_violation(audit, world, time_machine):
    from tests.renewals.poa_helpers import included_cp, registered_poa

    poa = registered_poa(world, years=20)
    cp = included_cp(world, poa)
    for user in (None, world.ama, world.dora, world.dina, world.sam):
        if user is None:
            audit.page.context.clear_cookies()
        audit.visit(reverse("poa-detail", kwargs={"reference": poa.reference}), as_user=user)
        audit.visit(reverse("cp-detail", kwargs={"reference": cp.reference}))
    audit.visit("/poas/", as_user=world.ama)
    audit.visit("/poas/new/")
    audit.assert_clean()


def test_transition_and_renewal_pages_have_no_serious_violation(audit, world, advance_to, time_machine):
    from projects.transition import services as ts
    from tests.renewals.helpers import registered_renewable, request
    from tests.transition.helpers import REQUESTED_AT, request_data

    time_machine.move_to(REQUESTED_AT, tick=False)
    transition = ts.transition_request_create(user=world.ama, **request_data(world))
    time_machine.move_to(datetime.datetime.now(datetime.UTC).replace(year=2026), tick=False)
    for user in (world.ama, world.sam, world.dina):
        audit.visit(reverse("transition-detail", kwargs={"pk": transition.pk}), as_user=user)
    audit.visit("/transitions/", as_user=world.ama)
    audit.visit("/transitions/new/")
    activity = registered_renewable(world, advance_to)
    time_machine.move_to(datetime.datetime.combine(activity.crediting_end - datetime.timedelta(days=100),
                                                   datetime.time(9), tzinfo=datetime.UTC), tick=False)
    renewal = request(world, activity)
    for user in (world.ama, world.otto):
        audit.visit(reverse("renewal-detail", kwargs={"pk": renewal.pk}), as_user=user)
    audit.assert_clean()


def test_the_board_panel_has_no_serious_violation(audit, world, activity, advance_to):
    """The Board panel (projects.board) as the secretariat sees it (record or open a decision) and as a
    member sees an open electronic decision (the vote form), on an activity under SB review."""
    from projects import services
    from projects.board.services import board_decision_open_electronic
    from projects.cycle import ActivityState as A

    under = services.activity_request_review(activity=advance_to(activity, A.REVIEW_WINDOW), user=world.sofia,
                                             comment="Check the baseline.")
    url = reverse("activity-detail", kwargs={"reference": under.reference})
    audit.visit(url, as_user=world.sam)
    assert audit.page.locator("#board form").count() == 2  # the meeting's record and the electronic decision
    board_decision_open_electronic(subject=under, transition="register", user=world.sam, comment="Register.")
    audit.visit(url, as_user=world.sofia)
    assert audit.page.locator("#board form").count() == 1  # her vote
    audit.assert_clean()


__all__ = ["f"]
