"""Observed events through the API: the writes of the event page, read by its forms, through EVENT.call."""
import datetime

import pytest
from django.utils import timezone

from pacm.events.models import Event
from projects.cycle import PeriodState as P
from projects.reversals import services as rev
from projects.reversals.machine import EVENT

pytestmark = pytest.mark.django_db


@pytest.fixture
def notified(world, removals, submit, drive):
    drive(submit(removals), P.ISSUED)
    today = timezone.localdate()
    return rev.observed_event_notify(
        activity=removals, user=world.ama, description="Wildfire", location="Compartment 4",
        occurred_from=today - datetime.timedelta(days=9), occurred_to=today - datetime.timedelta(days=8),
        aware_on=today - datetime.timedelta(days=8))


def test_the_sb_suspends_the_units_through_the_api(world, notified, bearer):
    url = f"/api/v1/activities/{notified.activity.reference}/observed-events/{notified.number}/actions"
    offered = {o["name"]: o for o in bearer(world.sofia).get(url).json()["actions"]}
    assert offered["suspend_units"]["in_api"] is True
    assert bearer(world.kofi).get(url).json()["actions"] == []  # kofi sees the public activity, may do nothing
    refused = bearer(world.ama).post(f"{url}/suspend_units", {"comment": "Mine"}, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "not_offered"
    stream = notified.activity.stream
    before = Event.objects.filter(stream=stream).count()
    done = bearer(world.sofia).post(f"{url}/suspend_units", {"comment": "Para 44", "expected_state": notified.state},
                                    content_type="application/json")
    assert done.status_code == 200, done.content
    body = done.json()
    new = list(Event.objects.filter(stream=stream).order_by("sequence")[before:])
    assert [(e.kind, e.from_state, e.to_state, e.role, e.actor_id) for e in new] == [
        (EVENT.event_kind, notified.state, body["subject"]["state"], "sb", world.sofia.pk)]
    assert [e["kind"] for e in body["events"]] == [EVENT.event_kind] and body["subject"]["state"] != notified.state
    files = {o["name"]: o for o in bearer(world.ama).get(url).json()["actions"]}
    for name in {"submit_preliminary", "submit_full_report"} & set(files):  # a report: multipart, on its route
        assert files[name]["in_api"] is True and files[name]["endpoint"] == f"{url}/{name}/upload"


def test_the_participants_submit_the_preliminary_report_as_multipart(world, notified, bearer):
    """A6.4-STAN-METH-002 v01.0 para 45: the preliminary report of an observed event, a file through
    POST .../actions/submit_preliminary/upload, read by the event page's ReportForm; one event."""
    from tests import factories as f

    url = f"/api/v1/activities/{notified.activity.reference}/observed-events/{notified.number}/actions"
    sofia = bearer(world.sofia)
    assert sofia.post(f"{url}/suspend_units", {"comment": "Para 44"}, content_type="application/json").status_code == 200
    event = type(notified).objects.get(pk=notified.pk)
    ama = bearer(world.ama)
    offered = {o["name"] for o in ama.get(url).json()["actions"] if o["blocked"] is None}
    assert "submit_preliminary" in offered, offered
    stream = notified.activity.stream
    before = Event.objects.filter(stream=stream).count()
    no_report = ama.post(f"{url}/submit_preliminary/upload", {"comment": "Preliminary"})
    assert no_report.status_code == 400 and no_report.json()["field"] == "report"
    assert Event.objects.filter(stream=stream).count() == before
    done = ama.post(f"{url}/submit_preliminary/upload",
                    {"comment": "Preliminary", "expected_state": event.state, "report": f.pdf("prelim.pdf")})
    assert done.status_code == 200, done.content
    new = list(Event.objects.filter(stream=stream).order_by("sequence")[before:])
    assert [(e.kind, e.from_state, e.role, e.actor_id) for e in new] == [
        ("document.uploaded", "", "participant", world.ama.pk),
        (EVENT.event_kind, event.state, "participant", world.ama.pk)]
    assert done.json()["subject"]["state"] == new[1].to_state != event.state
