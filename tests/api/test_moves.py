"""Account moves through the API (pacm issue 9): the web page's forms and services, the same
holders, the exact event, the transaction's serial ranges, units conserved, coded problems, and
one move per Idempotency-Key."""
import pytest
from django.test import Client
from django.urls import reverse

from pacm.events.models import Event
from pacm.registry.models import AccountKind, LedgerTransaction, UnitBlock
from pacm.registry.serials import serial_format
from pacm.registry.services.suspensions import suspension_start
from tests.move_steps import move_post
from tests.registry.conftest import held, issue, mech

pytestmark = pytest.mark.django_db

PERSONAS = ("ama", "kofi", "dora", "dina", "nils", "sam", "af")


@pytest.fixture
def issued(reg):
    issue(reg.activity, 1000, to=reg.acct)
    return reg


def units_total():
    return sum(b.serial_end - b.serial_start + 1 for b in UnitBlock.objects.all())


def act(client, account, name, inputs, **headers):
    return client.post(f"/api/v1/registry/accounts/{account.number}/actions/{name}", {"inputs": inputs},
                       content_type="application/json", **headers)


def stream_events(account):
    return list(Event.objects.filter(stream=f"account:{account.number}").order_by("sequence")
                .values_list("kind", "payload__kind", "payload__quantity", "role"))


def test_a_transfer_answers_its_transaction_ranges_and_event(issued, bearer):
    w = issued
    before_total, before_events, had = units_total(), stream_events(w.acct), held(w.acct)
    response = act(bearer(w.ama), w.acct, "transfer_units", {"to_account": w.foreign.number, "quantity": 25})
    assert response.status_code == 200, response.content
    body = response.json()
    row = LedgerTransaction.objects.get(pk=body["transaction"]["id"])
    assert (row.kind, row.quantity, row.from_account_id, row.to_account_id) == ("transfer", 25, w.acct.pk, w.foreign.pk)
    assert body["transaction"]["kind"] == "transfer" and body["transaction"]["to_account"] == w.foreign.number
    assert body["transaction"]["ranges"] == [{"serial": serial_format(e), "quantity": e.serial_end - e.serial_start + 1}
                                             for e in row.entries.order_by("pk")]
    assert sum(r["quantity"] for r in body["transaction"]["ranges"]) == 25
    assert stream_events(w.acct) == [*before_events, ("registry.units_moved", "transfer", 25, "participant")]
    assert [(e["kind"], e["role"]) for e in body["events"]] == [("registry.units_moved", "participant")]
    assert body["replayed"] is False
    assert held(w.foreign) == 25 and held(w.acct) == had - 25 and units_total() == before_total


def test_retirement_for_ndc_use_with_purpose_and_beneficiary(issued, bearer):
    w = issued
    act(bearer(w.ama), w.acct, "transfer_units", {"to_account": w.ke_party.number, "quantity": 100})
    response = act(bearer(w.nils), w.ke_party, "use_units", {
        "use": "retirement", "quantity": 10, "party": w.other.pk, "purpose": "NDC 2030",
        "beneficiary": "Republic of Kenya"})
    assert response.status_code == 200, response.content
    tx = response.json()["transaction"]
    assert (tx["kind"], tx["to_account"], tx["purpose"], tx["beneficiary"]) == (
        "retirement", w.ke_retire.number, "NDC 2030", "Republic of Kenya")
    assert stream_events(w.ke_party)[-1] == ("registry.units_moved", "retirement", 10, "dna")
    assert held(w.ke_retire) == 10 and held(w.ke_party) == 90


@pytest.mark.parametrize("name, inputs, kind", [
    ("use_units", {"use": "oimp", "quantity": 5, "purpose": "CORSIA"}, None),
    ("use_units", {"use": "voluntary", "quantity": 5, "purpose": "A claim", "beneficiary": "Acme"},
     "voluntary_cancellation"),
    ("cancel_units", {"quantity": 5, "purpose": "A claim", "beneficiary": "Acme"}, "voluntary_cancellation"),
])
def test_oimp_and_voluntary_cancellations_end_in_their_accounts(reg, bearer, name, inputs, kind):
    issue(reg.activity, 1000, to=reg.acct, status="both", definition="use")
    total, had = units_total(), held(reg.acct)
    response = act(bearer(reg.ama), reg.acct, name, inputs)
    assert response.status_code == 200, response.content
    tx = response.json()["transaction"]
    row = LedgerTransaction.objects.get(pk=tx["id"])
    assert tx["kind"] == row.kind == (kind or "cancellation_oimp") and row.quantity == 5
    assert row.to_account.kind in ("cancellation_oimp", "voluntary_cancellation")
    assert stream_events(reg.acct)[-1] == ("registry.units_moved", row.kind, 5, "participant")
    assert held(reg.acct) == had - 5 and units_total() == total


def test_each_persona_moves_through_the_api_only_what_the_web_lets_them(issued, bearer):
    """The web's account page and its transfer form against the API, persona by persona."""
    w = issued
    had = held(w.acct)
    for name in PERSONAS:
        user = getattr(w, name)
        for account in (w.acct, w.gh_party, w.ke_party):
            web = Client()
            web.force_login(user)
            total = units_total()
            api_status = bearer(user).get(f"/api/v1/registry/accounts/{account.number}/actions").status_code
            web_status = web.get(reverse("registry-account", args=[account.number])).status_code
            assert api_status == web_status, (name, account.number)
            has = held(account)
            moved = act(bearer(user), account, "transfer_units", {"to_account": w.acct2.number, "quantity": 1})
            posted = move_post(web, reverse("registry-transfer", args=[account.number]),
                               {"transfer-to_account": w.acct2.number, "transfer-quantity": "1"})
            if web_status == 404:
                assert (moved.status_code, posted.status_code) == (404, 404), (name, account.number)
                assert moved.json()["code"] == "not_found"
                assert units_total() == total
            elif has:
                assert (moved.status_code, posted.status_code) == (200, 302), (name, account.number, moved.content)
            else:
                assert (moved.status_code, posted.status_code) == (400, 200), (name, account.number)
                assert moved.json()["code"] == "units_insufficient"
    # Only ama (Kpone's holding accounts) moved anything out of acct: twice, one unit each.
    assert held(w.acct2) == 2 and held(w.acct) == had - 2


def test_the_actions_list_is_the_accounts_declaration(issued, bearer):
    w = issued
    body = bearer(w.ama).get(f"/api/v1/registry/accounts/{w.acct.number}/actions").json()
    assert body["state"] == "movable"
    assert {(a["name"], a["in_api"], a["blocked"]) for a in body["actions"]} == {
        ("transfer_units", True, None), ("use_units", True, None), ("cancel_units", True, None)}
    # The retirement account is the DNA's to see, and its units never move (para 45): its terminal state
    # offers nothing, and a move asked for anyway is refused as not offered.
    offers = bearer(w.nils).get(f"/api/v1/registry/accounts/{w.ke_retire.number}/actions").json()
    assert offers == {"state": "terminal", "actions": [], "suspensions": []}
    refused = act(bearer(w.nils), w.ke_retire, "cancel_units", {"quantity": 1, "purpose": "x"})
    assert refused.status_code == 403, refused.content


def test_problems_carry_the_services_codes(issued, bearer):
    w = issued
    api = bearer(w.ama)
    total = units_total()
    cases = [
        ({"to_account": w.foreign.number, "quantity": 5000}, 400, "units_insufficient", "quantity"),
        ({"to_account": "PACM-H-NOPE", "quantity": 5}, 400, "no_account", None),
        ({"to_account": w.ke_retire.number, "quantity": 5}, 400, "target_not_holding", "to_account"),
        ({"to_account": w.foreign.number, "quantity": 0}, 400, "invalid_input", "quantity"),
        ({"to_account": w.foreign.number, "quantity": 5, "activity": "A64-NOPE"}, 400, "invalid_input", "activity"),
    ]
    for inputs, status, code, field in cases:
        response = act(api, w.acct, "transfer_units", inputs)
        assert response.status_code == status, (inputs, response.content)
        problem = response.json()
        assert response["Content-Type"] == "application/problem+json"
        assert (problem["code"], problem["field"]) == (code, field), inputs
        assert problem["type"].endswith(code)
    assert act(api, w.acct, "open_account", {}).json()["code"] == "write_unknown"
    # The buffer pool account (STAN-METH-002 paras 54-55) is nobody's to move by hand: not found here.
    pool = mech(AccountKind.BUFFER)
    assert act(api, pool, "cancel_units", {"quantity": 1, "purpose": "x"}).json()["code"] == "not_found"
    assert units_total() == total and stream_events(w.acct)[-1][1] != "transfer"


def test_suspended_units_are_refused_with_the_suspensions_reason(issued, bearer):
    w = issued
    suspension_start(activity=w.activity, reason="observed_event", detail="Observed event 1", actor_label="sam")
    total, events = units_total(), stream_events(w.acct)
    response = act(bearer(w.ama), w.acct, "transfer_units", {"to_account": w.foreign.number, "quantity": 5})
    assert response.status_code == 400
    problem = response.json()
    assert problem["code"] == "units_suspended"
    assert "Observed event that could lead to a reversal" in problem["params"]["reason"]
    assert "Observed event that could lead to a reversal" in problem["detail"]
    assert units_total() == total and stream_events(w.acct) == events and held(w.foreign) == 0


def test_the_account_answers_show_the_suspension_with_its_reason(issued, bearer):
    """A6.4-STAN-METH-002 v01.0 para 44: the suspension shows, with its reason, on every answer that
    offers the moves; it is gone once the SB lifts it."""
    from pacm.registry.services.suspensions import suspension_lift

    w = issued
    api = bearer(w.ama)
    before = api.get(f"/api/v1/registry/accounts/{w.acct.number}/actions").json()
    assert before["suspensions"] == []
    suspension = suspension_start(activity=w.activity, reason="observed_event", detail="Observed event 1",
                                  actor_label="sam")
    shown = {"activity": w.activity.reference, "reason": "observed_event", "detail": "Observed event 1",
             "since": suspension.started_at.isoformat()}
    for path in (f"/api/v1/registry/accounts/{w.acct.number}/actions", f"/api/v1/registry/accounts/{w.acct.number}"):
        answer = api.get(path).json()
        assert [{k: v for k, v in s.items() if k != "reason_label"} for s in answer["suspensions"]] == [shown]
        assert "Observed event that could lead to a reversal" in answer["suspensions"][0]["reason_label"]
    detail = api.get(f"/api/v1/registry/accounts/{w.acct.number}").json()
    assert detail["holdings"] and all(h["suspended"] for h in detail["holdings"])
    suspension_lift(suspension=suspension, actor_label="sam")
    after = api.get(f"/api/v1/registry/accounts/{w.acct.number}").json()
    assert after["suspensions"] == [] and not any(h["suspended"] for h in after["holdings"])


def test_an_idempotency_key_moves_once(issued, bearer):
    w = issued
    api = bearer(w.ama)
    key = {"HTTP_IDEMPOTENCY_KEY": "move-0123456789abcdef"}
    inputs = {"to_account": w.foreign.number, "quantity": 7}
    first = act(api, w.acct, "transfer_units", inputs, **key)
    again = act(api, w.acct, "transfer_units", inputs, **key)
    assert first.status_code == again.status_code == 200
    assert again.json()["replayed"] is True
    assert again.json()["transaction"] == first.json()["transaction"]
    assert again.json()["events"] == first.json()["events"]
    assert held(w.foreign) == 7 and LedgerTransaction.objects.filter(kind="transfer").count() == 1
    assert stream_events(w.acct)[-1] == ("registry.units_moved", "transfer", 7, "participant")
    # A refused move leaves the key free; a malformed key is a problem before anything moves.
    refused = act(api, w.acct, "transfer_units", {**inputs, "quantity": 99_999}, HTTP_IDEMPOTENCY_KEY="k" * 20)
    assert refused.json()["code"] == "units_insufficient"
    assert act(api, w.acct, "transfer_units", inputs, HTTP_IDEMPOTENCY_KEY="k" * 20).json()["replayed"] is False
    assert act(api, w.acct, "transfer_units", inputs, HTTP_IDEMPOTENCY_KEY="bad key").json()["code"] == (
        "idempotency_key_invalid")
    # Another person's key is not theirs to replay.
    other = act(bearer(w.kofi), w.foreign, "transfer_units", {"to_account": w.acct.number, "quantity": 1}, **key)
    assert other.status_code == 400 and held(w.foreign) == 14


def test_a_multipart_post_to_the_api_is_read_by_the_api_not_the_sites_middleware(issued, bearer):
    """The submission-key middleware reads web forms only: a multipart body reaches the API unread
    (before, it was parsed first and the API could only answer `body_not_json`)."""
    w = issued
    web = Client()
    web.force_login(w.ama)
    total = units_total()
    response = web.post(f"/api/v1/registry/accounts/{w.acct.number}/actions/transfer_units",
                        {"submission_key": "k" * 20, "inputs": "x"}, HTTP_X_CSRFTOKEN="ignored")
    assert response.status_code in (400, 403, 422), response.content
    assert response.json()["code"] != "body_not_json"
    multipart = bearer(w.ama).post(f"/api/v1/registry/accounts/{w.acct.number}/actions/transfer_units",
                                   {"submission_key": "k" * 20, "inputs": "x"})
    assert multipart.json()["code"] != "body_not_json", multipart.content
    assert units_total() == total and held(w.foreign) == 0
