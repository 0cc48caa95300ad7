"""pacm issue 9: the participants' confirmation of the DOE's issuance request through the API's
generic action (POST .../actions/confirm_issuance_request), and the checks refused before it.

Personas: ama (the activity's participant), dora (the verification DOE), dina (Ghana's DNA), sam
(the secretariat).
"""
import pytest

from pacm.events.models import EventKind
from projects.cycle import PeriodState as P
from projects.models import MonitoringPeriod
from tests.issuance.conftest import _pay

pytestmark = pytest.mark.django_db
CONFIRM = "confirm_issuance_request"


@pytest.fixture
def requested(awaiting_confirmation):
    return awaiting_confirmation


def _url(period, name=""):
    base = f"/api/v1/activities/{period.activity.reference}/periods/{period.number}/actions"
    return f"{base}/{name}" if name else base


def test_the_api_offers_and_takes_the_confirmation(world, requested, bearer):
    ama = bearer(world.ama)
    offered = {row["name"]: row for row in ama.get(_url(requested)).json()["actions"]}
    assert offered[CONFIRM]["blocked"] is None and offered[CONFIRM]["in_api"] is True
    for who in (world.dora, world.sam, world.dina):
        refused = bearer(who).post(_url(requested, CONFIRM), {}, content_type="application/json")
        assert refused.status_code == 403 and refused.json()["code"] == "not_offered", who
    done = ama.post(_url(requested, CONFIRM), {"expected_state": P.ISSUANCE_REQUESTED},
                    content_type="application/json")
    assert done.status_code == 200, done.content
    assert done.json()["subject"]["state"] == P.ISSUANCE_REQUESTED
    assert [e["kind"] for e in done.json()["events"]] == [EventKind.ISSUANCE_CONFIRMED]
    again = ama.post(_url(requested, CONFIRM), {}, content_type="application/json")
    assert again.status_code == 400 and again.json()["code"] == "issuance_already_confirmed"
    sam = {row["name"]: row for row in bearer(world.sam).get(_url(requested)).json()["actions"]}
    assert sam["start_issuance_checks"]["blocked"]["code"] == "issuance_fee_settled"  # the fee, still due
    assert MonitoringPeriod.objects.get(pk=requested.pk).issuance.confirmed_by == world.orgs["dev"]


def test_the_api_refuses_the_checks_before_the_confirmation(world, requested, bearer):
    _pay(world, requested)
    sam = bearer(world.sam)
    offered = {row["name"]: row for row in sam.get(_url(requested)).json()["actions"]}
    assert offered["start_issuance_checks"]["blocked"]["code"] == "issuance_confirmation_missing"
    refused = sam.post(_url(requested, "start_issuance_checks"), {}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["code"] == "issuance_confirmation_missing"
    assert MonitoringPeriod.objects.get(pk=requested.pk).state == P.ISSUANCE_REQUESTED


DECLINE = "decline_issuance_request"


def test_the_api_offers_and_takes_the_decline_with_reasons(world, requested, bearer):
    """Reading omge-confirm-2 through the generic actions endpoint: offered to ama (reasons needed), not
    to dora, sam or dina; without reasons a 400 on `comment`; with them the period is back with the DOE
    and the answer lists exactly `issuance.declined` and the transition's event."""
    ama = bearer(world.ama)
    offered = {row["name"]: row for row in ama.get(_url(requested)).json()["actions"]}
    assert offered[DECLINE]["in_api"] is True and offered[DECLINE]["needs_reason"] is True
    assert offered[DECLINE]["blocked"] is None and offered[DECLINE]["kind"] == "transition"
    for who in (world.dora, world.sam, world.dina):
        refused = bearer(who).post(_url(requested, DECLINE), {"comment": "No"}, content_type="application/json")
        assert refused.status_code == 403 and refused.json()["code"] == "not_offered", who
    blank = ama.post(_url(requested, DECLINE), {"comment": ""}, content_type="application/json")
    assert blank.status_code == 400 and blank.json()["field"] == "comment"
    assert MonitoringPeriod.objects.get(pk=requested.pk).state == P.ISSUANCE_REQUESTED
    done = ama.post(_url(requested, DECLINE), {"comment": "Wrong accounts", "expected_state": P.ISSUANCE_REQUESTED},
                    content_type="application/json")
    assert done.status_code == 200, done.content
    assert done.json()["subject"]["state"] == P.ISSUANCE_INCOMPLETE
    assert [(e["kind"], e["comment"]) for e in done.json()["events"]] == [
        (EventKind.ISSUANCE_DECLINED, "Wrong accounts"), (EventKind.MONITORING_TRANSITIONED, "Wrong accounts")]
    dora = {row["name"]: row for row in bearer(world.dora).get(_url(requested)).json()["actions"]}
    assert dora["resubmit_issuance"]["blocked"] is None
