"""A registered two-country PoA (Ghana, Kenya) whose hosts approved renewal, with an included CP.

Built on tests/poa's drive (its functions, not its fixtures): ama coordinates, dora validates the
PoA, otto (Orbis) is the CP's DOE, dina and nils approve as Ghana's and Kenya's DNAs.
"""
import datetime

from projects import services
from projects.cycle import ActivityState as A
from projects.poa import services as poa_services
from projects.poa.cycle import CPState as C
from projects.poa.models import ComponentProject, Programme
from tests.poa.conftest import CAPS, host, notify_cp, poa_data, reach_cp, reach_poa

from .helpers import windows_pass

DAY = datetime.timedelta(days=1)


def registered_poa(world, *, years=5, renewal_approved=True):
    start = datetime.date(datetime.date.today().year, 1, 1)
    poa = poa_services.poa_create(**poa_data(world, period_start=start,
                                             period_end=start.replace(year=start.year + years) - DAY))
    poa = reach_poa(world, poa, A.VALIDATED)
    for iso2, user in (("GH", world.dina), ("KE", world.nils)):
        poa_services.poa_host_approve(poa=poa, user=user, host=host(poa, iso2), max_annual=CAPS[iso2],
                                      sd_confirmation="Fosters SD.", ndc_relation="Within the NDC.",
                                      renewal_approved=renewal_approved)
    services.authorization_statement_issue(activity=poa, user=world.dina, uses="ndc",
                                           effective_from=datetime.date(2021, 1, 1))
    poa_services.poa_request_registration(poa=poa, user=world.dora)
    poa = Programme.objects.get(pk=poa.pk)
    fee = poa.fees.get(kind="registration")
    if fee.status == "due":
        services.fee_record_payment(fee=fee, user=world.sam, reference="WIRE-POA")
    poa_services.poa_start_completeness_check(poa=poa, user=world.sam)
    poa_services.poa_pass_completeness_check(poa=poa, user=world.sam)
    poa_services.poa_pass_information_check(poa=poa, user=world.sam)
    return windows_pass(poa)


def included_cp(world, poa, *, years=5):
    today = datetime.date.today()
    start = today + datetime.timedelta(days=60)
    cp = notify_cp(world, poa, crediting_start=start, crediting_end=start + datetime.timedelta(days=years * 365 - 2))
    cp = reach_cp(world, cp, C.INCLUDED)
    return ComponentProject.objects.get(pk=cp.pk)


def at(clock, day):
    clock.move_to(datetime.datetime.combine(day, datetime.time(9), tzinfo=datetime.UTC), tick=False)


def renewed_cp(world, clock):
    """(poa, cp, renewal): otto notifies the renewal of an included CP's period 30 days before it ends,
    sam records the fee paid and renews it (PROC-AC-003 v03.0 paras 299-302)."""
    from projects.renewals import services as rs
    from tests import factories as f

    poa = registered_poa(world, years=20)
    cp = included_cp(world, poa)
    at(clock, cp.crediting_end - datetime.timedelta(days=30))
    renewal = rs.cp_renewal_notify(
        cp=cp, user=world.otto, baseline_update="Baseline updated per the generic CP-DD.", estimated_annual=20_000,
        design=f.pdf("cpdd-v2.pdf", content=f.pdf_bytes(f"CP-DD v2 {cp.reference}")),
        report=f.pdf("cpvr-renewal.pdf", content=f.pdf_bytes(f"renewal VR {cp.reference}")))
    services.fee_record_payment(fee=renewal.fee, user=world.sam, reference="WIRE-CPR")
    return poa, cp, rs.cp_renewal_renew(renewal=renewal, user=world.sam)
