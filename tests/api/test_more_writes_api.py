"""The activity's, the Party's and the stress test's own-form writes through POST .../actions/{name}
(pacm issue 9; projects/api_writes_more.py, pacm/api/parties.py): read by the web page's own form,
the service its view calls, the exact event; bad input a problem naming the field, nothing changed.
Personas as in tests/conftest.py (ama participant, sam secretariat, sofia SB member, nils Kenya's DNA)."""
import pytest

from pacm.events.models import Event
from pacm.registry.models import Account, AccountKind
from projects.models import Activity
from projects.removals.models import StressTest
from projects.removals.stress import stress_test_run

pytestmark = pytest.mark.django_db

PARAMS = {"largest": 2, "region": "africa", "region_share_bp": 5_000, "band_low_bp": 2_500, "band_high_bp": 3_500,
          "band_share_bp": 5_000}


def _post(client, path, body):
    return client.post(path, body, content_type="application/json")


def _new(stream, before):
    return [(e.kind, e.role, e.actor_id) for e in Event.objects.filter(stream=stream, sequence__gt=before)
            .order_by("sequence")]


def _last(stream):
    return Event.objects.filter(stream=stream).order_by("-sequence").values_list("sequence", flat=True).first() or 0


def test_the_participant_edits_one_pdd_field_and_the_others_keep_their_value(world, activity, bearer):
    """RMP 31: the PDD's fields, edited while the activity is a draft (edit_pdd)."""
    ama = bearer(world.ama)
    url = f"/api/v1/activities/{activity.reference}/actions/edit_pdd"
    before, title, location = _last(activity.stream), activity.title, activity.location
    unknown = _post(ama, url, {"inputs": {"reference": "A64-X"}})
    assert unknown.status_code == 400 and unknown.json()["field"] == "reference"
    too_long = _post(ama, url, {"inputs": {"title": "x" * 251}})
    assert too_long.status_code == 400 and too_long.json()["field"] == "title"
    assert _new(activity.stream, before) == []
    done = _post(ama, url, {"inputs": {"title": "Accra landfill gas flaring, phase 2"}})
    assert done.status_code == 200, done.content
    assert _new(activity.stream, before) == [("activity.updated", "participant", world.ama.pk)]
    event = Event.objects.get(stream=activity.stream, sequence__gt=before)
    assert set(event.payload["changed"]) == {"title"}
    fresh = Activity.objects.get(pk=activity.pk)
    assert fresh.title == "Accra landfill gas flaring, phase 2" != title and fresh.location == location
    assert _post(bearer(world.dora), url, {"inputs": {"title": "Mine"}}).status_code in (403, 404)


def test_the_secretariat_opens_a_holding_account_for_a_partys_entity(world, bearer):
    """7/CMA.4 annex I para 33: the registry administrator (or the Party's DNA) opens a holding account
    for an entity the Party authorized; the answer's `created` is the account."""
    url = "/api/v1/registry/parties/KE/actions"
    listed = {a["name"]: a for a in bearer(world.sam).get(url).json()["actions"]}
    assert listed["open_account"]["in_api"] is True and listed["open_account"]["endpoint"] is None
    assert bearer(world.ama).get(url).json()["actions"] == []  # a participant opens nothing
    refused = _post(bearer(world.ama), f"{url}/open_account", {"inputs": {"name": "Mine"}})
    assert refused.status_code == 403 and refused.json()["code"] == "not_offered"
    sam = bearer(world.sam)
    before = Event.objects.count()
    ghana_entity = _post(sam, f"{url}/open_account", {"inputs": {
        "organisation": world.orgs["dev"].pk, "name": "Kpone", "authorization_document": "KE-1"}})
    assert ghana_entity.status_code == 400 and ghana_entity.json()["field"] == "organisation"
    assert Event.objects.count() == before and not Account.objects.filter(kind=AccountKind.HOLDING).exists()
    done = _post(sam, f"{url}/open_account", {"inputs": {
        "organisation": world.orgs["dev2"].pk, "name": "Savannah main", "authorization_document": "KE-LOA-7",
        "authorization_date": "2025-01-15"}})
    assert done.status_code == 200, done.content
    account = Account.objects.get(kind=AccountKind.HOLDING, organisation=world.orgs["dev2"])
    assert done.json()["created"] == {"kind": "account", "reference": account.number, "state": account.state}
    assert [(e["kind"], e["role"]) for e in done.json()["events"]] == [("registry.account_opened", "secretariat")]
    assert list(Event.objects.filter(pk__gt=0).order_by("-pk").values_list("kind", flat=True)[:1]) == [
        "registry.account_opened"]


def test_the_sb_runs_the_stress_test_again_and_the_answer_is_the_new_test(world, bearer):
    """A6.4-STAN-METH-002 v01.0 paras 60-61: the secretariat or the SB runs the buffer pool's stress
    test again, on the latest test; a participant sees no stress test (404)."""
    first = stress_test_run(user=world.sam, parameters=PARAMS)
    url = f"/api/v1/stress-tests/{first.pk}/actions"
    assert bearer(world.ama).get(url).status_code == 404
    sofia = bearer(world.sofia)
    bad = _post(sofia, f"{url}/run_stress_test", {"inputs": {"largest": -1}})
    assert bad.status_code == 400 and bad.json()["field"] == "largest"
    assert StressTest.objects.count() == 1
    done = _post(sofia, f"{url}/run_stress_test", {"inputs": {
        "largest": 3, "region": "", "region_share": "100", "band_low": "0", "band_high": "100", "band_share": "50"}})
    assert done.status_code == 200, done.content
    second = StressTest.objects.exclude(pk=first.pk).get()
    assert second.parameters["largest"] == 3 and second.parameters["band_share_bp"] == 5_000
    assert done.json()["created"]["reference"] == str(second.pk)
    assert done.json()["subject"]["reference"] == str(first.pk)
    # The old test superseded on its stream, then the new test's run on its own.
    assert [(e["kind"], e["role"]) for e in done.json()["events"]] == [
        ("buffer.stress_test_transitioned", "sb"), ("buffer.stress_test_run", "sb")]
    assert list(Event.objects.filter(stream=second.stream).values_list("kind", "actor_id")) == [
        ("buffer.stress_test_run", world.sofia.pk)]
    assert StressTest.objects.get(pk=first.pk).state != first.state  # superseded by the new test
