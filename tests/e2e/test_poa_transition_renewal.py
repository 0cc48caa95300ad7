"""A transitioned CDM PoA renews its CP's crediting period and issues for the renewed period, in real
Chromium (pacm issue 7; A6.4-PROC-AC-003 v03.0 paras 297-304, 201-222; A6.4-STAN-AC-001 v05.0 para
13(a)(ii), (c); docs/rules-coverage.md renewal-2, renewal-3, renewal-18, renewal-20).

The PoA comes from tests/renewals/transitioned_poa.py (the transition itself is the browser test of
tests/e2e/test_poa_transition.py): Ghana's CP 10415-0001, its crediting period and the PoA period
both ending on 31 Dec 2025. Through the pages: the coordinating/managing entity (ama) engages Orbis as
the CP's DOE (the CP records none: renewal-20), Orbis (otto) notifies the renewal with the updated
CP-DD and its validation report, the secretariat (sam) records the renewal fee and renews; Ghana's
DNA (dina) issues the authorization statement (PROC-AC-001 v06.0 para 27); ama engages Terra to
verify and submits the batch of January 2026; Terra (dora) verifies, certifies per CP and requests
issuance; ama confirms; sam records the issuance fee and passes the checks; ama finds the units in
the account, with the PoA and the CP on the blocks.

Through the services, as no one's step in this test's subject: the PoA period's renewal (its own
pipeline, tests/renewals/test_poa_and_cp_renewal.py; required first, renewal-3), the holding
account's opening, the issuance of the transitioned period 2021-2025 (the CP's monitoring has no gap
from its crediting period's start, PROC-AC-003 para 218), and the timers: the clock moved with
time_machine, the review and appeal windows closed by the timer pass, whose issuing task runs
eagerly.
"""
import datetime

import pytest
from playwright.sync_api import expect

from pacm.engine.timers import timers_run
from pacm.registry.models import UnitBlock
from projects.cycle import PeriodState as P
from projects.models import MonitoringPeriod
from projects.poa.models import ComponentProject, Programme
from projects.renewals.cycle import CPRenewalState as C
from projects.renewals.models import CPRenewal
from tests.renewals.transitioned_poa import at, batch_issued, cme_account, poa_period_renewed, transitioned_poa

from .pages import document_upload, expect_success, fee_pay, issuance_confirm, pdf_write, submit, transition_press

JAN = (datetime.date(2026, 1, 1), datetime.date(2026, 1, 31))


def _window_closes(time_machine, period):
    period = MonitoringPeriod.objects.get(pk=period.pk)
    time_machine.move_to(period.due_at + datetime.timedelta(seconds=1), tick=False)
    timers_run()
    return MonitoringPeriod.objects.get(pk=period.pk)


def test_a_transitioned_poa_renews_its_cp_and_issues_through_the_pages(page, login, world, time_machine, tmp_path):
    _request, poa = transitioned_poa(world, time_machine)
    poa_period_renewed(world, time_machine, poa)
    poa = Programme.objects.get(pk=poa.pk)
    assert poa.crediting_end == datetime.date(2030, 12, 31)
    cp = poa.components.get()
    assert (cp.doe_id, cp.crediting_end) == (None, datetime.date(2025, 12, 31))
    at(time_machine, datetime.date(2025, 12, 1))
    cp_url, poa_url = f"/cps/{cp.reference}/", f"/poas/{poa.reference}/"

    # PROC-AC-003 para 297 (renewal-20): the CME engages the CP's DOE; no DOE is offered the notification before.
    login(world.otto)
    page.goto(cp_url)
    expect(page.locator("#renewals form")).to_have_count(0)
    login(world.ama)
    page.goto(cp_url)
    engage = page.locator("form#engage-doe")
    engage.locator("[name='engage-doe']").select_option(label="Orbis Assurance")
    submit(page, engage.get_by_role("button", name="Engage the DOE for the CP's renewal"))
    expect_success(page, "DOE engaged.")
    expect(page.locator("form#engage-doe")).to_have_count(0)
    assert ComponentProject.objects.get(pk=cp.pk).doe == world.orgs["doe2"]

    # Paras 299, 304: the DOE notifies the renewal with the updated CP-DD and its validation report.
    cpdd, _sha = pdf_write(tmp_path / "cpdd-v2.pdf", f"CP-DD v2 {cp.reference}")
    report, _sha = pdf_write(tmp_path / "cpvr.pdf", f"renewal VR {cp.reference}")
    login(world.otto)
    page.goto(cp_url)
    panel = page.locator("#renewals")
    panel.locator("[name='renewal-baseline_update']").fill("Baseline updated: fNRB 0.80 from 2026.")
    panel.locator("[name='renewal-estimated_annual']").fill("11000")
    panel.locator("[name='renewal-design']").set_input_files(str(cpdd))
    panel.locator("[name='renewal-report']").set_input_files(str(report))
    submit(page, panel.get_by_role("button", name="Notify the renewal of the CP's crediting period"))
    expect_success(page, "Renewal opened.")
    renewal = CPRenewal.objects.get(component=cp)
    assert (renewal.state, renewal.transitioned, renewal.new_start) == (C.NOTIFIED, True, JAN[0])

    # Paras 300-302: the secretariat records the renewal fee on the PoA page, then renews on the renewal's page.
    login(world.sam)
    page.goto(poa_url)
    fee_form = page.locator(f"form[action$='/fees/{renewal.fee_id}/pay/']")
    fee_form.get_by_label("Payment reference").fill("WIRE-CPR-2025")
    submit(page, fee_form.get_by_role("button", name="Record the payment"))
    expect_success(page, "Payment recorded.")
    page.goto(cp_url)
    submit(page, page.locator("#renewals").get_by_role("link", name="Renewal 1"))
    label = "Process the fee and renew the CP's crediting period"
    submit(page, page.get_by_role("button", name=label))
    expect_success(page, f"{label}: done.")
    page.goto(cp_url)
    expect(page.locator("#renewals tbody tr")).to_have_count(2)
    expect(page.locator("#renewals tbody tr").nth(1)).to_contain_text("2030")
    cp = ComponentProject.objects.get(pk=cp.pk)
    assert (CPRenewal.objects.get(pk=renewal.pk).state, cp.crediting_end) == (C.RENEWED, datetime.date(2030, 12, 31))

    # PROC-AC-001 v06.0 para 27: the host's authorization statement before the first issuance.
    login(world.dina)
    page.goto(poa_url)
    auth = page.locator("form[action$='/authorization/']")
    auth.locator("[name='auth-uses']").select_option("ndc")
    auth.locator("[name='auth-effective_from']").fill("2021-01-01")
    submit(page, auth.get_by_role("button", name="Issue the statement"))
    expect_success(page, "Authorization statement issued.")

    # Para 203 (renewal-18): the CME engages Terra, which did not validate the PoA period's renewal.
    login(world.ama)
    page.goto(poa_url)
    verification = page.locator("form[action$='/verification-doe/']")
    verification.locator("[name='verification-doe']").select_option(label="Terra Verification")
    submit(page, verification.get_by_role("button", name="Engage the verification DOE"))
    expect_success(page, "Verification DOE engaged.")

    # The transitioned period 2021-2025, issued through the services (para 218: no gap from 1 Jan 2021).
    account = cme_account(world)
    at(time_machine, datetime.date(2026, 1, 5))
    first = batch_issued(world, Programme.objects.get(pk=poa.pk), start=datetime.date(2021, 1, 1),
                         end=datetime.date(2025, 12, 31), claims={cp.reference: {y: 1_000 for y in range(2021, 2026)}},
                         account=account)
    assert first.state == P.ISSUED

    # Paras 217-220: the first batch of the renewed period, January 2026, from the PoA page.
    at(time_machine, datetime.date(2026, 2, 9))
    mr, _sha = pdf_write(tmp_path / "mr-2026-01.pdf", "PoA monitoring report January 2026")
    login(world.ama)
    page.goto(poa_url)
    form = page.locator("form[action$='/monitoring/']")
    form.locator("[name='batch-start']").fill(JAN[0].isoformat())
    form.locator("[name='batch-end']").fill(JAN[1].isoformat())
    form.locator("[name='batch-lines']").fill(f"{cp.reference}, 2026, 900")
    form.locator("[name='batch-report']").set_input_files(str(mr))
    submit(page, form.get_by_role("button", name="Submit the monitoring report"))
    expect_success(page, "Monitoring report submitted.")
    period = MonitoringPeriod.objects.get(activity_id=poa.pk, start=JAN[0])
    period_url = f"/activities/{poa.reference}/periods/{period.number}/"

    # Terra verifies, certifies per CP and vintage, and requests issuance to Kpone's account.
    vr, _sha = pdf_write(tmp_path / "vr-2026-01.pdf", "Verification report January 2026")
    login(world.dora)
    page.goto(period_url)
    transition_press(page, "start_verification")
    document_upload(page, kind="Verification and certification report", path=vr)
    certify = page.locator("#certify")
    certify.get_by_label(f"{cp.reference}, vintage 2026: verified (t CO2e)").fill("900")
    submit(page, certify.get_by_role("button", name="Certify these quantities"))
    expect_success(page, "Verification and certification opinion given.")
    issuance = page.locator("#issuance-form")
    expect(issuance.get_by_label("Units requested")).to_have_value("900")
    issuance.locator("input[name='lines-0-account']").fill(account.number)
    issuance.locator("input[name='lines-0-percent']").fill("100")
    submit(page, issuance.get_by_role("button", name="Preview the split"))
    submit(page, page.locator("#issuance-form").get_by_role("button", name="Submit the issuance request"))
    expect_success(page, "Issuance request submitted")

    # The participants confirm; the secretariat records the issuance fee and passes the checks.
    login(world.ama)
    page.goto(period_url)
    issuance_confirm(page)
    login(world.sam)
    page.goto(period_url)
    fee_row = page.locator("#fees tbody tr", has_text="Issuance fee")
    expect(fee_row).to_contain_text("Due")  # 7/CMA.4 annex I para 53; Ghana is no LDC or SIDS
    fee_pay(page, kind="Issuance fee", reference="WIRE-ISS-2026-01")
    transition_press(page, "start_issuance_checks")
    transition_press(page, "pass_issuance_checks")

    # The review and appeal windows close by the timer; the issuing task runs.
    period = _window_closes(time_machine, period)
    assert period.state == P.APPROVED
    period = _window_closes(time_machine, period)
    assert period.state == P.ISSUED

    # The units in Kpone's account, with the PoA and the CP on the blocks (PROC-AC-003 paras 201, 220).
    blocks = list(UnitBlock.objects.filter(account=account, vintage=2026))
    assert blocks and {(b.activity_id, b.component_id) for b in blocks} == {(poa.pk, cp.pk)}
    net = sum(b.serial_end - b.serial_start + 1 for b in blocks)
    login(world.ama)
    page.goto("/registry/accounts/")
    submit(page, page.get_by_role("link", name=account.number))
    row = page.locator("#holdings table").first.locator("tbody tr", has_text="2026")
    expect(row).to_contain_text(poa.reference)
    expect(row).to_contain_text(cp.reference)
    expect(row).to_contain_text(f"{net:,}")
    expect(row.get_by_role("link", name=cp.reference)).to_have_attribute("href", cp_url)


pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
