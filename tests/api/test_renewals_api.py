"""A crediting-period renewal through the API (pacm issue 9: every action of `available_actions`):
the participants withdraw a project's renewal with the page's own form (A6.4-PROC-AC-002 v03.0
para 250), the DOE's validation (a file) stays on the web page, and the SB's decision on a CP's
renewal under review goes through the Board panel's adapter (PROC-AC-003 v03.0 paras 302, 305).

Personas: ama (participant), otto (the renewal's DOE), kofi (another developer), sam (secretariat)."""
import datetime

import pytest

from projects.renewals import review
from projects.renewals.cycle import CPRenewalState as C
from projects.renewals.cycle import RenewalState as S
from tests.renewals.helpers import fresh, last_sequence, registered_renewable, renewal_events, request
from tests.renewals.poa_helpers import renewed_cp

pytestmark = pytest.mark.django_db


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_the_participants_withdraw_a_renewal_through_the_api(world, advance_to, time_machine, bearer):
    activity = registered_renewable(world, advance_to)
    time_machine.move_to(datetime.datetime.combine(activity.crediting_end - datetime.timedelta(days=100),
                                                   datetime.time(9), tzinfo=datetime.UTC), tick=False)
    renewal = request(world, activity)
    url = f"/api/v1/renewals/{renewal.pk}/actions"
    assert bearer(world.kofi).get(url).status_code == 404  # not his, not published
    offered = {o["name"]: o for o in bearer(world.ama).get(url).json()["actions"]}
    assert offered["withdraw"]["in_api"] is True
    by_doe = {o["name"]: o for o in bearer(world.otto).get(url).json()["actions"]}
    # Its report is a file: taken as multipart on its own route, which the listing names.
    assert by_doe["validate_renewal"]["in_api"] is True
    assert by_doe["validate_renewal"]["endpoint"] == f"/api/v1/renewals/{renewal.pk}/actions/validate_renewal/upload"
    refused = _post(bearer(world.otto), f"{url}/validate_renewal", {"expected_state": S.UNDER_VALIDATION})
    assert refused.status_code == 400 and refused.json()["code"] == "multipart_required"
    assert refused.json()["params"] == {"endpoint": by_doe["validate_renewal"]["endpoint"]}
    assert _post(bearer(world.kofi), f"{url}/withdraw", {"comment": "x"}).status_code == 404
    no_reason = _post(bearer(world.ama), f"{url}/withdraw", {"comment": "", "expected_state": S.UNDER_VALIDATION})
    assert no_reason.status_code == 400 and fresh(renewal).state == S.UNDER_VALIDATION
    since = last_sequence(activity.stream)
    done = _post(bearer(world.ama), f"{url}/withdraw",
                 {"comment": "The baseline is being revised.", "expected_state": S.UNDER_VALIDATION})
    assert done.status_code == 200, done.content
    assert done.json()["subject"] == {"kind": "renewal", "reference": f"{activity.reference}/{renewal.number}",
                                      "state": S.WITHDRAWN}
    assert renewal_events(activity.stream, since) == [("renewal.transitioned", "withdraw")]
    assert [e["kind"] for e in done.json()["events"]] == ["renewal.transitioned"]


def test_the_sb_decision_on_a_cp_renewal_under_review_through_the_api(world, time_machine, bearer):
    poa, cp, renewal = renewed_cp(world, time_machine)
    renewal = review.cp_renewal_request_review(renewal=renewal, user=world.dina,
                                               comment="The CP no longer meets eligibility criterion 3.")
    url = f"/api/v1/renewals/{renewal.pk}/actions"
    offered = {o["name"]: o for o in bearer(world.sam).get(url).json()["actions"]}
    assert offered["decide_as_board"]["in_api"] is True
    body = {"inputs": {"mode": "meeting", "transition": "reverse_renewal", "meeting": "SBM020", "agenda_item": "5.1",
                       "outcome": "adopted", "by": "consensus"}, "comment": "Erroneously renewed."}
    assert _post(bearer(world.ama), f"{url}/decide_as_board", body).status_code == 403
    since = last_sequence(poa.stream)
    done = _post(bearer(world.sam), f"{url}/decide_as_board", body)
    assert done.status_code == 200, done.content
    assert done.json()["subject"]["state"] == C.REVERSED == fresh(renewal).state
    assert renewal_events(poa.stream, since) == [("board.decided", None), ("renewal.transitioned", "reverse_renewal")]
