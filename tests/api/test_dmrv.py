"""dMRV ingestion through the API (pacm issue 9): a participant's MRV system posts signed, idempotent
batches of readings for the period being drafted. Personas: ama (participant), kofi (another
developer's participant), dora (the DOE), the anonymous public."""
import datetime
import json

import pytest
from django.test import Client
from django.utils import timezone

from pacm.events.models import Event
from projects import services
from projects.dmrv.models import MrvKey, Reading, ReadingBatch
from tests import factories as f
from tests.dmrv.support import CLAIMED, declare, key_of, readings_body, signed_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def mrv(world, registered):
    declare(registered)
    key_id, secret = key_of(registered, world.ama)
    return registered, key_id, secret


def _url(activity, number=1):
    return f"/api/v1/activities/{activity.reference}/periods/{number}/readings"


def _at(days_ago=30):
    return (timezone.now() - datetime.timedelta(days=days_ago)).isoformat()


def _body():
    return readings_body((CLAIMED, "120.5", "tCO2e", _at(40)), ("EG_y", "300", "MWh", _at(39)))


def _batch_events(activity):
    return [(e.kind, e.role, e.actor_id, e.payload) for e in
            Event.objects.filter(stream=activity.stream, kind__startswith="dmrv.").order_by("sequence")]


def test_a_participant_registers_a_key_shown_once_with_its_event(world, registered, bearer):
    answer = bearer(world.ama).post(f"/api/v1/activities/{registered.reference}/mrv-keys")
    assert answer.status_code == 200, answer.content
    key = MrvKey.objects.get(activity=registered)
    assert answer.json() == {"key_id": key.key_id, "secret": key.secret}
    assert _batch_events(registered) == [("dmrv.key_registered", "participant", world.ama.pk, {"key_id": key.key_id})]
    for user in (world.kofi, world.dora):
        refused = bearer(user).post(f"/api/v1/activities/{registered.reference}/mrv-keys")
        assert refused.status_code == 403 and refused.json()["code"] == "not_offered"
    assert Client().post(f"/api/v1/activities/{registered.reference}/mrv-keys").status_code == 401
    assert MrvKey.objects.count() == 1


def test_a_signed_batch_is_stored_with_exactly_its_event(world, mrv, bearer):
    activity, key_id, secret = mrv
    body = _body()
    answer = signed_post(bearer(world.ama), _url(activity), body, key_id=key_id, secret=secret)
    assert answer.status_code == 200, answer.content
    batch = ReadingBatch.objects.get()
    assert answer.json()["readings"] == 2 and answer.json()["replayed"] is False
    assert [(r.parameter, str(r.value), r.unit, r.source) for r in Reading.objects.order_by("id")] == [
        (CLAIMED, "120.500000", "tCO2e", "meter-7"), ("EG_y", "300.000000", "MWh", "meter-7")]
    assert _batch_events(activity)[-1] == ("dmrv.readings_received", "participant", world.ama.pk, {
        "key_id": key_id, "monitoring_period": 1, "readings": 2, "batch_sha256": batch.body_sha256})


@pytest.mark.parametrize("case", ["missing", "wrong_secret", "tampered", "other_key", "expired", "bad_stamp"])
def test_a_batch_without_a_valid_signature_is_refused_and_nothing_stored(world, mrv, bearer, case):
    activity, key_id, secret = mrv
    client, body = bearer(world.ama), _body()
    if case == "missing":
        answer = signed_post(client, _url(activity), body, key_id=key_id, secret=secret, signature="")
        expected = (403, "signature_missing")
    elif case == "wrong_secret":
        answer = signed_post(client, _url(activity), body, key_id=key_id, secret="0" * 64)
        expected = (403, "signature_invalid")
    elif case == "tampered":  # signed one body, sent another
        import time

        from projects.dmrv.services import signature_of
        stamp = int(time.time())
        sig = "sha256=" + signature_of(secret, stamp, body)
        changed = json.loads(json.dumps(body))
        changed["readings"][0]["value"] = "999.5"
        answer = signed_post(client, _url(activity), changed, key_id=key_id, secret=secret, timestamp=stamp,
                             signature=sig)
        expected = (403, "signature_invalid")
    elif case == "other_key":  # a key of another activity does not sign for this one
        answer = signed_post(client, _url(activity), body, key_id="mrv_0000000000000000", secret=secret)
        expected = (403, "signature_invalid")
    elif case == "expired":
        answer = signed_post(client, _url(activity), body, key_id=key_id, secret=secret,
                             timestamp=int(timezone.now().timestamp()) - 3600)
        expected = (403, "signature_expired")
    else:
        answer = signed_post(client, _url(activity), body, key_id=key_id, secret=secret,
                             headers={"HTTP_X_PACM_TIMESTAMP": "yesterday"})
        expected = (400, "timestamp_invalid")
    assert (answer.status_code, answer.json()["code"]) == expected, answer.content
    assert answer["Content-Type"] == "application/problem+json"
    assert not Reading.objects.exists() and [k for k, *_r in _batch_events(activity)] == ["dmrv.key_registered"]


def test_the_same_key_and_body_answer_the_first_batch_another_body_is_a_conflict(world, mrv, bearer):
    activity, key_id, secret = mrv
    client, body = bearer(world.ama), _body()
    first = signed_post(client, _url(activity), body, key_id=key_id, secret=secret)
    again = signed_post(client, _url(activity), body, key_id=key_id, secret=secret)
    assert first.status_code == again.status_code == 200
    assert {**first.json(), "replayed": True} == again.json()
    other = readings_body((CLAIMED, "1", "tCO2e", _at(10)))
    conflict = signed_post(client, _url(activity), other, key_id=key_id, secret=secret)
    assert conflict.status_code == 409 and conflict.json()["code"] == "idempotency_key_reused"
    no_key = signed_post(client, _url(activity), other, key_id=key_id, secret=secret, client_key="")
    assert no_key.status_code == 400 and no_key.json()["code"] == "idempotency_key_required"
    assert ReadingBatch.objects.count() == 1 and Reading.objects.count() == 2
    assert [k for k, *_r in _batch_events(activity)] == ["dmrv.key_registered", "dmrv.readings_received"]


def test_a_submitted_period_and_a_period_not_next_refuse_readings(world, mrv, bearer, submit):
    activity, key_id, secret = mrv
    submit(activity)  # period 1 is submitted: the one being drafted is now 2
    client = bearer(world.ama)
    closed = signed_post(client, _url(activity, 1), _body(), key_id=key_id, secret=secret)
    assert closed.status_code == 409 and closed.json()["code"] == "period_not_open"
    ahead = signed_post(client, _url(activity, 5), _body(), key_id=key_id, secret=secret, client_key="batch-00000000000000002")
    # A number past the next is no period at all: 404, before the headers are read (deny by default).
    assert ahead.status_code == 404 and ahead.json()["code"] == "period_not_next"
    assert not Reading.objects.exists()
    fine = signed_post(client, _url(activity, 2), _body(), key_id=key_id, secret=secret, client_key="batch-00000000000000003")
    assert fine.status_code == 200 and fine.json()["monitoring_period"] == 2


def test_only_the_participants_post_readings(world, mrv, bearer):
    activity, key_id, secret = mrv
    for user in (world.kofi, world.dora, world.sam):
        refused = signed_post(bearer(user), _url(activity), _body(), key_id=key_id, secret=secret)
        assert refused.status_code == 403 and refused.json()["code"] == "not_offered", user
    assert signed_post(Client(), _url(activity), _body(), key_id=key_id, secret=secret).status_code == 401
    assert not Reading.objects.exists()


def test_bad_rows_are_refused_with_their_path(world, mrv, bearer):
    activity, key_id, secret = mrv
    client = bearer(world.ama)
    cases = [
        (readings_body((CLAIMED, "12", "tCO2e", _at()), ("NOPE", "1", "tCO2e", _at())), 400, "readings.1.parameter"),
        (readings_body((CLAIMED, "12", "kg", _at())), 400, "readings.0.unit"),
        (readings_body((CLAIMED, "12", "tCO2e", (timezone.now() + datetime.timedelta(days=2)).isoformat())), 400,
         "readings.0.measured_at"),
        (readings_body((CLAIMED, "1e5", "tCO2e", _at())), 422, "readings.0.value"),
        ({"readings": []}, 422, "readings"),
    ]
    for index, (body, status, field) in enumerate(cases):
        answer = signed_post(client, _url(activity), body, key_id=key_id, secret=secret,
                             client_key=f"batch-bad-000000000{index}")
        assert (answer.status_code, answer.json()["field"]) == (status, field), answer.content
    assert not Reading.objects.exists() and not ReadingBatch.objects.exists()


def test_a_revoked_keys_signature_is_refused_with_its_own_code(world, mrv, bearer):
    from projects.dmrv.services import mrv_key_revoke

    activity, key_id, secret = mrv
    mrv_key_revoke(activity=activity, key_id=key_id, user=world.ama)
    answer = signed_post(bearer(world.ama), _url(activity), _body(), key_id=key_id, secret=secret)
    assert (answer.status_code, answer.json()["code"]) == (403, "mrv_key_revoked"), answer.content
    assert answer.json()["params"] == {"key_id": key_id}
    # Only the holder of the secret learns the key is revoked: a wrong secret is still just invalid.
    wrong = signed_post(bearer(world.ama), _url(activity), _body(), key_id=key_id, secret="0" * 64)
    assert wrong.json()["code"] == "signature_invalid"
    assert not Reading.objects.exists() and not ReadingBatch.objects.exists()
    assert [k for k, *_r in _batch_events(activity)] == ["dmrv.key_registered", "dmrv.key_revoked"]


# --- The keys' declared writes through the generic actions endpoint (pacm issue 9) -----------------

def _actions(activity):
    return f"/api/v1/activities/{activity.reference}/actions"


def _act(client, activity, name, inputs=None):
    return client.post(f"{_actions(activity)}/{name}", json.dumps({"inputs": inputs or {}}),
                       content_type="application/json")


def test_the_key_writes_are_offered_in_the_api_to_the_participants_only(world, registered, bearer):
    """`register_mrv_key` and `revoke_mrv_key` (projects/cycle.py) are in the activity's actions list
    for ama, in the API; not for kofi, dora or the public."""
    offered = {row["name"]: row for row in bearer(world.ama).get(_actions(registered)).json()["actions"]}
    assert offered["register_mrv_key"]["in_api"] is True and offered["register_mrv_key"]["inputs"] == []
    assert offered["revoke_mrv_key"]["in_api"] is True and offered["revoke_mrv_key"]["inputs"] == ["key_id"]
    for client in (bearer(world.kofi), bearer(world.dora), Client()):
        listed = client.get(_actions(registered)).json()["actions"]
        assert not {"register_mrv_key", "revoke_mrv_key"} & {row["name"] for row in listed}


def test_registering_through_the_actions_endpoint_answers_the_secret_once(world, registered, bearer):
    answer = _act(bearer(world.ama), registered, "register_mrv_key")
    assert answer.status_code == 200, answer.content
    key = MrvKey.objects.get(activity=registered)
    body = answer.json()
    assert body["result"] == {"key_id": key.key_id, "secret": key.secret}
    assert body["subject"] == {"kind": "activity", "reference": registered.reference, "state": "registered"}
    assert [(e["kind"], e["payload"]) for e in body["events"]] == [("dmrv.key_registered", {"key_id": key.key_id})]
    assert _batch_events(registered) == [("dmrv.key_registered", "participant", world.ama.pk, {"key_id": key.key_id})]
    # Shown once: never in what is read later (the actions list, the timeline).
    later = bearer(world.ama).get(_actions(registered)).content.decode()
    events = bearer(world.ama).get(f"/api/v1/activities/{registered.reference}/events").content.decode()
    assert key.secret not in later and key.secret not in events and key.key_id in events
    for user in (world.kofi, world.dora):
        refused = _act(bearer(user), registered, "register_mrv_key")
        assert refused.status_code == 403 and refused.json()["code"] == "not_offered"
    assert _act(Client(), registered, "register_mrv_key").status_code == 401
    assert MrvKey.objects.count() == 1


def test_revoking_through_the_actions_endpoint_records_exactly_its_event(world, mrv, bearer):
    activity, key_id, _secret = mrv
    refused = _act(bearer(world.dora), activity, "revoke_mrv_key", {"key_id": key_id})
    assert refused.status_code == 403 and refused.json()["code"] == "not_offered"
    answer = _act(bearer(world.ama), activity, "revoke_mrv_key", {"key_id": key_id})
    assert answer.status_code == 200, answer.content
    key = MrvKey.objects.get(key_id=key_id)
    assert key.revoked_at is not None and answer.json()["result"] == {"key_id": key_id,
                                                                      "revoked_at": key.revoked_at.isoformat()}
    assert [(e["kind"], e["payload"]) for e in answer.json()["events"]] == [("dmrv.key_revoked", {"key_id": key_id})]
    assert _batch_events(activity) == [("dmrv.key_registered", "participant", world.ama.pk, {"key_id": key_id}),
                                       ("dmrv.key_revoked", "participant", world.ama.pk, {"key_id": key_id})]
    again = _act(bearer(world.ama), activity, "revoke_mrv_key", {"key_id": key_id})
    assert again.status_code == 409 and again.json()["code"] == "mrv_key_already_revoked"
    unknown = _act(bearer(world.ama), activity, "revoke_mrv_key", {"key_id": "mrv_0000000000000000"})
    assert unknown.status_code == 404 and unknown.json()["code"] == "mrv_key_unknown"
    missing = _act(bearer(world.ama), activity, "revoke_mrv_key")
    assert missing.status_code == 400 and missing.json()["field"] == "key_id"
    assert len(_batch_events(activity)) == 2


def test_the_readings_refuse_a_stranger_before_they_read_the_body(world, mrv, bearer):
    """Deny by default (pacm issue 9): who does not report on the activity is refused (403, or 404
    where it is hidden from them) before a body of the wrong shape is a 422; the participant gets the 422."""
    activity = services.activity_create(user=world.ama, **f.pdd_data(world.host, world.version))  # a draft
    registered, key_id, secret = mrv
    malformed = {"readings": "not a list"}
    for user in (world.kofi, world.dora):
        refused = signed_post(bearer(user), _url(registered), malformed, key_id=key_id, secret=secret)
        assert (refused.status_code, refused.json()["code"]) == (403, "not_offered"), (user, refused.content)
    hidden = signed_post(bearer(world.kofi), _url(activity), malformed, key_id=key_id, secret=secret)
    assert (hidden.status_code, hidden.json()["code"]) == (404, "not_found")  # ama's draft: kofi does not see it
    shape = signed_post(bearer(world.ama), _url(registered), malformed, key_id=key_id, secret=secret)
    assert (shape.status_code, shape.json()["code"]) == (422, "invalid_input"), shape.content
    assert not ReadingBatch.objects.exists() and [k for k, *_r in _batch_events(registered)] == ["dmrv.key_registered"]
