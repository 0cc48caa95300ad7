"""Events in the API's answers are shown as the web timeline shows them to the caller (pacm issue 9):
the same masking function (pacm_tags.event_payload_masked). A fee's payment reference is read by the
participants and the secretariat only; an issuance's receiving accounts by their holder and the
secretariat (7/CMA.4 annex I para 47); login names by those with a role on the activity.

Personas: ama (participant, holder of PACM-H-DEV-1), otto (a DOE not engaged), sam (secretariat),
the anonymous public."""
import pytest
from django.test import Client

from pacm.registry.selectors import PRIVATE_HOLDER
from projects.cycle import PeriodState as P

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(world, registered, submit, drive):
    return drive(submit(registered), P.ISSUED)


def _events(client, activity):
    body = client.get(f"/api/v1/activities/{activity.reference}/events?limit=100")
    assert body.status_code == 200, body.content
    return body.json()["items"]


def _kind(rows, kind):
    return [row for row in rows if row["kind"] == kind]


def test_the_public_and_a_foreign_doe_do_not_read_what_the_timeline_hides(world, issued, bearer):
    activity = issued.activity
    for caller in (Client(), bearer(world.otto)):
        rows = _events(caller, activity)
        paid = _kind(rows, "fee.paid")
        assert paid and all("reference" not in row["payload"] for row in paid)
        executed = _kind(rows, "issuance.executed")
        assert executed and executed[0]["payload"]["distribution"] == [f"{PRIVATE_HOLDER}: {issued.issuance.net}"]
        assert all(row["actor"] is None for row in rows if row["role"] != "timer")
        assert "WIRE-ISS" not in str(rows) and world.acct.number not in str(rows) and "ama" not in str(rows)
        # The activity's own answer masks its nested events the same way.
        detail = caller.get(f"/api/v1/activities/{activity.reference}").json()["events"]
        assert "WIRE-ISS" not in str(detail) and world.acct.number not in str(detail)


def test_the_participants_and_the_secretariat_read_what_the_timeline_shows_them(world, issued, bearer):
    activity = issued.activity
    for user in (world.ama, world.sam):
        rows = _events(bearer(user), activity)
        assert "WIRE-ISS" in [row["payload"]["reference"] for row in _kind(rows, "fee.paid")]
        assert _kind(rows, "issuance.executed")[0]["payload"]["distribution"] == [
            f"{world.acct.number}: {issued.issuance.net}"]
        submitted = _kind(rows, "monitoring.submitted")[0]
        assert submitted["actor"] == "ama"
    # A document's hash is shown to everyone who sees the timeline, as on the page.
    public = _kind(_events(Client(), activity), "document.uploaded")
    assert public and all(row["payload"].get("sha256") for row in public)


def test_the_events_page_reads_the_viewer_once(world, issued, bearer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client, url = bearer(world.ama), f"/api/v1/activities/{issued.activity.reference}/events"
    client.get(f"{url}?limit=2")  # warm: the token's last use is recorded once a minute
    counts = []
    for limit in (2, 100):
        with CaptureQueriesContext(connection) as queries:
            assert len(client.get(f"{url}?limit={limit}").json()["items"]) == min(limit, 100) or limit == 100
        counts.append(len(queries))
    assert counts[0] == counts[1]  # no query per event
