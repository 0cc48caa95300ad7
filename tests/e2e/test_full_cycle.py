"""The whole cycle in real Chromium, through the web forms alone (GitHub issues 2 and 3).

Every role acts in the browser; the only step outside it is the timer pass
(`manage.py run_timers`, the cron / beat job), run with the clock moved past the due date.
"""
import datetime
import hashlib
import io
import math
import re

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from methodologies.models import Rounding, RuleSet
from pacm.events.models import Event
from pacm.registry.models import Account, AccountKind, UnitBlock
from pacm.registry.serials import serial_compose
from projects import services
from projects.cycle import ActivityState as A
from projects.cycle import PeriodState as P
from projects.models import Activity, Finding, MonitoringPeriod
from tests import factories as f
from tests.conftest import advance

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
    table_rows,
    timeline,
    timeline_entries,
    transition_form,
    transition_press,
)


def timers_run_past_due(reference, period_number=None):
    """One timer pass with the clock just past the activity's (or the period's) due date (policy.md §3)."""
    if period_number is None:
        due_at = Activity.objects.get(reference=reference).due_at
    else:
        due_at = MonitoringPeriod.objects.get(activity__reference=reference, number=period_number).due_at
    assert due_at is not None, f"{reference} has no running timer"
    out = io.StringIO()
    with time_machine.travel(due_at + datetime.timedelta(seconds=1), tick=False):
        call_command("run_timers", stdout=out)
    return out.getvalue()


def forged_post(page, action):
    """POST an empty form to `action` from the page, with the session's CSRF token (as a
    hand-made form would); returns the response of the page the browser lands on."""
    with page.expect_navigation() as navigation:
        page.evaluate(
            """(action) => {
                const form = document.createElement('form');
                form.method = 'post';
                form.action = action;
                const token = document.querySelector('input[name=csrfmiddlewaretoken]').cloneNode();
                form.appendChild(token);
                document.body.appendChild(form);
                form.submit();
            }""",
            action,
        )
    return navigation.value


def test_activity_from_draft_to_registered_in_the_browser(page, login, world, tmp_path):
    pdd_path, pdd_sha = pdf_write(tmp_path / "pdd.pdf", "PDD of the Kpone landfill gas activity")
    vr_path, vr_sha = pdf_write(tmp_path / "validation-report.pdf", "Validation report by Terra Verification")
    data = f.pdd_data(world.host, world.version)

    # --- The participant drafts the activity through the PDD form. ---------------------------
    form_login(page, world.ama)
    page.get_by_role("link", name="New activity").first.click()
    expect(page.get_by_role("button", name="Create draft")).to_be_visible()
    page.get_by_label("Title").fill(data["title"])
    page.get_by_label("Host Party").select_option(label=str(world.host))
    page.get_by_label("Methodology and version").select_option(
        label=f"{world.version.methodology.code} v{world.version.version}: {world.version.methodology.title}"
    )
    page.get_by_label("Sectoral scope").select_option(label=str(data["sectoral_scope"]))
    page.get_by_label("Location").fill(data["location"])
    page.get_by_label("Activity start date").fill(data["start_date"].isoformat())
    page.get_by_label("Crediting period type").select_option(value=data["crediting_type"])
    page.get_by_label("Crediting period start").fill(data["crediting_start"].isoformat())
    page.get_by_label("Crediting period end").fill(data["crediting_end"].isoformat())
    page.get_by_label("Estimated annual reductions or removals").fill(str(data["estimated_annual"]))
    page.get_by_label("Description").fill(data["description"])
    submit(page, page.get_by_role("button", name="Create draft"))
    expect_success(page, "drafted")

    activity = Activity.objects.get(title=data["title"])
    ref = activity.reference
    assert page.url.endswith(f"/activities/{ref}/")
    expect(state_badge(page)).to_have_text("Draft")
    expect(page.locator("#pdd")).to_contain_text(data["location"])
    expect(page.locator("#parties")).to_contain_text(world.orgs["dev"].name)

    # The PDD, then the DOE, then the prior-consideration notice.
    document_upload(page, kind="Project design document", path=pdd_path)
    expect(page.locator("#documents code.hash")).to_have_text([pdd_sha])
    with page.expect_download() as download:
        page.locator("#documents").get_by_role("link", name="Download").click()
    assert open(download.value.path(), "rb").read() == pdd_path.read_bytes()

    engage = page.locator("#parties form")
    engage.get_by_label("Designated operational entity").select_option(label=world.orgs["doe"].name)
    submit(page, engage.get_by_role("button", name="Engage this DOE"))
    expect_success(page, "DOE engaged.")
    expect(page.locator("#parties")).to_contain_text(f"Validation DOE {world.orgs['doe'].name}")

    transition_press(page, "notify_prior_consideration")
    expect(state_badge(page)).to_have_text("Prior consideration notified")

    # --- A DOE that is not engaged cannot even see the activity while it is private. ----------
    form_login(page, world.otto)
    response = page.goto(f"/activities/{ref}/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()

    # --- The engaged DOE accepts and publishes the PDD for consultation. ---------------------
    form_login(page, world.dora)
    activity_open(page, ref)
    transition_press(page, "accept_engagement")
    expect(state_badge(page)).to_have_text("Validation contracted")
    transition_press(page, "publish_for_consultation")
    expect(state_badge(page)).to_have_text("Global stakeholder consultation")
    # policy.md §3: the consultation's due date comes from the rule set in force.
    gsc_days = RuleSet.objects.in_force(timezone.localdate()).gsc_days
    expect(page.locator(".pacm-hero")).to_contain_text(f"{gsc_days} days left")

    # --- The consultation closes by the timer (the cron / beat job). -------------------------
    out = timers_run_past_due(ref)
    assert f"fired close_consultation on {ref}" in out

    activity_open(page, ref)
    expect(state_badge(page)).to_have_text("Under validation")

    # The activity is public now, but a DOE that is not engaged still may not act on it.
    login(world.otto)
    activity_open(page, ref)
    expect(page.locator("#actions")).to_have_count(0)
    expect(page.locator("#raise-finding")).to_have_count(0)
    response = forged_post(page, f"/activities/{ref}/findings/raise/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="You may not do this")).to_be_visible()
    assert not Finding.objects.filter(activity__reference=ref).exists()

    # --- Validation: a corrective action request, answered and closed. -----------------------
    login(world.dora)
    activity_open(page, ref)
    raise_card = page.locator("#raise-finding")
    raise_card.get_by_label("Kind").select_option(label="Corrective action request")
    raise_card.get_by_label("Finding").fill("Justify the landfill gas collection efficiency assumed in the PDD.")
    submit(page, raise_card.get_by_role("button", name="Raise"))
    expect_success(page, "Finding raised.")
    expect(page.locator("#finding-1")).to_contain_text("Open")
    # policy.md §4: no positive opinion while a corrective action is open.
    expect(transition_form(page, "validate").get_by_role("button")).to_be_disabled()
    expect(page.locator("#blocked-validate")).to_contain_text("still open")

    login(world.ama)
    activity_open(page, ref)
    finding = page.locator("#finding-1")
    finding.get_by_label("Answer").fill("Efficiency of 50% measured over 2024; see annex 3 of the PDD.")
    submit(page, finding.get_by_role("button", name="Send the answer"))
    expect_success(page, "Answer sent to the DOE.")
    expect(page.locator("#finding-1")).to_contain_text("Answered")

    login(world.dora)
    activity_open(page, ref)
    submit(page, page.locator("#finding-1").get_by_role("button", name="Close the finding"))
    expect_success(page, "Finding closed.")
    expect(page.locator("#finding-1")).to_contain_text("Closed")
    document_upload(page, kind="Validation report", path=vr_path)
    expect(page.locator("#documents")).to_contain_text(vr_sha)
    transition_press(page, "validate", comment="The activity meets the RMP and the methodology.")
    expect(state_badge(page)).to_have_text("Validated")

    # --- The host's DNA: approval with authorization of the participant, and the statement. ---
    form_login(page, world.dina)
    activity_open(page, ref)
    host = page.locator("#host")
    form = reveal(host, "Issue the host approval")
    form.get_by_label("How the activity fosters sustainable development").fill("Cleaner air for Kpone; local jobs.")
    form.get_by_label("How the activity relates to the NDC").fill("Waste-sector methane, within the NDC scope.")
    participant = form.get_by_label(world.orgs["dev"].name)
    expect(participant).to_be_enabled()
    participant.check()
    expect(participant).to_be_checked()
    submit(page, host.get_by_role("button", name="Issue the approval"))
    expect_success(page, "Host approval issued.")
    host = page.locator("#host")
    expect(host).to_contain_text("Cleaner air for Kpone")
    expect(host).to_contain_text(f"Participants authorized: {world.orgs['dev'].name}")

    form = reveal(host, "Issue the authorization statement")
    form.get_by_label("The statement").select_option(label="Authorized for use towards NDCs")
    form.get_by_label("Effective from").fill("2021-01-01")
    submit(page, host.get_by_role("button", name="Issue the statement"))
    expect_success(page, "Authorization statement issued.")
    expect(page.locator("#host")).to_contain_text("Authorized for use towards NDCs")

    # --- The DOE submits the registration request; the fee is assessed from the rule set. ----
    login(world.dora)
    activity_open(page, ref)
    transition_press(page, "request_registration")
    expect(state_badge(page)).to_have_text("Registration requested")
    # 7/CMA.4 annex I para 51: the tier follows the estimated annual reductions.
    fee_usd = RuleSet.objects.in_force(timezone.localdate()).registration_fee(data["estimated_annual"])
    fee_text = f"{fee_usd:,.2f}"
    fee_row = page.locator("#fees tbody tr", has_text="Registration fee")
    expect(fee_row).to_contain_text(fee_text)
    expect(fee_row).to_contain_text("Due")

    # --- The secretariat: the fee paid, then the two checks. -----------------------------------
    form_login(page, world.sam)
    fees_due = page.locator(".card", has_text="Fees awaiting payment")
    expect(fees_due).to_contain_text(fee_text)
    submit(page, fees_due.get_by_role("link", name=ref))
    fee_row = fee_pay(page, kind="Registration fee", reference="WIRE-2026-0042")
    expect(fee_row).to_contain_text("Paid")
    expect(fee_row).to_contain_text("ref. WIRE-2026-0042")
    transition_press(page, "start_completeness_check")
    expect(state_badge(page)).to_have_text("Completeness check")
    transition_press(page, "pass_completeness_check")
    expect(state_badge(page)).to_have_text("Information and reporting check")
    transition_press(page, "pass_information_check")
    expect(state_badge(page)).to_have_text("Review window")

    # --- An SB member requests review; the SB registers at its meeting (RMP 22), with reasons,
    # and the secretariat records the decision (projects.board). --------------------------------
    form_login(page, world.sofia)
    activity_open(page, ref)
    transition_press(page, "request_review", reasons="Check the collection efficiency against the methodology.")
    expect(state_badge(page)).to_have_text("Under SB review")
    expect(transition_form(page, "register")).to_have_count(0)
    form_login(page, world.sam)
    activity_open(page, ref)
    board = page.locator("#board")
    board.get_by_role("button", name="Record a meeting decision").click()
    decision = board.locator("form[action$='/board/record/']")
    decision.get_by_label("Decision").select_option("register")
    decision.get_by_label("Meeting").fill("SBM019")
    decision.get_by_label("Agenda item").fill("4.2")
    decision.get_by_label("Reasons").fill("The validation meets the SB's requirements (RMP 49).")
    submit(page, decision.get_by_role("button", name="Record the decision"))
    expect_success(page, "Board decision recorded.")
    expect(state_badge(page)).to_have_text("Approved (appeal window)")
    # PROC-AC-002 v03.0 paras 103-104: the appeal window runs out with no appeal, then registered.
    out = timers_run_past_due(ref)
    assert "register_after_appeal" in out, out
    activity_open(page, ref)
    expect(state_badge(page)).to_have_text("Registered")

    # --- What the page shows at the end. -------------------------------------------------------
    entries = timeline_entries(page)
    # pacm issue 8: the timeline shows the newest events first; read it back in the order they happened.
    state_changes = [e.split(": ", 1)[1] for e in entries if e.startswith("State changed: ")][::-1]
    assert state_changes == [
        "Draft → Prior consideration notified",
        "Prior consideration notified → Validation contracted",
        "Validation contracted → Global stakeholder consultation",
        "Global stakeholder consultation → Under validation",
        "Under validation → Validated",
        "Validated → Registration requested",
        "Registration requested → Completeness check",
        "Completeness check → Information and reporting check",
        "Information and reporting check → Review window",
        "Review window → Under SB review",
        "Under SB review → Approved (appeal window)",
        "Approved (appeal window) → Registered",
    ]
    for headline in (
        "Activity created: Draft",
        "DOE engaged",
        "Finding raised",
        "Finding answered",
        "Finding closed",
        "Host approval issued",
        "Authorization statement issued",
        "Fee assessed",
        "Fee recorded as paid",
    ):
        assert headline in entries, f"{headline!r} missing from the timeline: {entries}"
    assert [e for e in entries if e == "Document version uploaded"] == ["Document version uploaded"] * 2
    # The hashes shown are those of the bytes uploaded, in the documents and in the timeline.
    expect(page.locator("#documents code.hash")).to_have_text([pdd_sha, vr_sha])
    expect(timeline(page).locator("li", has_text="Document version uploaded").locator("code.hash")).to_have_text(
        [vr_sha, pdd_sha]  # newest first (pacm issue 8)
    )
    # The timeline names the timer as the actor that closed the consultation, in words (pacm issue 9).
    expect(timeline(page).locator("li", has_text="Global stakeholder consultation → Under validation")).to_contain_text(
        "Deadline passed (Close the consultation)"
    )
    expect(timeline(page).locator("li", has_text="Under SB review → Approved (appeal window)")).to_contain_text(
        "The validation meets the SB's requirements (RMP 49)."
    )
    page.screenshot(path=str(tmp_path / "part1-registered.png"), full_page=True)

    # --- And in the database. ------------------------------------------------------------------
    activity = Activity.objects.get(reference=ref)
    assert activity.state == A.REGISTERED
    assert [v.sha256 for d in activity.documents.order_by("kind") for v in d.versions.all()] == [
        hashlib.sha256(pdd_path.read_bytes()).hexdigest(),
        hashlib.sha256(vr_path.read_bytes()).hexdigest(),
    ]
    assert Event.objects.filter(stream=activity.stream).count() == len(entries)
    out = io.StringIO()
    call_command("verify_events", stdout=out)
    assert out.getvalue().startswith("OK:")


# --- Part 2 (issue 3): monitoring, verification, issuance, and the units in the registry. -------

# The quantity field of a move ("Units *"), not the filter below it ("Only units of activity").
UNITS = re.compile(r"^Units")


@pytest.fixture
def registered(world):
    """An activity registered through the services, its crediting period starting two years ago,
    so that one monitoring period can claim two whole vintage years in the past."""
    back = timezone.make_aware(datetime.datetime(timezone.localdate().year - 2, 7, 1, 9, 0))
    with time_machine.travel(back, tick=False):
        activity = services.activity_create(user=world.ama, **f.pdd_data(world.host, world.version))
        return advance(world, activity, A.REGISTERED)


def _rounded(value, rounding):
    assert rounding in (Rounding.DOWN, Rounding.UP), rounding
    return math.floor(value) if rounding == Rounding.DOWN else math.ceil(value)


def _serial_ranges(tranches, takes):
    """Walk the issued blocks in serial order (vintage, then serial) and hand out `takes` units
    in turn, as the registry does for SOP, OMGE and each forwarding (rules.md §4.5):
    returns, per take, its [(vintage, first, last)]."""
    cursor = [[vintage, first, last] for vintage, first, last in tranches]
    result = []
    for quantity in takes:
        ranges = []
        while quantity:
            vintage, first, last = cursor[0]
            n = min(quantity, last - first + 1)
            ranges.append((vintage, first, first + n - 1))
            quantity -= n
            if first + n > last:
                cursor.pop(0)
            else:
                cursor[0][1] = first + n
        result.append(ranges)
    return result, [tuple(c) for c in cursor]


def test_monitoring_to_units_in_the_holding_account(page, login, world, registered, tmp_path):
    ref = registered.reference
    v1, v2 = registered.crediting_start.year, registered.crediting_start.year + 1
    claimed = {v1: 12_400, v2: 17_672}
    verified = {v1: 12_345, v2: 17_672}
    gross = sum(verified.values())
    period_end = datetime.date(v2, 6, 30)
    mr_path, mr_sha = pdf_write(tmp_path / "monitoring-report.pdf", "Monitoring report MP1")
    vr_path, vr_sha = pdf_write(tmp_path / "verification-report.pdf", "Verification and certification report MP1")
    dev, dev2 = world.orgs["dev"], world.orgs["dev2"]

    # --- Holding accounts: the host's DNA opens the participant's, the secretariat another one. ---
    form_login(page, world.dina)
    page.get_by_role("link", name="My accounts").click()
    open_card = page.locator("#open")
    open_card.get_by_label("Participant organisation").select_option(label=dev.name)
    open_card.get_by_label("Account name").fill("Kpone Green Energy main account")
    submit(page, open_card.get_by_role("button", name="Open the account"))
    expect_success(page, f"opened for {dev.name}")
    form_login(page, world.sam)
    page.goto("/registry/accounts/")
    open_card = page.locator("#open")
    open_card.get_by_label("Participant organisation").select_option(label=dev2.name)
    open_card.get_by_label("Account name").fill("Savannah Carbon trading account")
    # Not a participant Ghana's approval authorized: the account rests on Kenya's letter (RMP 63).
    open_card.get_by_label("The Party's authorization of the entity").fill("KE-LoA-2024-07")
    open_card.get_by_label("Date of the authorization").fill("2024-07-01")
    submit(page, open_card.get_by_role("button", name="Open the account"))
    expect_success(page, f"opened for {dev2.name}")
    own = Account.objects.get(kind=AccountKind.HOLDING, organisation=dev)
    other = Account.objects.get(kind=AccountKind.HOLDING, organisation=dev2)

    # --- The participant engages the verification DOE and submits the monitoring report. ------
    form_login(page, world.ama)
    activity_open(page, ref)
    expect(state_badge(page)).to_have_text("Registered")
    engage = page.locator("#parties form")
    engage.get_by_label("Designated operational entity").select_option(label=world.orgs["doe"].name)
    submit(page, engage.get_by_role("button", name="Engage this DOE for verification"))
    expect_success(page, "DOE engaged.")
    expect(page.locator("#parties")).to_contain_text(re.compile(rf"Verification DOE\s*{world.orgs['doe'].name}"))

    page.get_by_role("link", name="Submit a monitoring report").click()
    form = page.locator("#period-form")
    # The first period starts with the crediting period (no gap, no overlap).
    expect(form.get_by_label("Monitoring period start")).to_have_value(registered.crediting_start.isoformat())
    form.get_by_label("Monitoring period end").fill(period_end.isoformat())
    for i, (vintage, quantity) in enumerate(sorted(claimed.items())):
        form.locator(f"input[name='claims-{i}-vintage']").fill(str(vintage))
        form.locator(f"input[name='claims-{i}-quantity']").fill(str(quantity))
    form.get_by_label("Monitoring report").set_input_files(str(mr_path))
    submit(page, form.get_by_role("button", name="Submit for verification"))
    expect_success(page, "Monitoring period 1 submitted for verification.")
    expect(state_badge(page)).to_have_text("Monitoring report submitted")
    expect(page.locator("#documents")).to_contain_text(mr_sha)
    assert table_rows(page.locator("#claims table"))[: len(claimed)] == [
        [str(v), f"{q:,}", "not yet verified"] for v, q in sorted(claimed.items())
    ]
    period_url = page.url

    # --- The verification DOE verifies and certifies, then prepares the issuance request. ----
    form_login(page, world.dora)
    page.goto(period_url)
    transition_press(page, "start_verification")
    expect(state_badge(page)).to_have_text("Under verification")
    document_upload(page, kind="Verification and certification report", path=vr_path)
    expect(page.locator("#documents")).to_contain_text(vr_sha)
    certify = page.locator("#certify")
    for vintage, quantity in verified.items():
        certify.get_by_label(f"Vintage {vintage}: verified").fill(str(quantity))
    submit(page, certify.get_by_role("button", name="Certify these quantities"))
    expect_success(page, "Verification and certification opinion given.")
    expect(state_badge(page)).to_have_text("Verified and certified")
    assert table_rows(page.locator("#claims table"))[: len(claimed)] == [
        [str(v), f"{claimed[v]:,}", f"{verified[v]:,}"] for v in sorted(claimed)
    ]

    # The split, computed here from the rule set in force (RMP 58-59; policy.md §1).
    rule_set = RuleSet.objects.in_force(timezone.localdate())
    assert (rule_set.sop_rounding, rule_set.omge_rounding) == (Rounding.DOWN, Rounding.UP)
    sop = _rounded(gross * rule_set.sop_rate, rule_set.sop_rounding)
    omge = _rounded(gross * rule_set.omge_min_rate, rule_set.omge_rounding)
    net = gross - sop - omge

    issuance = page.locator("#issuance-form")
    expect(issuance.get_by_label("Units requested")).to_have_value(str(gross))
    # The DOE reads the participant's account number from the form's own hint.
    expect(issuance).to_contain_text(f"{own.number} {dev.name}")
    issuance.locator("input[name='lines-0-account']").fill(own.number)
    issuance.locator("input[name='lines-0-percent']").fill("100")
    submit(page, issuance.get_by_role("button", name="Preview the split"))
    preview = page.locator("#preview")
    expect(preview).to_contain_text("Preview: nothing is submitted yet")
    # The preview's rows are <th> + <td>s: the label is the row header, the figure the last cell.
    figures = dict(zip(preview.locator("table").first.locator("tbody th").all_inner_texts(),
                       [r[-1] for r in table_rows(preview.locator("table").first)], strict=True))
    assert figures == {
        "Gross issued": f"{gross:,}",
        "Share of proceeds to the Adaptation Fund (RMP 58)": f"{sop:,}",
        "OMGE cancellation (RMP 59)": f"{omge:,}",
        "Net to the participants' accounts": f"{net:,}",
    }
    assert table_rows(preview.locator("table").nth(1)) == [[own.number, "100%", f"{net:,}"]]
    expect(preview).to_contain_text(f"SOP rounded down, OMGE rounded up, per rule set {rule_set.version}")
    # Nothing was submitted by the preview.
    expect(state_badge(page)).to_have_text("Verified and certified")

    issuance = page.locator("#issuance-form")
    submit(page, issuance.get_by_role("button", name="Submit the issuance request"))
    expect_success(page, "Issuance request submitted")
    expect(state_badge(page)).to_have_text("Issuance requested")
    # 7/CMA.4 annex I para 53: the issuance fee on the units requested.
    fee_usd = rule_set.issuance_fee_per_unit_usd * gross
    fee_row = page.locator("#fees tbody tr", has_text="Issuance fee")
    expect(fee_row).to_contain_text(f"{fee_usd:,.2f}")
    expect(fee_row).to_contain_text("Due")

    # --- The participant confirms the OMGE election and the distribution (pacm issue 9). ------
    login(world.ama)
    page.goto(period_url)
    issuance_confirm(page)

    # --- The secretariat: the fee paid, the checks passed. -------------------------------------
    login(world.sam)
    page.goto(period_url)
    fee_pay(page, kind="Issuance fee", reference="WIRE-2026-0101")
    expect(page.locator("#fees tbody tr", has_text="Issuance fee")).to_contain_text("Paid")
    transition_press(page, "start_issuance_checks")
    expect(state_badge(page)).to_have_text("Secretariat checks")
    transition_press(page, "pass_issuance_checks")
    expect(state_badge(page)).to_have_text("Issuance review window")

    # --- The review window, then the appeal window, close by the timer; the registry issues. --
    out = timers_run_past_due(ref, period_number=1)
    assert "fired approve_by_timer" in out
    page.reload()
    expect(state_badge(page)).to_have_text("Approved (appeal window)")
    out = timers_run_past_due(ref, period_number=1)
    assert "fired close_appeal_window" in out
    page.reload()
    expect(state_badge(page)).to_have_text("Issued")
    executed = page.locator("#executed-split")
    expect(executed).to_contain_text(f"{net:,}")

    # --- The participant sees exactly the units and serial ranges expected. -----------------
    issued = [(v, 1, verified[v]) for v in sorted(verified)]  # serials start at 1 per vintage
    (sop_ranges, omge_ranges, own_ranges), left = _serial_ranges(issued, [sop, omge, net])
    assert left == []

    def serial(vintage, first, last):
        return serial_compose(host_iso2=world.host.iso2, activity_reference=ref, vintage=vintage,
                              serial_start=first, serial_end=last)

    login(world.ama)
    page.goto("/registry/accounts/")
    expect(page.locator("#accounts tbody tr", has_text=own.number)).to_contain_text(f"{net:,}")
    submit(page, page.get_by_role("link", name=own.number))
    expect(page.locator("#total-held")).to_have_text(f"{net:,}")
    holdings = page.locator("#holdings")
    expect(holdings.locator("code.hash")).to_have_text([serial(*r) for r in own_ranges])
    per_vintage = {}
    for vintage, first, last in own_ranges:
        per_vintage[vintage] = per_vintage.get(vintage, 0) + last - first + 1
    rows = table_rows(holdings.locator("table").first)
    assert [(r[0], r[1], r[-1]) for r in rows] == [(ref, str(v), f"{n:,}") for v, n in sorted(per_vintage.items())]
    statement = page.locator("#statement")
    expect(statement.locator("tbody tr")).to_have_count(1)
    expect(statement.locator("tbody tr").first).to_contain_text(f"+{net:,}")

    # --- A transfer to another holding account, then a voluntary cancellation. ----------------
    moved, cancelled = 5_000, 1_000
    transfer = page.locator("#transfer")
    transfer.get_by_label("To holding account number").fill(other.number)
    transfer.get_by_label(UNITS).fill(str(moved))
    submit(page, transfer.get_by_role("button", name="Review the transfer"))
    # pacm issue 9 (move-confirm-1): the review shows the receiver and the exact serial ranges first.
    (moved_ranges, cancelled_ranges), remaining = _serial_ranges(own_ranges, [moved, cancelled])
    review = page.locator("#review")
    expect(review.locator("#to-number")).to_have_text(other.number)
    expect(review.locator("tbody code.hash")).to_have_text([serial(*r) for r in moved_ranges])
    submit(page, review.get_by_role("button", name="Confirm"))
    # 2/CMA.3 annex para 2(a): NDC-authorized units leaving Ghana are first-transferred.
    expect_success(page, f"{moved:,} units transferred to {other.number} (a first transfer).")

    cancel = page.locator("#cancel")
    cancel.get_by_label(UNITS).fill(str(cancelled))
    cancel.get_by_label("Purpose").fill("Voluntary claim, Kpone municipality 2026")
    submit(page, cancel.get_by_role("button", name="Review the cancellation"))
    review = page.locator("#review")
    expect(review.locator("tbody code.hash")).to_have_text([serial(*r) for r in cancelled_ranges])
    submit(page, review.get_by_role("button", name="Confirm"))
    expect_success(page, f"{cancelled:,} units cancelled voluntarily.")

    expect(page.locator("#total-held")).to_have_text(f"{net - moved - cancelled:,}")
    expect(page.locator("#holdings code.hash")).to_have_text([serial(*r) for r in remaining])
    rows = page.locator("#statement tbody tr")
    expect(rows).to_have_count(3)
    # Found by what they say, not by position: the statement is newest first, and the forwarding
    # carries the moved clock's date (after the appeal window), later than today's two moves.
    cancellation = rows.filter(has_text="Voluntary cancellation")
    expect(cancellation).to_contain_text(f"−{cancelled:,}")
    expect(cancellation).to_contain_text("Purpose: Voluntary claim, Kpone municipality 2026")
    expect(cancellation.locator("code.hash")).to_have_text([serial(*r) for r in cancelled_ranges])
    transfer = rows.filter(has_text=other.number)
    expect(transfer).to_contain_text("Transfer")
    expect(transfer).to_contain_text("first transfer")
    expect(transfer).to_contain_text(f"−{moved:,}")
    expect(transfer.locator("code.hash")).to_have_text([serial(*r) for r in moved_ranges])
    forwarding = rows.filter(has_text="Forwarding")
    expect(forwarding).to_contain_text(f"+{net:,}")
    expect(forwarding.locator("code.hash")).to_have_text([serial(*r) for r in own_ranges])
    page.screenshot(path=str(tmp_path / "part2-account.png"), full_page=True)

    # --- And in the database: the ledger agrees, nothing vanished, the chains hold. -----------
    period = MonitoringPeriod.objects.get(activity=registered, number=1)
    assert period.state == P.ISSUED

    def held(account):
        return sorted((b.vintage, b.serial_start, b.serial_end) for b in UnitBlock.objects.filter(account=account))

    assert held(own) == sorted(remaining)
    assert held(other) == sorted(moved_ranges)
    # RMP 58-59: the share of proceeds went to the Adaptation Fund, the OMGE units were cancelled.
    assert held(Account.objects.get(kind=AccountKind.SOP_ADAPTATION)) == sorted(sop_ranges)
    assert held(Account.objects.get(kind=AccountKind.OMGE_MANDATORY)) == sorted(omge_ranges)
    assert held(Account.objects.get(kind=AccountKind.VOLUNTARY_CANCELLATION)) == sorted(cancelled_ranges)
    blocks = UnitBlock.objects.filter(activity=registered)
    assert sum(b.serial_end - b.serial_start + 1 for b in blocks) == gross
    out = io.StringIO()
    call_command("verify_events", stdout=out)
    assert out.getvalue().startswith("OK:")
