"""The newcomer's walk of the demo in real Chromium (pacm issue 9; README "Walk the demo").

`seed_demo` makes the demo and its logins (developer, doe, dna, secretariat; password
pacm-demo); a NEW activity that starts today goes from its draft to units in the developer's
holding account through the pages alone, every wait passed with the activity page's demo clock
(no time_machine, no run_timers): the consultation, the registration's review and appeal windows
(A6.4-PROC-AC-002 v03.0 paras 85-89, 103-104), the monitoring period's own end (RMP 50-51: the
date checks read the demo clock in a demo, docs/rules-coverage.md demo-1), and the issuance's
review and appeal windows.
"""
import datetime
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from methodologies.models import MethodologyVersion
from pacm.demo.models import DemoClock
from pacm.events.models import Event
from pacm.parties.models import Organisation, Party
from pacm.registry.models import Account, AccountKind, UnitBlock
from projects.cycle import ActivityState as A
from projects.cycle import PeriodState as P
from projects.models import Activity, MonitoringPeriod

from .pages import (
    activity_open,
    document_upload,
    expect_success,
    fee_pay,
    form_login,
    issuance_confirm,
    pdf_write,
    reveal,
    state_badge,
    submit,
    transition_press,
)

DEMO_PASSWORD = "pacm-demo"
TITLE = "Newcomer's solar mini-grid (walk)"


@pytest.fixture
def demo(settings):
    settings.PACM_DEMO_CLOCK = True
    call_command("seed_demo", stdout=io.StringIO())
    users = get_user_model().objects
    return {name: users.get(username=name) for name in ("developer", "doe", "dna", "secretariat")}


def sign_in(page, user):
    form_login(page, user, password=DEMO_PASSWORD)


def demo_today():
    return timezone.localdate(timezone.now() + DemoClock.objects.get().offset)


def press(page, ref, *, days=None):
    """The activity page's demo clock card: to the next due date, or forward by `days`."""
    activity_open(page, ref)
    card = page.locator("#demo-clock")
    expect(card).to_be_visible()
    if days is None:
        submit(page, card.locator("#demo-advance"))
    else:
        card.get_by_label(re.compile("move it forward by days")).fill(str(days))
        submit(page, card.locator("#demo-advance-days"))
    expect_success(page, "Demo clock moved to")


def test_a_newcomer_walks_a_new_activity_to_units_with_the_demo_clock(page, demo, tmp_path):
    developer, doe, dna, secretariat = demo["developer"], demo["doe"], demo["dna"], demo["secretariat"]
    dev_org = Organisation.objects.get(name="Kpone Green Energy Ltd (demo)")
    doe_org = Organisation.objects.get(name="Terra Verification (demo DOE)")
    ghana = Party.objects.get(iso2="GH")
    version = MethodologyVersion.objects.get(methodology__code="A6.4-AMM-001", version="1.0")
    scope = version.methodology.sectoral_scopes.order_by("number").first()
    account = Account.objects.get(kind=AccountKind.HOLDING, organisation=dev_org)
    today = timezone.localdate()
    offset_before = DemoClock.objects.get().offset

    # --- 1. developer: the draft, starting today, the PDD, the DOE, prior consideration. ------
    sign_in(page, developer)
    page.get_by_role("link", name="New activity").first.click()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Host Party").select_option(label=str(ghana))
    page.get_by_label("Methodology and version").select_option(
        label=f"{version.methodology.code} v{version.version}: {version.methodology.title}")
    page.get_by_label("Sectoral scope").select_option(label=str(scope))
    page.get_by_label("Location").fill("Yendi, Northern Region")
    page.get_by_label("Activity start date").fill(today.isoformat())
    page.get_by_label("Crediting period type").select_option(value="renewable")
    page.get_by_label("Crediting period start").fill(today.isoformat())
    page.get_by_label("Crediting period end").fill((today + datetime.timedelta(days=5 * 365 - 1)).isoformat())
    page.get_by_label("Estimated annual reductions or removals").fill("20000")
    page.get_by_label("Description").fill("Flaring of landfill gas (the newcomer's walk).")
    submit(page, page.get_by_role("button", name="Create draft"))
    expect_success(page, "drafted")
    ref = Activity.objects.get(title=TITLE).reference
    document_upload(page, kind="Project design document", path=pdf_write(tmp_path / "pdd.pdf", "PDD walk")[0])
    engage = page.locator("#parties form")
    engage.get_by_label("Designated operational entity").select_option(label=doe_org.name)
    submit(page, engage.get_by_role("button", name="Engage this DOE"))
    expect_success(page, "DOE engaged.")
    transition_press(page, "notify_prior_consideration")

    # --- 2. doe: accepts and publishes for consultation. -------------------------------------
    sign_in(page, doe)
    activity_open(page, ref)
    transition_press(page, "accept_engagement")
    transition_press(page, "publish_for_consultation")
    expect(state_badge(page)).to_have_text("Global stakeholder consultation")

    # --- 3. developer: the demo clock closes the consultation. --------------------------------
    sign_in(page, developer)
    press(page, ref)
    expect(state_badge(page)).to_have_text("Under validation")

    # --- 4. doe validates; dna approves and authorizes; doe requests registration. ------------
    sign_in(page, doe)
    activity_open(page, ref)
    document_upload(page, kind="Validation report", path=pdf_write(tmp_path / "vr.pdf", "VR walk")[0])
    transition_press(page, "validate", comment="Meets the RMP and the methodology.")
    expect(state_badge(page)).to_have_text("Validated")
    sign_in(page, dna)
    activity_open(page, ref)
    host = page.locator("#host")
    form = reveal(host, "Issue the host approval")
    form.get_by_label("How the activity fosters sustainable development").fill("Cleaner air; local jobs.")
    form.get_by_label("How the activity relates to the NDC").fill("Within the NDC's waste sector.")
    participant = form.get_by_label(dev_org.name)
    participant.check()
    expect(participant).to_be_checked()
    submit(page, host.get_by_role("button", name="Issue the approval"))
    expect_success(page, "Host approval issued.")
    form = reveal(page.locator("#host"), "Issue the authorization statement")
    form.get_by_label("The statement").select_option(label="Authorized for use towards NDCs")
    form.get_by_label("Effective from").fill(today.isoformat())
    submit(page, page.locator("#host").get_by_role("button", name="Issue the statement"))
    expect_success(page, "Authorization statement issued.")
    sign_in(page, doe)
    activity_open(page, ref)
    transition_press(page, "request_registration")

    # --- 5. secretariat: the fee, the checks. -------------------------------------------------
    sign_in(page, secretariat)
    activity_open(page, ref)
    fee_pay(page, kind="Registration fee", reference="WIRE-WALK-1")
    for name in ("start_completeness_check", "pass_completeness_check", "pass_information_check"):
        transition_press(page, name)
    expect(state_badge(page)).to_have_text("Review window")

    # --- 6. developer: the review window, then the appeal window. -----------------------------
    sign_in(page, developer)
    press(page, ref)
    expect(state_badge(page)).to_have_text("Approved (appeal window)")
    press(page, ref)
    expect(state_badge(page)).to_have_text("Registered")

    # --- 7. developer: the period to report on ends first (RMP 50-51), then the report. -------
    press(page, ref, days=30)
    demo_date = demo_today()
    assert demo_date > today + datetime.timedelta(days=30)
    period_end = min(demo_date - datetime.timedelta(days=1), datetime.date(today.year, 12, 31))
    assert period_end >= today  # not over by the real calendar: only the demo clock lets it in
    engage = page.locator("#parties form")
    engage.get_by_label("Designated operational entity").select_option(label=doe_org.name)
    submit(page, engage.get_by_role("button", name="Engage this DOE for verification"))
    expect_success(page, "DOE engaged.")
    page.get_by_role("link", name="Submit a monitoring report").click()
    form = page.locator("#period-form")
    expect(form.get_by_label("Monitoring period start")).to_have_value(today.isoformat())
    expect(form.get_by_label("Monitoring period end")).to_have_attribute(
        "max", (demo_date - datetime.timedelta(days=1)).isoformat())
    form.get_by_label("Monitoring period end").fill(period_end.isoformat())
    form.locator("input[name='claims-0-vintage']").fill(str(today.year))
    form.locator("input[name='claims-0-quantity']").fill("1000")
    form.get_by_label("Monitoring report").set_input_files(str(pdf_write(tmp_path / "mr.pdf", "MR walk")[0]))
    submit(page, form.get_by_role("button", name="Submit for verification"))
    expect_success(page, "Monitoring period 1 submitted for verification.")
    period_url = page.url

    # --- 8. doe: verification, certification, the issuance request into the developer's account.
    sign_in(page, doe)
    page.goto(period_url)
    transition_press(page, "start_verification")
    document_upload(page, kind="Verification and certification report",
                    path=pdf_write(tmp_path / "ver.pdf", "VER walk")[0])
    certify = page.locator("#certify")
    certify.get_by_label(f"Vintage {today.year}: verified").fill("1000")
    submit(page, certify.get_by_role("button", name="Certify these quantities"))
    expect_success(page, "Verification and certification opinion given.")
    issuance = page.locator("#issuance-form")
    issuance.locator("input[name='lines-0-account']").fill(account.number)
    issuance.locator("input[name='lines-0-percent']").fill("100")
    submit(page, issuance.get_by_role("button", name="Preview the split"))
    expect(page.locator("#preview")).to_contain_text("Preview: nothing is submitted yet")
    submit(page, page.locator("#issuance-form").get_by_role("button", name="Submit the issuance request"))
    expect_success(page, "Issuance request submitted")

    # --- 8b. developer: confirms the OMGE election and the distribution (pacm issue 9). -------
    sign_in(page, developer)
    page.goto(period_url)
    issuance_confirm(page)

    # --- 9. secretariat: the issuance fee, the checks. ----------------------------------------
    sign_in(page, secretariat)
    page.goto(period_url)
    fee_pay(page, kind="Issuance fee", reference="WIRE-WALK-2")
    transition_press(page, "start_issuance_checks")
    transition_press(page, "pass_issuance_checks")
    expect(state_badge(page)).to_have_text("Issuance review window")

    # --- 10. developer: the issuance's review and appeal windows; the units arrive. -----------
    sign_in(page, developer)
    press(page, ref)
    press(page, ref)
    page.goto(period_url)
    expect(state_badge(page)).to_have_text("Issued")
    period = MonitoringPeriod.objects.get(activity__reference=ref, number=1)
    assert period.state == P.ISSUED and Activity.objects.get(reference=ref).state == A.REGISTERED
    held = sum(b.serial_end - b.serial_start + 1 for b in UnitBlock.objects.filter(account=account,
                                                                                    activity__reference=ref))
    assert held == period.issuance.net and 0 < held < 1000
    page.get_by_role("link", name="My accounts").click()
    expect(page.locator("body")).to_contain_text(account.number)

    # Six presses of the demo clock, each by the developer on this activity; nothing else moved it.
    activity = Activity.objects.get(reference=ref)
    presses = Event.objects.filter(stream="demo", kind="demo.clock_advanced", activity=activity).order_by("sequence")
    assert [e.actor_label for e in presses] == ["developer"] * 6
    assert presses[3].payload["by_seconds"] == 30 * 86400
    # The events record whole seconds (pacm.demo.services): each press drops under one second.
    moved = datetime.timedelta(seconds=sum(e.payload["by_seconds"] for e in presses))
    assert datetime.timedelta(0) <= DemoClock.objects.get().offset - offset_before - moved < datetime.timedelta(
        seconds=len(presses))
