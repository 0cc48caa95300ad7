"""A transitioned PoA renews its PoA period and its CP's crediting period, then issues for the
renewed period (A6.4-PROC-AC-003 v03.0 paras 277, 287, 297-304, 217-222; A6.4-STAN-AC-001 v05.0
para 13(a)(ii), (c); docs/rules-coverage.md renewal-2, renewal-3, renewal-18, renewal-20).

Personas: ama (Kpone, the coordinating/managing entity), otto (Orbis, validates the renewals), dora
(Terra, verifies), dina (Ghana's DNA), sam (secretariat)."""
import datetime

import pytest

from pacm.registry.models import UnitBlock
from projects.cycle import PeriodState as P
from projects.poa.models import ComponentProject, Programme

from .transitioned_poa import at, batch_issued, cme_account, cp_renewed, poa_period_renewed, transitioned_poa

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the seeded rows, for the tests after it


def test_a_transitioned_poa_renewed_issues_for_its_renewed_period(world, time_machine):
    from projects import services
    from projects.poa import services as poa_services

    _request, poa = transitioned_poa(world, time_machine)
    poa_period_renewed(world, time_machine, poa)
    at(time_machine, datetime.date(2025, 12, 1))
    renewal = cp_renewed(world, Programme.objects.get(pk=poa.pk))
    cp = ComponentProject.objects.get(pk=renewal.component_id)
    assert (cp.crediting_start, cp.crediting_end) == (datetime.date(2021, 1, 1), datetime.date(2030, 12, 31))
    account = cme_account(world)
    poa = Programme.objects.get(pk=poa.pk)
    poa_services.poa_engage_verification_doe(poa=poa, user=world.ama, doe=world.orgs["doe"])
    # PROC-AC-001 v06.0 para 27: the host's authorization statement before the first issuance.
    services.authorization_statement_issue(activity=poa, user=world.dina, uses="ndc",
                                           effective_from=datetime.date(2021, 1, 1))
    at(time_machine, datetime.date(2026, 1, 5))
    first = batch_issued(world, poa, start=datetime.date(2021, 1, 1), end=datetime.date(2025, 12, 31),
                         claims={cp.reference: {y: 1_000 for y in range(2021, 2026)}}, account=account)
    assert first.state == P.ISSUED
    at(time_machine, datetime.date(2026, 3, 2))
    second = batch_issued(world, Programme.objects.get(pk=poa.pk), start=datetime.date(2026, 1, 1),
                          end=datetime.date(2026, 1, 31), claims={cp.reference: {2026: 900}}, account=account)
    assert second.state == P.ISSUED
    blocks = UnitBlock.objects.filter(account=account, vintage=2026)
    assert {(b.activity_id, b.component_id) for b in blocks} == {(poa.pk, cp.pk)}
