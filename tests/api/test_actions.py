"""Writes: POST .../actions/{name} for what available_actions offers, through the web's services."""
import pytest
from django.test import Client

from pacm.events.models import Event
from projects.cycle import ActivityState as A
from projects.models import Activity, Finding

pytestmark = pytest.mark.django_db


def _post(client, path, body=None):
    return client.post(path, body or {}, content_type="application/json")


def test_the_actions_list_is_available_actions_with_its_blockers(world, activity, bearer):
    body = bearer(world.ama).get(f"/api/v1/activities/{activity.reference}/actions").json()
    names = {row["name"]: row for row in body["actions"]}
    assert body["state"] == "draft"
    assert {"notify_prior_consideration", "withdraw", "edit_pdd", "upload_document"} <= set(names)
    prior = names["notify_prior_consideration"]
    assert prior["in_api"] is True and prior["kind"] == "transition" and prior["role"] == "participant"
    # A file: taken as multipart on its own route, which the listing names.
    assert names["upload_document"]["in_api"] is True
    assert names["upload_document"]["endpoint"] == f"/api/v1/activities/{activity.reference}/actions/upload_document/upload"
    # Nobody but the participants is offered anything on a draft (they do not even see it).
    assert bearer(world.dora).get(f"/api/v1/activities/{activity.reference}/actions").status_code == 404


def test_a_transition_round_trip_records_exactly_its_event(world, activity, bearer):
    client = bearer(world.ama)
    before = list(Event.objects.filter(stream=activity.stream).values_list("sequence", flat=True))
    response = _post(client, f"/api/v1/activities/{activity.reference}/actions/notify_prior_consideration",
                     {"comment": "By API", "expected_state": "draft"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["subject"] == {"kind": "activity", "reference": activity.reference, "state": "prior_consideration"}
    new = list(Event.objects.filter(stream=activity.stream).exclude(sequence__in=before).order_by("sequence"))
    assert [(e.kind, e.from_state, e.to_state, e.role, e.actor_id, e.comment) for e in new] == [
        ("activity.transitioned", "draft", "prior_consideration", "participant", world.ama.pk, "By API")]
    assert body["events"] == [{"sequence": new[0].sequence, "kind": "activity.transitioned", "created_at": new[0].created_at.isoformat(),
                               "role": "participant", "organisation": "Kpone Green Energy",
                               "from_state": "draft", "to_state": "prior_consideration",
                               # As the timeline shows it to ama (a participant): her name, the comment.
                               "actor": "ama", "comment": "By API", "payload": {}}]
    assert Activity.objects.get(pk=activity.pk).state == A.PRIOR_CONSIDERATION


def test_refusals_are_problem_documents_with_the_stable_code(world, activity, advance_to, bearer):
    published = advance_to(activity, A.CONSULTATION)
    url = f"/api/v1/activities/{published.reference}/actions"
    # The activity's events (each bearer() makes a token, whose event is on its owner's own stream).
    events = Event.objects.filter(stream=published.stream).count()
    # Not offered to kofi (not a participant): refused before any input is read.
    refused = _post(bearer(world.kofi), f"{url}/withdraw", {"comment": "Not mine"})
    assert refused.status_code == 403 and refused["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "not_offered" and refused.json()["type"].endswith("/not_offered")
    # A stale page: ama saw it in another state.
    stale = _post(bearer(world.ama), f"{url}/withdraw", {"comment": "Stop", "expected_state": "draft"})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_page"
    assert stale.json()["title"] == "Conflict" and stale["Content-Type"] == "application/problem+json"
    # A write the machine does not declare; a field the service refuses.
    unknown = _post(bearer(world.ama), f"{url}/launch_rocket")
    assert unknown.status_code == 404 and unknown.json()["code"] == "write_unknown"
    no_reason = _post(bearer(world.ama), f"{url}/withdraw", {"comment": ""})
    assert no_reason.status_code == 400 and no_reason.json()["field"] == "comment", no_reason.json()
    # Anonymous callers write nothing.
    anon = _post(Client(), f"{url}/withdraw", {"comment": "x"})
    assert anon.status_code == 401 and anon.json()["code"] == "not_authenticated"
    assert Event.objects.filter(stream=published.stream).count() == events


def test_a_finding_raised_and_answered_through_the_api(world, activity, advance_to, bearer):
    published = advance_to(activity, A.UNDER_VALIDATION)
    url = f"/api/v1/activities/{published.reference}/actions"
    raised = _post(bearer(world.dora), f"{url}/raise_finding", {"inputs": {"kind": "car", "text": "Baseline unclear"}})
    assert raised.status_code == 200, raised.content
    assert [e["kind"] for e in raised.json()["events"]] == ["finding.raised"]
    finding = Finding.objects.get(activity=published)
    offered = bearer(world.ama).get(url).json()["actions"]
    assert {"name": "answer_finding", "item": finding.pk} in [{"name": o["name"], "item": o["item"]} for o in offered]
    no_item = _post(bearer(world.ama), f"{url}/answer_finding", {"inputs": {"response": "Fixed"}})
    assert no_item.status_code == 400 and no_item.json()["code"] == "item_required"
    answered = _post(bearer(world.ama), f"{url}/answer_finding", {"item": finding.pk, "inputs": {"response": "Fixed"}})
    assert answered.status_code == 200, answered.content
    assert [e["kind"] for e in answered.json()["events"]] == ["finding.answered"]
    finding.refresh_from_db()
    assert finding.status == "answered"


def test_session_writes_need_the_csrf_token(world, activity):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.ama)
    url = f"/api/v1/activities/{activity.reference}/actions/notify_prior_consideration"
    refused = _post(client, url)
    assert refused.status_code == 403 and refused.json()["code"] == "csrf_failed"
    client.get("/account/tokens/")  # sets the CSRF cookie, as a page of the site would
    token = client.cookies["csrftoken"].value
    done = client.post(url, {}, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert done.status_code == 200 and done.json()["subject"]["state"] == "prior_consideration"


def test_inputs_are_read_by_the_web_form_and_the_doe_is_engaged(world, activity, bearer):
    from projects import services

    services.activity_notify_prior_consideration(activity=activity, user=world.ama)
    url = f"/api/v1/activities/{activity.reference}/actions/engage_doe"
    bad = _post(bearer(world.ama), url, {"inputs": {"doe": 999_999}})
    assert bad.status_code == 400 and bad.json()["field"] == "doe" and bad.json()["code"] == "invalid_input"
    done = _post(bearer(world.ama), url, {"inputs": {"doe": world.orgs["doe"].pk}})
    assert done.status_code == 200, done.content
    assert Activity.objects.get(pk=activity.pk).validation_doe == world.orgs["doe"]
    assert [e["kind"] for e in done.json()["events"]] == ["activity.doe_engaged"]


def test_other_subjects_list_their_actions_with_the_same_visibility(world, bearer):
    assert bearer(world.ama).get("/api/v1/transitions/999999/actions").status_code == 404
    assert bearer(world.ama).get("/api/v1/poas/A64-999999/actions").status_code == 404
    assert Client().get("/api/v1/cps/A64-999999/actions").status_code == 404


def test_validate_with_its_form_records_one_transition_event(world, activity, advance_to, bearer):
    from projects import services
    from tests import factories as f

    a = advance_to(activity, A.UNDER_VALIDATION)
    url = f"/api/v1/activities/{a.reference}/actions/validate"
    blocked = {o["name"]: o for o in bearer(world.dora).get(f"/api/v1/activities/{a.reference}/actions").json()[
        "actions"]}["validate"]["blocked"]
    assert blocked is not None and blocked["code"]  # no validation report yet: its guard's stable code
    services.document_upload(activity=a, user=world.dora, kind="validation_report", uploaded=f.pdf("vr.pdf"))
    before = Event.objects.filter(stream=a.stream).count()
    done = _post(bearer(world.dora), url, {"comment": "Validated", "expected_state": "under_validation"})
    assert done.status_code == 200, done.content
    new = list(Event.objects.filter(stream=a.stream).order_by("sequence")[before:])
    assert [(e.kind, e.from_state, e.to_state, e.role) for e in new] == [
        ("activity.transitioned", "under_validation", "validated", "doe")]
    assert done.json()["subject"]["state"] == "validated"
