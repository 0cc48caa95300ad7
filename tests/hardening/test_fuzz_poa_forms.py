"""The PoA's and the CPs' web forms driven with hostile values (tests/hardening/test_fuzz_forms.py's
driver): no 5xx, and a refusal leaves every row and the media folder as they were. Every POST
view of projects/poa/urls.py is fuzzed (test_every_poa_post_view_is_fuzzed)."""
import datetime

from django.urls import reverse

from projects.cycle import ActivityState as A
from projects.poa import urls as poa_urls
from projects.poa.cycle import CPState as C
from projects.poa.models import PoAHost
from tests.poa.conftest import cp_docs, host, notify_cp, poa_data, reach_cp, reach_poa

from .test_fuzz_forms import Target, fuzz, pdf_factory

GET_ONLY = frozenset({"poa-list", "poa-detail", "cp-detail"})
SCENES = {
    "design": {"poa-create", "poa-design", "poa-engage-doe", "poa-document-upload", "poa-transition"},
    "approval": {"poa-host-approve", "poa-authorization", "cp-notify"},
    "registration": {"poa-fee-pay"},
    "inclusion": {"cp-transition", "cp-document-upload"},
    "monitoring": {"poa-monitoring-submit", "poa-engage-verification-doe", "cp-liability-settle"},
    "renewal": {"cp-engage-doe"},
}


def test_every_poa_post_view_is_fuzzed():
    names = {p.name for p in poa_urls.urlpatterns}
    assert names - GET_ONLY == set().union(*SCENES.values())


def _url(view, ref, **kw):
    return reverse(view, kwargs={"reference": ref, **kw})


def test_fuzz_poa_design_forms(settings, world):
    from projects.poa import services as poa_services

    poa = poa_services.poa_create(**poa_data(world))
    page = _url("poa-detail", poa.reference)
    data = poa_data(world)
    create = {"title": "Stoves", "hosts": str(world.host.pk), "methodology_version": str(world.version.pk),
              "sectoral_scope": str(data["sectoral_scope"].pk), "location": "GH",
              "period_start": data["period_start"].isoformat(), "period_end": data["period_end"].isoformat(),
              "estimated_annual": "1000", "description": "Stoves", "typical_cps": "", "criteria": "One"}
    targets = [
        Target("poa-create", world.ama, reverse("poa-create"), reverse("poa-create"), create),
        Target("poa-design", world.ama, _url("poa-design", poa.reference), page,
               {"design-criteria": "One\nTwo", "design-typical_cps": "Stoves"}),
        Target("poa-engage-doe", world.ama, _url("poa-engage-doe", poa.reference), page,
               {"engage-doe": str(world.orgs["doe"].pk)}),
        Target("poa-document-upload", world.ama, _url("poa-document-upload", poa.reference), page,
               {"upload-kind": "generic_cp_dd", "upload-title": "Generic"}, {"upload-file": pdf_factory("g.pdf")}),
        Target("poa-transition", world.ama, _url("poa-transition", poa.reference, name="withdraw"), page,
               {"t-withdraw-comment": "No financing.", "t-withdraw-expected_state": "draft"}),
    ]
    assert {t.name for t in targets} == SCENES["design"]
    for target in targets:
        fuzz(settings, target)


def test_fuzz_poa_approval_forms(settings, world):
    from projects.poa import services as poa_services

    poa = reach_poa(world, poa_services.poa_create(**poa_data(world)), A.CONSULTATION)
    page = _url("poa-detail", poa.reference)
    kenya = host(poa, "KE")
    today = datetime.date.today()
    targets = [
        Target("poa-host-approve", world.nils, _url("poa-host-approve", poa.reference, host_id=kenya.pk), page,
               {f"host-{kenya.pk}-max_annual": "30000", f"host-{kenya.pk}-sd_confirmation": "SD",
                f"host-{kenya.pk}-ndc_relation": "NDC"}),
        Target("poa-authorization", world.dina, _url("poa-authorization", poa.reference), page,
               {"auth-uses": "ndc", "auth-effective_from": "2026-01-01"}),
        Target("cp-notify", world.ama, _url("cp-notify", poa.reference), _url("cp-notify", poa.reference),
               {"title": "CP", "host": str(host(poa, "GH").pk), "participants": str(world.orgs["dev2"].pk),
                "doe": str(world.orgs["doe2"].pk), "location": "Kumasi", "technologies": "Stoves",
                "start_date": (today + datetime.timedelta(days=5)).isoformat(), "crediting_type": "renewable",
                "crediting_start": (today + datetime.timedelta(days=30)).isoformat(),
                "crediting_end": (today + datetime.timedelta(days=400)).isoformat(), "estimated_annual": "100"}),
    ]
    assert {t.name for t in targets} == SCENES["approval"]
    for target in targets:
        fuzz(settings, target)
    assert PoAHost.objects.get(pk=kenya.pk).max_annual is None  # each example was rolled back


def test_fuzz_poa_fee_form(settings, world):
    from projects.poa import services as poa_services

    poa = reach_poa(world, poa_services.poa_create(**poa_data(world)), A.REGISTRATION_REQUESTED)
    fee = poa.fees.get()
    fuzz(settings, Target("poa-fee-pay", world.sam, _url("poa-fee-pay", poa.reference, fee_id=fee.pk),
                          _url("poa-detail", poa.reference), {f"fee-{fee.pk}-reference": "WIRE"}))


def test_fuzz_cp_forms(settings, world):
    from projects.poa import services as poa_services

    poa = reach_poa(world, poa_services.poa_create(**poa_data(world)), A.REGISTERED)
    validated = reach_cp(world, notify_cp(world, poa), C.VALIDATED)
    under = reach_cp(world, notify_cp(world, poa, title="Second"), C.UNDER_VALIDATION)
    cp_docs(world, under)
    page = _url("cp-detail", validated.reference)
    targets = [
        Target("cp-transition", world.otto, _url("cp-transition", validated.reference, name="upload_inclusion"), page,
               {"t-upload_inclusion-crediting_start": validated.crediting_start.isoformat(),
                "t-upload_inclusion-crediting_end": validated.crediting_end.isoformat(),
                "t-upload_inclusion-comment": "", "t-upload_inclusion-expected_state": "validated"}),
        Target("cp-transition", world.otto, _url("cp-transition", under.reference, name="validate"),
               _url("cp-detail", under.reference),
               {"t-validate-comment": "", "t-validate-expected_state": "under_validation"}),
        Target("cp-document-upload", world.kofi, _url("cp-document-upload", under.reference),
               _url("cp-detail", under.reference), {"upload-kind": "cp_dd"}, {"upload-file": pdf_factory("cpdd.pdf")}),
    ]
    assert {t.name for t in targets} == SCENES["inclusion"]
    for target in targets:
        fuzz(settings, target)


def test_fuzz_cp_engage_doe_form(settings, world, time_machine):
    """A transitioned CP, which records no DOE: its participants engage one (PROC-AC-003 v03.0 para 297; renewal-20)."""
    from tests.renewals.transitioned_poa import transitioned_poa

    _request, poa = transitioned_poa(world, time_machine)
    cp = poa.components.get()
    targets = [Target("cp-engage-doe", world.ama, _url("cp-engage-doe", cp.reference), _url("cp-detail", cp.reference),
                      {"engage-doe": str(world.orgs["doe2"].pk)})]
    assert {t.name for t in targets} == SCENES["renewal"]
    for target in targets:
        fuzz(settings, target)


def test_fuzz_poa_monitoring_and_liability_forms(settings, world, time_machine, django_capture_on_commit_callbacks):
    """The batch form (PROC-AC-003 v03.0 paras 219-220), the verification DOE's, the DOE's settlement (para 139)."""
    from pacm.registry.models import Account, AccountKind
    from pacm.registry.services import units_transfer
    from projects.cycle import PeriodState as P
    from projects.poa import services as poa_services
    from tests.poa.conftest import board
    from tests.poa.issuance_world import batch, drive, poa_world_build

    pw = poa_world_build(world, poa_services.poa_create(**poa_data(world)), time_machine)
    gh = pw.cps["gh"]
    drive(world, batch(world, pw, {"gh": {pw.y1: 1_000}, "gh2": {pw.y1: 2_000}}), P.ISSUED,
          django_capture_on_commit_callbacks)
    poa_services.cp_request_inclusion_review(cp=gh, user=world.sofia, comment="Outside the boundary.")
    poa_services.cp_exclude_erroneous(cp=gh, actor=board(world), comment="Erroneous.", doe_at_fault=True)
    world.orgs["doe2"].authorized_by_party = True
    world.orgs["doe2"].save(update_fields=["authorized_by_party"])
    account = Account.objects.create(number="PACM-H-ORB-9", kind=AccountKind.HOLDING, name="Orbis",
                                     organisation=world.orgs["doe2"])
    units_transfer(user=world.ama, from_account="PACM-H-CME-1", to_account=account.number, quantity=1_000)
    page = _url("poa-detail", pw.poa.reference)
    ke = pw.cps["ke"].reference
    targets = [
        Target("poa-monitoring-submit", world.ama, _url("poa-monitoring-submit", pw.poa.reference), page,
               {"batch-start": pw.period1[0].isoformat(), "batch-end": pw.period1[1].isoformat(),
                "batch-lines": f"{ke}, {pw.y1}, 100"}, {"batch-report": pdf_factory("m.pdf")}),
        Target("poa-engage-verification-doe", world.ama, _url("poa-engage-verification-doe", pw.poa.reference), page,
               {"verification-doe": str(world.orgs["doe2"].pk)}),
        Target("cp-liability-settle", world.otto, _url("cp-liability-settle", gh.reference),
               _url("cp-detail", gh.reference), {"settle-from_account": str(account.pk)}),
    ]
    assert {t.name for t in targets} == SCENES["monitoring"]
    for target in targets:
        fuzz(settings, target)


def test_fuzz_poa_batch_page_forms(settings, world, time_machine):
    """The batch page (the period page serving a PoA's batch): the DOE's per-CP per-vintage certify form
    and the issuance request (PROC-AC-003 v03.0 para 220)."""
    from projects import services
    from projects.cycle import PeriodState as P
    from projects.poa import services as poa_services
    from tests import factories as f
    from tests.poa.issuance_world import batch, drive, poa_world_build

    pw = poa_world_build(world, poa_services.poa_create(**poa_data(world)), time_machine)
    under = drive(world, batch(world, pw, {"gh": {pw.y1: 1_000, pw.y2: 500}}), P.UNDER_VERIFICATION, None)
    services.document_upload(activity=under.activity, user=world.dora, kind="verification_report",
                             uploaded=f.pdf("ver.pdf"), period=under)
    verified = drive(world, batch(world, pw, {"ke": {pw.y1: 800}}), P.VERIFIED, None)
    n_gh, n_ke = pw.cps["gh"].number, pw.cps["ke"].number

    def period_url(view, period):
        return reverse(view, kwargs={"reference": pw.poa.reference, "number": period.number})

    targets = [
        Target("period-certify", world.dora, period_url("period-certify", under), period_url("period-detail", under),
               {f"certify-verified_{n_gh}_{pw.y1}": "900", f"certify-verified_{n_gh}_{pw.y2}": "500",
                "certify-comment": "Verified."}),
        Target("period-request-issuance", world.dora, period_url("period-request-issuance", verified),
               period_url("period-detail", verified),
               {"issue-units_requested": "800", "issue-omge_rate": "", "issue-comment": "",
                "lines-TOTAL_FORMS": "3", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "0",
                "lines-MAX_NUM_FORMS": "50", "lines-0-account": "PACM-H-CME-1", "lines-0-percent": "100"}),
    ]
    assert f"certify-verified_{n_ke}_{pw.y1}" not in targets[0].data  # the other batch's CP is not on this form
    for target in targets:
        fuzz(settings, target)
