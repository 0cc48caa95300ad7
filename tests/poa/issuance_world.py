"""A registered two-country PoA (Ghana, Kenya: an LDC here) with three included CPs, a verification
DOE, the CME's holding account, and the drive that takes a batch of CPs to any period state.

Personas as in tests/conftest.py: ama coordinates the PoA (Kpone Green Energy), dora verifies it
(Terra Verification), otto validated and included the CPs (Orbis Assurance), dina and nils are the
hosts' DNAs, sam the secretariat, sofia an SB member.
"""
import datetime

import pytest
import time_machine

from pacm.parties.models import PartyStatus
from pacm.registry.models import Account, AccountKind
from projects import services
from projects.cycle import ActivityState as A
from projects.cycle import PeriodState as P
from projects.models import MonitoringPeriod
from projects.poa import services as poa_services
from projects.poa.cycle import CPState as C
from projects.poa.issuance import poa_period_submit
from projects.poa.models import Programme
from projects.timers import timers_run

from .. import factories as f
from .conftest import notify_cp, reach_cp, reach_poa


def day_after(end):
    return datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time(9, 0), tzinfo=datetime.UTC)


class PoAWorld:
    pass


@pytest.fixture(name="pw")
def poa_world(world, poa, time_machine):
    """The PoA registered, Kenya an LDC (its CPs are exempt from the SOP, and every fee of the PoA is
    waived: PROC-AC-003 v03.0 App.1 para 4), three CPs included, the clock after the first period."""
    return poa_world_build(world, poa, time_machine)


def poa_world_build(world, poa, time_machine):
    PartyStatus.objects.create(party=world.other, kind=PartyStatus.Kind.LDC, valid_from=datetime.date(1990, 1, 1))
    poa = reach_poa(world, poa, A.REGISTERED)
    today = datetime.date.today()
    start = datetime.date(today.year + 1, 7, 1)  # within 2 years of the notification (STAN-AC-004 para 131)
    cps = {}
    for key, iso2, title in (("gh", "GH", "Ashanti cookstoves"), ("ke", "KE", "Rift Valley cookstoves"),
                             ("gh2", "GH", "Volta cookstoves")):
        cp = notify_cp(world, poa, iso2=iso2, title=title, crediting_start=start,
                       crediting_end=datetime.date(start.year + 5, 6, 30), estimated_annual=15_000)
        cps[key] = reach_cp(world, cp, C.INCLUDED)
    poa_services.poa_engage_verification_doe(poa=poa, user=world.ama, doe=world.orgs["doe"])
    w = PoAWorld()
    w.poa = Programme.objects.get(pk=poa.pk)
    w.cps = cps
    w.y1, w.y2 = start.year, start.year + 1
    w.period1 = (start, datetime.date(start.year + 1, 6, 30))
    w.period2 = (datetime.date(start.year + 1, 7, 1), datetime.date(start.year + 2, 6, 30))
    w.acct = Account.objects.create(number="PACM-H-CME-1", kind=AccountKind.HOLDING, name="Kpone holding",
                                    organisation=world.orgs["dev"])
    time_machine.move_to(day_after(w.period2[1]), tick=True)
    return w


def batch(world, pw, claims, period=1, user=None):
    start, end = pw.period1 if period == 1 else pw.period2
    return poa_period_submit(poa=pw.poa, user=user or world.ama, start=start, end=end,
                             claims={pw.cps[k].reference: v for k, v in claims.items()},
                             report=f.pdf("poa-monitoring.pdf"))


def tick(obj):
    obj.refresh_from_db()
    with time_machine.travel(obj.due_at + datetime.timedelta(seconds=1), tick=False):
        return timers_run()


def drive(world, period, until, capture, *, verified_by_cp=None, units=None):
    """Take a batch to `until`, issuing through the real on-commit task when `until` is ISSUED."""
    def certify(p):
        services.document_upload(activity=p.activity, user=world.dora, kind="verification_report",
                                 uploaded=f.pdf("ver.pdf"), period=p)
        lines = verified_by_cp or {}
        if not lines:
            for c in p.cp_claims.select_related("component"):
                lines.setdefault(c.component.reference, {})[c.vintage] = c.claimed
        services.period_certify(period=p, user=world.dora, verified=None, verified_by_cp=lines)

    def close(p):
        with capture(execute=True):
            tick(p)

    steps = [
        (P.SUBMITTED, lambda p: services.period_start_verification(period=p, user=world.dora)),
        (P.UNDER_VERIFICATION, certify),
        (P.VERIFIED, lambda p: services.period_request_issuance(
            period=p, user=world.dora, units_requested=units or p.verified_total,
            lines=[{"account": "PACM-H-CME-1", "percent": "100"}])),
        (P.ISSUANCE_REQUESTED, lambda p: (f.issuance_confirm(p, world.ama),
                                           services.period_start_issuance_checks(period=p, user=world.sam))),
        (P.ISSUANCE_CHECKS, lambda p: services.period_pass_issuance_checks(period=p, user=world.sam)),
        (P.ISSUANCE_REVIEW_WINDOW, tick),
        (P.APPROVED, close),
    ]
    order = [state for state, _ in steps]
    for state, step in steps:
        period = MonitoringPeriod.objects.get(pk=period.pk)
        if period.state == until:
            return period
        if period.state in order and order.index(period.state) > order.index(state):
            continue  # already past this step
        assert period.state == state, f"expected {state}, found {period.state}"
        step(period)
    period = MonitoringPeriod.objects.get(pk=period.pk)
    assert period.state == until, f"stopped at {period.state}"
    return period
