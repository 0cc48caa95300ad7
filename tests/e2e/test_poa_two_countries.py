"""A two-country PoA (Ghana and Kenya) from prior consideration to its first included component project
and its first issuance, in real Chromium, each person on their own login and their own forms (pacm issue 7).

The journey follows A6.4-PROC-AC-003 v03.0: prior consideration with the PoA period (paras 16-19); the
PoA-DD with the generic CP-DD and the eligibility criteria published for the global stakeholder
consultation (paras 20-22); each host Party's approval with its maximum annual amount (paras 23-27,
25(d), 26) and the authorization statement; the DOE's validation and its registration request (paras
29-45), processed as a project's (A6.4-PROC-AC-002 v03.0 paras 67-116: the fee, the secretariat's two
checks, an SB member's request for review, the Board's decision recorded by the secretariat, the appeal
window); the coordinating/managing entity's CP inclusion notification (para 91), the DOE's validation of
the CP against every eligibility criterion (para 95) and its inclusion by upload within the host's cap
(paras 98, 123-124), the inclusion fee and the inclusion (paras 124-126); the CP's crediting period
(A6.4-STAN-AC-004 v03.0 paras 124, 127, 130-131); the monitoring report of a batch with that CP, per CP
per vintage (paras 201, 203, 217-220), the DOE's verification, its issuance request within the host's
maximum (para 222), the participants' confirmation of the OMGE election and the distribution (pacm
issue 9), the secretariat's checks and the issuance, the CP and the PoA printed on the serial blocks
(para 220). The bad input: an upload for inclusion that the host's cap no longer holds is refused with
the total and the cap named, and nothing changes (paras 98, 124).

Not a person's action, advanced here with `time_machine` and the timer pass (`projects.timers.timers_run`,
the cron / beat job): the consultation's 28 days, the registration's appeal window, the issuance's review
and appeal windows; the issuing task runs eagerly on the timer's commit (CELERY_TASK_ALWAYS_EAGER). The
two Kenyan CPs of the cap refusal are brought to "validated" by the builders (tests/poa/conftest.py):
they are the scene of the refusal, not the journey's CP.
"""
import datetime
import math

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from methodologies.models import Rounding, RuleSet
from pacm.events.models import Event
from pacm.registry.models import Account, AccountKind, UnitBlock
from pacm.registry.serials import serial_compose
from projects.board.models import Decision
from projects.cycle import ActivityState as A
from projects.cycle import PeriodState as P
from projects.models import MonitoringPeriod
from projects.poa import events as poa_events
from projects.poa.cycle import CPState as C
from projects.poa.models import ComponentProject, PoAHost, Programme
from projects.timers import timers_run
from tests.poa.conftest import notify_cp, reach_cp

from .pages import (
    document_upload,
    expect_success,
    fee_pay,
    issuance_confirm,
    pdf_write,
    reveal,
    state_badge,
    submit,
    table_rows,
    transition_form,
    transition_press,
)

CAPS = {"GH": 50_000, "KE": 30_000}


def timers_past_due(time_machine, obj):
    """The clock just past `obj`'s due date, then one timer pass (the cron / beat job)."""
    obj = type(obj).objects.get(pk=obj.pk)
    assert obj.due_at is not None, f"{obj} has no running timer"
    time_machine.move_to(obj.due_at + datetime.timedelta(seconds=1), tick=True)
    return timers_run()


def poa_open(page, reference):
    response = page.goto(f"/poas/{reference}/")
    assert response.status == 200, f"{reference} answered {response.status}"


def cp_open(page, reference):
    response = page.goto(f"/cps/{reference}/")
    assert response.status == 200, f"{reference} answered {response.status}"


def upload(page, *, kind, path):
    """The upload form of the PoA or CP page's documents card."""
    card = page.locator("#documents")
    card.get_by_label("Document").select_option(label=kind)
    card.get_by_label("File").set_input_files(str(path))
    submit(page, card.get_by_role("button", name="Upload"))
    expect_success(page, "Document uploaded.")


def host_rows(page):
    return table_rows(page.locator("#hosts table"))


def _rounded(value, rounding):
    assert rounding in (Rounding.DOWN, Rounding.UP), rounding
    return math.floor(value) if rounding == Rounding.DOWN else math.ceil(value)


def test_a_two_country_poa_from_prior_consideration_to_its_first_issuance(page, login, world, time_machine,
                                                                          tmp_path):
    doe = world.orgs["doe"]
    cme = world.orgs["dev"]
    docs = {name: pdf_write(tmp_path / f"{name}.pdf", f"{name} of the clean cooking PoA")
            for name in ("poa-dd", "generic-cp-dd", "validation-report", "cp-dd", "cp-validation-report",
                         "cp-inclusion-form", "monitoring-report", "verification-report")}

    # --- Paras 16-19: the CME drafts the PoA with both hosts and notifies prior consideration. ---
    login(world.ama)
    response = page.goto("/poas/new/")
    assert response.status == 200
    today = timezone.localdate()
    period_start = datetime.date(today.year, 1, 1)
    period_end = datetime.date(today.year + 20, 1, 1) - datetime.timedelta(days=1)
    page.get_by_label("Title").fill("Ghana and Kenya clean cooking programme")
    page.get_by_label("Host Parties").select_option(label=[str(world.host), str(world.other)])
    page.get_by_label("Methodology and version").select_option(str(world.version.pk))
    page.get_by_label("Sectoral scope").select_option(str(world.version.methodology.sectoral_scopes.first().pk))
    page.get_by_label("Geographical boundary").fill("Ghana and Kenya")
    page.get_by_label("Start of the PoA period").fill(period_start.isoformat())
    page.get_by_label("End of the PoA period").fill(period_end.isoformat())
    page.get_by_label("Indicative maximum annual reductions or removals").fill("80000")
    page.get_by_label("Description").fill("Improved cookstoves distributed to households in both countries.")
    page.get_by_label("Typical component projects").fill("A distributor's cookstove programme in one region.")
    page.get_by_label("Eligibility criteria for including CPs, one a line").fill(
        "The cookstoves are of a type listed in the PoA-DD.\nThe CP lies within its host's boundary.")
    submit(page, page.get_by_role("button", name="Draft the PoA"))
    expect_success(page, "drafted.")
    poa = Programme.objects.get(title="Ghana and Kenya clean cooking programme")
    ref = poa.reference
    assert page.url.endswith(f"/poas/{ref}/")
    expect(state_badge(page)).to_have_text("Draft")
    assert [r[0] for r in host_rows(page)] == ["Ghana", "Kenya"]

    engage = page.locator("form[action$='/doe/']")
    engage.get_by_label("Designated operational entity").select_option(label=doe.name)
    submit(page, engage.get_by_role("button", name="Engage the DOE"))
    expect_success(page, "DOE engaged.")
    transition_press(page, "notify_prior_consideration")
    expect(state_badge(page)).to_have_text("Prior consideration notified")

    # --- Paras 20-22: the DOE accepts; the PoA-DD and the generic CP-DD; published for 28 days. ---
    login(world.dora)
    poa_open(page, ref)
    transition_press(page, "accept_engagement")
    expect(state_badge(page)).to_have_text("Validation contracted")
    login(world.ama)
    poa_open(page, ref)
    upload(page, kind="Project design document", path=docs["poa-dd"][0])
    upload(page, kind="Generic component project design document", path=docs["generic-cp-dd"][0])
    login(world.dora)
    poa_open(page, ref)
    transition_press(page, "publish_for_consultation")
    expect(state_badge(page)).to_have_text("Global stakeholder consultation")

    # The consultation closes by the timer (not a person's action).
    assert "close_consultation" in str(timers_past_due(time_machine, poa))
    login(world.dora)
    poa_open(page, ref)
    expect(state_badge(page)).to_have_text("Under validation")

    # --- Paras 29-43: the validation report and the positive opinion. ---------------------------
    upload(page, kind="Validation report", path=docs["validation-report"][0])
    transition_press(page, "validate", comment="The PoA meets the requirements of the RMP and the methodology.")
    expect(state_badge(page)).to_have_text("Validated")
    # Para 26: not before every host has approved.
    expect(transition_form(page, "request_registration").get_by_role("button")).to_be_disabled()
    expect(page.locator("#blocked-request_registration")).to_contain_text("Ghana, Kenya")

    # --- Paras 23-27: each host's DNA approves for its own part, with its maximum. --------------
    for user, iso2, party in ((world.dina, "GH", world.host), (world.nils, "KE", world.other)):
        login(user)
        poa_open(page, ref)
        row = PoAHost.objects.get(poa=poa, party=party)
        forms = page.locator("#hosts form")
        expect(forms).to_have_count(1)  # its own host only
        form = page.locator(f"#hosts form[action$='/hosts/{row.pk}/approve/']")
        expect(form).to_contain_text(f"Approve as {party.name}")
        form.get_by_label("Maximum annual reductions or removals of all CPs in this Party").fill(str(CAPS[iso2]))
        form.get_by_label("How the PoA fosters sustainable development").fill(f"Cleaner kitchens in {party.name}.")
        form.get_by_label("How the PoA relates to the NDC").fill("Household energy, within the NDC.")
        submit(page, form.get_by_role("button", name="Approve the PoA"))
        expect_success(page, "Host approval recorded.")
        expect(page.locator("#hosts form")).to_have_count(0)
    # The per-host caps on the PoA page.
    assert host_rows(page) == [["Ghana", "50,000", "0", "0"], ["Kenya", "30,000", "0", "0"]]

    # The authorization statement (RMP 42), by Ghana's DNA.
    login(world.dina)
    poa_open(page, ref)
    auth = page.locator("form[action$='/authorization/']")
    auth.get_by_label("The statement").select_option(label="Authorized for use towards NDCs")
    auth.get_by_label("Effective from").fill("2021-01-01")
    submit(page, auth.get_by_role("button", name="Issue the statement"))
    expect_success(page, "Authorization statement issued.")

    # --- Paras 44-45: the DOE requests registration; the PoA fee (App.1 para 6(a)). -------------
    login(world.dora)
    poa_open(page, ref)
    transition_press(page, "request_registration")
    expect(state_badge(page)).to_have_text("Registration requested")
    rule_set = RuleSet.objects.in_force(timezone.localdate())
    fees = page.locator("#fees")
    expect(fees).to_contain_text(f"Registration fee: {rule_set.poa_registration_fee_usd:,.2f} USD (Due)")

    # --- PROC-AC-002 v03.0 paras 67-99: the fee paid, the two checks, the review window. --------
    login(world.sam)
    poa_open(page, ref)
    fees = page.locator("#fees")
    fees.get_by_label("Payment reference").fill("WIRE-POA-2026-0007")
    submit(page, fees.get_by_role("button", name="Record the payment"))
    expect_success(page, "Payment recorded.")
    expect(page.locator("#fees")).to_contain_text("(Paid)")
    transition_press(page, "start_completeness_check")
    transition_press(page, "pass_completeness_check")
    transition_press(page, "pass_information_check")
    expect(state_badge(page)).to_have_text("Review window")

    # --- Paras 100-104: an SB member requests review; the Board registers at its meeting. -------
    login(world.sofia)
    poa_open(page, ref)
    transition_press(page, "request_review", reasons="Check the per-host maxima against the typical CPs.")
    expect(state_badge(page)).to_have_text("Under SB review")
    login(world.sam)
    poa_open(page, ref)
    decision = reveal(page.locator("#board"), "Record a meeting decision")
    decision.get_by_label("Decision").select_option("register")
    decision.get_by_label("Meeting").fill("SBM021")
    decision.get_by_label("Agenda item").fill("5.1")
    decision.get_by_label("Reasons").fill("The PoA's validation meets the SB's requirements.")
    submit(page, decision.get_by_role("button", name="Record the decision"))
    expect_success(page, "Board decision recorded.")
    expect(state_badge(page)).to_have_text("Approved (appeal window)")
    # Para 89: the appeal window runs out with no appeal (the timer), then registered.
    assert "register_after_appeal" in str(timers_past_due(time_machine, poa))
    login(world.ama)
    poa_open(page, ref)
    expect(state_badge(page)).to_have_text("Registered")

    # --- The CME's holding account, opened by Ghana's DNA (7/CMA.4 annex I para 33). ------------
    login(world.dina)
    page.goto("/registry/accounts/")
    open_card = page.locator("#open")
    open_card.get_by_label("Participant organisation").select_option(label=cme.name)
    open_card.get_by_label("Account name").fill("Kpone Green Energy PoA account")
    submit(page, open_card.get_by_role("button", name="Open the account"))
    expect_success(page, f"opened for {cme.name}")
    account = Account.objects.get(kind=AccountKind.HOLDING, organisation=cme)

    # --- Para 91: the CME notifies the inclusion of a CP in Ghana. ------------------------------
    today = timezone.localdate()
    cp_start = datetime.date(today.year + 1, 1, 1)  # within 2 years of the notification (STAN-AC-004 para 131)
    cp_end = datetime.date(cp_start.year + 5, 1, 1) - datetime.timedelta(days=1)  # 5 years, renewable (RMP 31(f))
    login(world.ama)
    poa_open(page, ref)
    submit(page, page.locator("#components").get_by_role("link", name="Notify a component project"))
    page.get_by_label("Title of the CP").fill("Ashanti cookstoves")
    page.get_by_label("Host Party").select_option(label=f"{world.host} in {ref}")
    page.get_by_label("Implementers of the CP").select_option(label=[world.orgs["dev2"].name])
    page.get_by_label("DOE contracted for the validation").select_option(label=doe.name)
    page.get_by_label("Precise location").fill("Kumasi, Ashanti")
    page.get_by_label("Technologies or measures").fill("Improved biomass cookstoves.")
    page.get_by_label("Start date of the CP").fill(cp_start.isoformat())
    page.get_by_label("Crediting period type").select_option("renewable")
    page.get_by_label("Crediting period start").fill(cp_start.isoformat())
    page.get_by_label("Crediting period end").fill(cp_end.isoformat())
    page.get_by_label("Estimated annual reductions or removals").fill("20000")
    submit(page, page.get_by_role("button", name="Notify the inclusion"))
    expect_success(page, "Component project notified.")
    cp = ComponentProject.objects.get(poa=poa, title="Ashanti cookstoves")
    assert cp.state == C.NOTIFIED

    # --- Paras 95-97: the DOE validates the CP against the generic CP-DD and every criterion. ---
    login(world.dora)
    cp_open(page, cp.reference)
    transition_press(page, "start_validation")
    expect(state_badge(page)).to_have_text("Under validation")
    login(world.ama)
    cp_open(page, cp.reference)
    upload(page, kind="Component project design document", path=docs["cp-dd"][0])
    login(world.dora)
    cp_open(page, cp.reference)
    upload(page, kind="Validation report for inclusion of the CP", path=docs["cp-validation-report"][0])
    upload(page, kind="Component project inclusion form", path=docs["cp-inclusion-form"][0])
    validate = transition_form(page, "validate")
    for criterion in poa.eligibility_criteria.order_by("number"):
        box = validate.get_by_label(str(criterion))
        box.check()
        expect(box).to_be_checked()
    transition_press(page, "validate", comment="Every eligibility criterion is met.")
    expect(state_badge(page)).to_have_text("Validated")

    # --- Paras 123-124: the DOE includes the CP by uploading it; the inclusion fee follows. -----
    upload_form = transition_form(page, "upload_inclusion")
    expect(upload_form.get_by_label("Crediting period start")).to_have_value(cp_start.isoformat())
    expect(upload_form.get_by_label("Crediting period end")).to_have_value(cp_end.isoformat())
    transition_press(page, "upload_inclusion")
    expect(state_badge(page)).to_have_text("Uploaded for inclusion (fee due)")

    # --- Paras 124-126: the secretariat records the inclusion fee and includes the CP. ----------
    login(world.sam)
    cp_open(page, cp.reference)
    include = transition_form(page, "include")
    include.get_by_label("Payment reference of the inclusion fee").fill("WIRE-CP-2026-0001")
    transition_press(page, "include")
    expect(state_badge(page)).to_have_text("Included")

    # The PoA page shows the CP and Ghana's total against its cap.
    poa_open(page, ref)
    assert host_rows(page) == [["Ghana", "50,000", "20,000", "1"], ["Kenya", "30,000", "0", "0"]]
    cp_row = page.locator("#components tbody tr", has_text=cp.reference)
    expect(cp_row).to_contain_text("Ashanti cookstoves")
    expect(cp_row).to_contain_text("Included")

    # --- The bad input (paras 98, 124): an upload the host's cap no longer holds. ---------------
    # Two Kenyan CPs validated by the DOE (builders); its page of the second one is open while, in
    # another tab, it uploads the first: the second would take Kenya to 35,000, above 30,000.
    rift = reach_cp(world, notify_cp(world, poa, iso2="KE", title="Rift Valley cookstoves", doe=doe,
                                     estimated_annual=20_000), C.VALIDATED, doe_user=world.dora)
    lake = reach_cp(world, notify_cp(world, poa, iso2="KE", title="Lake Victoria cookstoves", doe=doe,
                                     estimated_annual=15_000), C.VALIDATED, doe_user=world.dora)
    login(world.dora)
    cp_open(page, lake.reference)
    expect(transition_form(page, "upload_inclusion").get_by_role("button")).to_be_enabled()
    other_tab = page.context.new_page()
    cp_open(other_tab, rift.reference)
    transition_press(other_tab, "upload_inclusion")
    expect(state_badge(other_tab)).to_have_text("Uploaded for inclusion (fee due)")
    other_tab.close()
    before = Event.objects.filter(stream=poa.stream).count()
    submit(page, transition_form(page, "upload_inclusion").get_by_role("button"))
    refusal = page.locator(".pacm-messages .alert-danger")
    expect(refusal).to_contain_text("the annual total in Kenya would be 35,000 t CO2e")
    expect(refusal).to_contain_text("above the host's maximum of 30,000 t CO2e")
    expect(page.locator(".pacm-messages .alert-success")).to_have_count(0)
    expect(state_badge(page)).to_have_text("Validated")
    expect(transition_form(page, "upload_inclusion").get_by_role("button")).to_be_disabled()
    assert ComponentProject.objects.get(pk=lake.pk).state == C.VALIDATED
    assert Event.objects.filter(stream=poa.stream).count() == before
    assert not lake.poa.fees.filter(kind="inclusion", basis__contains=lake.reference).exists()
    poa_open(page, ref)
    assert host_rows(page) == [["Ghana", "50,000", "20,000", "1"], ["Kenya", "30,000", "20,000", "0"]]

    # --- Para 203: the CME engages the verification DOE. ----------------------------------------
    login(world.ama)
    poa_open(page, ref)
    verification = page.locator("form[action$='/verification-doe/']")
    verification.get_by_label("Designated operational entity").select_option(label=doe.name)
    submit(page, verification.get_by_role("button", name="Engage the verification DOE"))
    expect_success(page, "Verification DOE engaged.")

    # --- Paras 201, 217-220: after the first year of crediting, a batch with the CP. ------------
    vintage = cp_start.year
    period_end = datetime.date(vintage, 12, 31)
    claimed, verified = 12_400, 12_345
    time_machine.move_to(datetime.datetime(vintage + 1, 1, 15, 9, 0, tzinfo=datetime.UTC), tick=True)
    login(world.ama)
    poa_open(page, ref)
    batch = page.locator("#batches")
    batch.get_by_label("Monitoring period start").fill(cp_start.isoformat())
    batch.get_by_label("Monitoring period end").fill(period_end.isoformat())
    batch.get_by_label("Claims: one line per CP and vintage").fill(f"{cp.reference}, {vintage}, {claimed}")
    batch.get_by_label("Monitoring report").set_input_files(str(docs["monitoring-report"][0]))
    submit(page, batch.get_by_role("button", name="Submit the monitoring report"))
    expect_success(page, "Monitoring report submitted.")
    assert table_rows(page.locator("#batches table"))[0][2:] == ["Monitoring report submitted", cp.reference, str(vintage),
                                                                 f"{claimed:,}", ""]
    submit(page, page.locator("#batches tbody").get_by_role("link", name="1", exact=True))
    period_url = page.url
    assert period_url.endswith(f"/activities/{ref}/periods/1/")

    # --- The verification DOE verifies per CP per vintage and requests issuance. ----------------
    login(world.dora)
    page.goto(period_url)
    transition_press(page, "start_verification")
    expect(state_badge(page)).to_have_text("Under verification")
    document_upload(page, kind="Verification and certification report", path=docs["verification-report"][0])
    certify = page.locator("#certify")
    certify.get_by_label(f"{cp.reference}, vintage {vintage}: verified").fill(str(verified))
    submit(page, certify.get_by_role("button", name="Certify these quantities"))
    expect_success(page, "Verification and certification opinion given.")
    expect(state_badge(page)).to_have_text("Verified and certified")

    issuance = page.locator("#issuance-form")
    expect(issuance.get_by_label("Units requested")).to_have_value(str(verified))
    issuance.locator("input[name='lines-0-account']").fill(account.number)
    issuance.locator("input[name='lines-0-percent']").fill("100")
    submit(page, issuance.get_by_role("button", name="Submit the issuance request"))
    expect_success(page, "Issuance request submitted")
    expect(state_badge(page)).to_have_text("Issuance requested")

    # --- pacm issue 9: the CME confirms the OMGE election and the distribution. -----------------
    login(world.ama)
    page.goto(period_url)
    issuance_confirm(page)

    # --- The secretariat: the issuance fee paid, the checks passed. -----------------------------
    login(world.sam)
    page.goto(period_url)
    fee_pay(page, kind="Issuance fee", reference="WIRE-POA-2027-0101")
    transition_press(page, "start_issuance_checks")
    expect(state_badge(page)).to_have_text("Secretariat checks")
    transition_press(page, "pass_issuance_checks")
    expect(state_badge(page)).to_have_text("Issuance review window")

    # The review and the appeal windows close by the timer; the registry issues (eager task).
    period = MonitoringPeriod.objects.get(activity_id=poa.pk, number=1)
    assert "approve_by_timer" in str(timers_past_due(time_machine, period))
    assert "close_appeal_window" in str(timers_past_due(time_machine, period))
    login(world.ama)
    page.goto(period_url)
    expect(state_badge(page)).to_have_text("Issued")

    # --- The units in the CME's account, the CP and the PoA on the serial blocks (para 220). ----
    rule_set = RuleSet.objects.in_force(timezone.localdate())
    sop = _rounded(verified * rule_set.sop_rate, rule_set.sop_rounding)
    omge = _rounded(verified * rule_set.omge_min_rate, rule_set.omge_rounding)
    net = verified - sop - omge
    page.goto("/registry/accounts/")
    submit(page, page.get_by_role("link", name=account.number))
    expect(page.locator("#total-held")).to_have_text(f"{net:,}")
    holdings = page.locator("#holdings")
    rows = table_rows(holdings.locator("table").first)
    assert [(r[0], r[1], r[-1]) for r in rows] == [(f"{ref} {cp.reference}", str(vintage), f"{net:,}")]
    expect(holdings.get_by_role("link", name=ref, exact=True)).to_have_attribute("href", f"/poas/{ref}/")
    expect(holdings.get_by_role("link", name=cp.reference)).to_have_attribute("href", f"/cps/{cp.reference}/")
    serial = serial_compose(host_iso2="GH", activity_reference=ref, component_reference=cp.reference,
                            vintage=vintage, serial_start=sop + omge + 1, serial_end=verified)
    assert serial.startswith(f"A6.4ER-GH-{ref}-CP")
    expect(holdings.locator("code.hash")).to_have_text([serial])

    # And in the ledger: every issued unit carries the CP; the CME's block is the net.
    blocks = UnitBlock.objects.filter(activity_id=poa.pk)
    assert {b.component_id for b in blocks} == {cp.pk}
    assert sum(b.serial_end - b.serial_start + 1 for b in blocks) == verified
    assert sorted((b.serial_start, b.serial_end) for b in blocks.filter(account=account)) == [
        (sop + omge + 1, verified)]
    assert MonitoringPeriod.objects.get(pk=period.pk).state == P.ISSUED

    # The events each person's form recorded: the hosts' approvals, the PoA's and the CP's transitions.
    stream = Event.objects.filter(stream=poa.stream).order_by("sequence")
    board = Decision.objects.get(subject_kind="poa", subject_id=poa.pk)
    assert (board.status, board.meeting, board.transition) == (Decision.Status.ADOPTED, "SBM021", "register")
    assert [(e.actor_label, e.payload["party"], e.payload["max_annual"])
            for e in stream.filter(kind=poa_events.POA_HOST_APPROVED)] == [
        ("dina", "Ghana", CAPS["GH"]), ("nils", "Kenya", CAPS["KE"])]
    assert [(e.actor_label, e.payload["transition"]) for e in stream.filter(kind=poa_events.POA_TRANSITIONED)] == [
        ("ama", "notify_prior_consideration"), ("dora", "accept_engagement"), ("dora", "publish_for_consultation"),
        ("timer:close_consultation", "close_consultation"), ("dora", "validate"), ("dora", "request_registration"),
        ("sam", "start_completeness_check"), ("sam", "pass_completeness_check"), ("sam", "pass_information_check"),
        ("sofia", "request_review"), (f"board:{board.pk}", "register"),
        ("timer:register_after_appeal", "register_after_appeal")]
    assert [(e.actor_label, e.payload["transition"]) for e in stream.filter(
        kind=poa_events.CP_TRANSITIONED, payload__component=cp.reference)] == [
        ("dora", "start_validation"), ("dora", "validate"), ("dora", "upload_inclusion"), ("sam", "include")]
    notified = stream.get(kind=poa_events.CP_NOTIFIED, payload__component=cp.reference)
    assert (notified.actor_label, notified.payload["host"], notified.payload["estimated_annual"]) == (
        "ama", "Ghana", 20_000)
    assert Programme.objects.get(pk=poa.pk).state == A.REGISTERED


pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
