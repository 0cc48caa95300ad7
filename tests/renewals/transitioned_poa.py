"""A CDM PoA transitioned to a registered PoA (A6.4-PROC-AC-001 v06.0 paras 19-25, 50-52) whose PoA
period and CP crediting periods ended on 31 Dec 2025 (A6.4-STAN-AC-001 v05.0 para 13(a)(ii)), and
the renewal of its PoA period through the services (A6.4-PROC-AC-003 v03.0 paras 280-291, 287).

Shared by the service tests (tests/renewals/test_transitioned_cp_doe.py) and the browser test
(tests/e2e/test_poa_transition_renewal.py). Personas as in tests/conftest.py: ama (Kpone, the
coordinating/managing entity), dina (Ghana's DNA), otto (Orbis: validates the renewals), dora
(Terra: verifies the PoA's batches), sam (secretariat).
"""
import datetime

from projects.poa.models import Programme
from projects.renewals.cycle import RenewalState as RS
from projects.transition import services as ts
from projects.transition.cycle import TransitionState as S
from tests.transition.helpers import HOST_APPROVES_AT, create, drive

from .helpers import drive as renewal_drive
from .helpers import request as renewal_request

SD = dict(sd_confirmation="Fosters SD.", ndc_relation="Within the NDC.")
CPAS = (("10415-0001", "host", 12_000), ("10415-0003", "other", 7_000))


def at(clock, day, hour=9):
    clock.move_to(datetime.datetime(day.year, day.month, day.day, hour, tzinfo=datetime.UTC), tick=False)


def transition_request(world, clock):
    """The CDM PoA 10415, its renewable period running to 2034 under the CDM, two CDM renewals left."""
    cpas = [(ref, getattr(world, party), annual) for ref, party, annual in CPAS]
    return create(world, clock, cdm_reference="10415", kind="poa", cpas=cpas, title="Clean cooking PoA",
                  cdm_crediting_end=datetime.date(2034, 5, 31))


def transitioned_poa(world, clock, request=None):
    """(request, PoA): Ghana approves (Kenya does not), the review window closes (deemed approved), the
    CDM deregistration and the appeal window: a registered PoA with Ghana's CP (para 24)."""
    request = drive(world, clock, request or transition_request(world, clock), S.AWAITING_HOST)
    clock.move_to(HOST_APPROVES_AT, tick=False)
    ts.transition_request_approve_transition(request=request, user=world.dina, max_annual=50_000, **SD)
    request = drive(world, clock, request, S.TRANSITIONED)
    return request, Programme.objects.get(pk=request.activity_id)


def poa_period_renewed(world, clock, poa):
    """The PoA period renewed from 1 Jan 2026 (PROC-AC-003 v03.0 paras 277, 287: within a year of the
    SB's approval of the transition): ama contracts Orbis (otto), which validates and submits; sam
    checks; the review and appeal windows close. Returns the renewal."""
    at(clock, datetime.date(2025, 10, 1))
    renewal = renewal_request(world, Programme.objects.get(pk=poa.pk), estimate=19_000)
    return renewal_drive(world, clock, renewal, RS.RENEWED)


def cp_renewed(world, poa):
    """The transitioned CP's crediting period renewed (PROC-AC-003 v03.0 paras 297-302, 304): ama engages
    Orbis, otto notifies with the updated CP-DD and its report, sam records the fee and renews."""
    from projects import services
    from projects.poa import services as poa_services
    from projects.renewals import services as rs
    from tests import factories as f

    cp = poa_services.cp_engage_doe(cp=poa.components.get(), user=world.ama, doe=world.orgs["doe2"])
    renewal = rs.cp_renewal_notify(
        cp=cp, user=world.otto, baseline_update="Baseline updated: fNRB 0.80 from 2026.", estimated_annual=11_000,
        design=f.pdf("cpdd-v2.pdf", content=f.pdf_bytes(f"CP-DD v2 {cp.reference}")),
        report=f.pdf("cpvr.pdf", content=f.pdf_bytes(f"renewal VR {cp.reference}")))
    if renewal.fee.status == "due":
        services.fee_record_payment(fee=renewal.fee, user=world.sam, reference="WIRE-CPR")
    return rs.cp_renewal_renew(renewal=renewal, user=world.sam)


def cme_account(world):
    """Kpone's holding account, opened by Ghana's DNA on the host approval that authorized it (RMP 63)."""
    from pacm.registry.models import AccountKind
    from pacm.registry.services.accounts import account_open

    return account_open(kind=AccountKind.HOLDING, name="Kpone holding", organisation=world.orgs["dev"],
                        user=world.dina)


def batch_issued(world, poa, *, start, end, claims, account):
    """A batch through the services, verified by dora as claimed, requested to `account`, confirmed, checked;
    the review and appeal windows close by the timer and the (eager) issuing task runs. Returns the period."""
    from pacm.engine.timers import timers_run
    from projects import services
    from projects.models import MonitoringPeriod
    from projects.poa.issuance import poa_period_submit
    from tests import factories as f

    period = poa_period_submit(poa=poa, user=world.ama, start=start, end=end, claims=claims,
                               report=f.pdf("poa-mr.pdf", content=f.pdf_bytes(f"MR {start}")))
    services.period_start_verification(period=period, user=world.dora)
    services.document_upload(activity=poa, user=world.dora, kind="verification_report",
                             uploaded=f.pdf("ver.pdf", content=f.pdf_bytes(f"VR {start}")), period=period)
    services.period_certify(period=period, user=world.dora, verified=None, verified_by_cp={
        ref: dict(lines) for ref, lines in claims.items()})
    period = MonitoringPeriod.objects.get(pk=period.pk)
    services.period_request_issuance(period=period, user=world.dora, units_requested=period.verified_total,
                                     lines=[{"account": account.number, "percent": "100"}])
    f.issuance_confirm(period, world.ama)
    period = MonitoringPeriod.objects.get(pk=period.pk)
    fee = period.fees.filter(status="due").first()
    if fee is not None:
        services.fee_record_payment(fee=fee, user=world.sam, reference=f"WIRE-ISS-{period.number}")
    services.period_start_issuance_checks(period=MonitoringPeriod.objects.get(pk=period.pk), user=world.sam)
    services.period_pass_issuance_checks(period=MonitoringPeriod.objects.get(pk=period.pk), user=world.sam)
    import time_machine

    for _window in ("review", "appeal"):
        period = MonitoringPeriod.objects.get(pk=period.pk)
        with time_machine.travel(period.due_at + datetime.timedelta(seconds=1), tick=False):
            timers_run()
    return MonitoringPeriod.objects.get(pk=period.pk)
