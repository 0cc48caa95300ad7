"""The engagement of a transitioned CP's DOE through the API (pacm issue 9: every action of
`available_actions`; A6.4-PROC-AC-003 v03.0 para 297; docs/rules-coverage.md renewal-20).

Personas: ama (Kpone, the coordinating/managing entity), kofi (Savannah, a stranger to the PoA)."""
import pytest

from pacm.events.models import Event
from projects.poa.models import ComponentProject
from tests.renewals.transitioned_poa import transitioned_poa

pytestmark = pytest.mark.django_db


def test_the_cme_engages_the_cps_doe_through_the_api(world, time_machine, bearer):
    _request, poa = transitioned_poa(world, time_machine)
    cp = poa.components.get()
    url = f"/api/v1/cps/{cp.reference}/actions"
    offered = {o["name"]: o for o in bearer(world.ama).get(url).json()["actions"]}
    assert offered["engage_doe"]["in_api"] is True and offered["engage_doe"]["blocked"] is None
    refused = bearer(world.kofi).post(f"{url}/engage_doe", {"inputs": {"doe": world.orgs["doe2"].pk}},
                                      content_type="application/json")
    assert refused.status_code in (403, 404) and ComponentProject.objects.get(pk=cp.pk).doe_id is None
    bad = bearer(world.ama).post(f"{url}/engage_doe", {"inputs": {"doe": 999999}}, content_type="application/json")
    assert bad.status_code == 400 and ComponentProject.objects.get(pk=cp.pk).doe_id is None
    done = bearer(world.ama).post(f"{url}/engage_doe", {"inputs": {"doe": world.orgs["doe2"].pk}},
                                  content_type="application/json")
    assert done.status_code == 200, done.content
    assert [e["kind"] for e in done.json()["events"]] == ["cp.doe_engaged"]
    assert ComponentProject.objects.get(pk=cp.pk).doe == world.orgs["doe2"]
    assert Event.objects.filter(stream=poa.stream, kind="cp.doe_engaged").count() == 1
