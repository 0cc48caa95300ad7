"""Two DOEs upload CPs of one host at the same moment, on PostgreSQL: the host's maximum annual
amount is never exceeded (A6.4-PROC-AC-003 v03.0 paras 98, 124). Each upload locks the PoA
(the CP machine's owner) and then the host's row before it counts.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/pacm PACM_TEST_DB_NAME=pacm_poa .venv/bin/pytest -q tests/poa -m postgres
"""
import pytest
from django.db import connection
from django.db.models import Sum

from pacm.common.errors import ServiceError
from pacm.events.services import chain_verify
from projects.cycle import ActivityState as A
from projects.poa import services as poa_services
from projects.poa.cycle import CPState as C
from projects.poa.models import ComponentProject

from ..projects.test_concurrency import hold_the_lock, race  # noqa: F401  (the shared race helper, a lock held a moment)
from .conftest import notify_cp, reach_cp, reach_poa

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks (DATABASE_URL)"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.usefixtures("hold_the_lock")  # each upload keeps its locks a moment: the other one waits
def test_two_does_uploading_at_once_never_exceed_the_hosts_cap(world, poa):
    poa = reach_poa(world, poa, A.REGISTERED)  # Ghana's maximum: 50,000 t CO2e a year
    first = reach_cp(world, notify_cp(world, poa, estimated_annual=30_000), C.VALIDATED, doe_user=world.otto)
    second = reach_cp(world, notify_cp(world, poa, title="Volta cookstoves", doe=world.orgs["doe"],
                                       estimated_annual=30_000), C.VALIDATED, doe_user=world.dora)
    results = race(
        lambda: poa_services.cp_upload_inclusion(cp=first, user=world.otto, crediting_start=first.crediting_start,
                                                 crediting_end=first.crediting_end),
        lambda: poa_services.cp_upload_inclusion(cp=second, user=world.dora, crediting_start=second.crediting_start,
                                                 crediting_end=second.crediting_end),
    )
    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, ServiceError) and error.code == "host_cap_holds"
    assert "60,000" in error.message and "50,000" in error.message
    counted = ComponentProject.objects.filter(host__party__iso2="GH", state__in=(C.UPLOADED, C.INCLUDED))
    assert counted.count() == 1
    assert counted.aggregate(t=Sum("estimated_annual"))["t"] == 30_000
    assert chain_verify(poa.stream) == []
