"""Reads: the same visibility as the web for every persona, cursor pages, the registry's public part."""
import pytest
from django.test import Client
from django.urls import reverse

from projects.cycle import ActivityState as A
from tests import factories as f

pytestmark = pytest.mark.django_db

PERSONAS = ("ama", "kofi", "dora", "otto", "dina", "nils", "sam", "sofia")


@pytest.fixture
def scene(world, activity, advance_to):
    """ama's published activity (in consultation, dora engaged) and her second one, still a draft."""
    published = advance_to(activity, A.CONSULTATION)
    from projects import services

    draft = services.activity_create(user=world.ama, **f.pdd_data(world.host, world.version))
    return published, draft


# Who sees what, from the rules (rules.md §2.3 S2->S3, projects.selectors' docstring), not the code:
# a draft only its participants; a published activity everyone.
SEES_DRAFT = {"ama"}


def _web(client, reference):
    return client.get(reverse("activity-detail", args=[reference])).status_code


def test_each_persona_reads_through_the_api_what_the_web_shows_them(world, scene, bearer):
    published, draft = scene
    for name in (None, *PERSONAS):
        user = getattr(world, name) if name else None
        api = bearer(user) if user else Client()
        web = Client()
        if user:
            web.force_login(user)
        listed = {row["reference"] for row in api.get("/api/v1/activities").json()["items"]}
        assert listed == ({published.reference, draft.reference} if name in SEES_DRAFT else {published.reference}), name
        for activity, seen in ((published, True), (draft, name in SEES_DRAFT)):
            status = api.get(f"/api/v1/activities/{activity.reference}").status_code
            assert status == (200 if seen else 404), (name, activity.state)
            assert _web(web, activity.reference) == status, (name, activity.state)  # the web agrees
            actions = api.get(f"/api/v1/activities/{activity.reference}/actions")
            assert actions.status_code == (200 if seen else 404)


def test_a_hidden_activity_is_a_404_problem_that_says_nothing_of_it(world, scene, bearer):
    _published, draft = scene
    response = bearer(world.kofi).get(f"/api/v1/activities/{draft.reference}")
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "not_found" and body["status"] == 404 and draft.title not in response.content.decode()


def test_the_activity_carries_its_documents_findings_periods_and_events(world, scene, bearer):
    published, _draft = scene
    body = bearer(world.ama).get(f"/api/v1/activities/{published.reference}").json()
    assert body["state"] == "consultation" and body["host"] == "GH"
    assert [d["kind"] for d in body["documents"]] == ["pdd"] and len(body["documents"][0]["sha256"]) == 64
    assert body["findings"] == [] and body["periods"] == [] and body["truncated"] == []
    kinds = [e["to_state"] for e in body["events"]]
    assert kinds[0] == "consultation"  # newest first
    assert "login" not in str(body) and "ama" not in [e.get("organisation") for e in body["events"]]


def test_filters_and_cursor_pages_walk_every_row_once_in_index_order(world, bearer):
    from projects import services

    made = [services.activity_create(user=world.ama, **f.pdd_data(world.host, world.version)) for _ in range(5)]
    client = bearer(world.ama)
    seen, cursor = [], None
    while True:
        page = client.get("/api/v1/activities", {"limit": 2, **({"cursor": cursor} if cursor else {})}).json()
        seen += [row["reference"] for row in page["items"]]
        cursor = page["next"]
        if not cursor:
            break
    assert seen == [a.reference for a in sorted(made, key=lambda a: -a.pk)]
    assert client.get("/api/v1/activities", {"host": "KE"}).json()["items"] == []
    assert len(client.get("/api/v1/activities", {"host": "gh", "state": "draft"}).json()["items"]) == 5
    assert client.get("/api/v1/activities", {"search": made[0].reference}).json()["items"][0]["reference"] == \
        made[0].reference
    assert client.get("/api/v1/activities", {"participant": world.orgs["dev2"].pk}).json()["items"] == []
    bad = client.get("/api/v1/activities", {"cursor": "not-a-cursor"})
    assert bad.status_code == 400 and bad.json()["code"] == "cursor_invalid" and bad.json()["field"] == "cursor"
    too_many = client.get("/api/v1/activities", {"limit": 10_000})
    assert too_many.status_code == 422 and too_many.json()["field"] == "limit"


def test_anonymous_reads_the_public_registry_but_no_account(world):
    client = Client()
    totals = client.get("/api/v1/registry/totals")
    assert totals.status_code == 200 and totals.json() == {"issued": 0, "held": 0, "by_account_kind": {}}
    assert client.get("/api/v1/registry/issuances").json() == {"items": [], "next": None}
    assert client.get("/api/v1/registry/accounts").json() == {"items": []}
    assert client.get("/api/v1/registry/accounts/PACM-H-KPO-1").status_code == 404
    bad = client.get("/api/v1/registry/blocks", {"serial": "not a serial"})
    assert bad.status_code == 400 and bad.json()["code"] == "serial_invalid"


def test_a_page_costs_the_same_queries_for_3_or_12_rows(world, bearer):
    """Fast by construction: no query per row (the list's joins are selected, its page one range)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from projects import services

    client = bearer(world.ama)

    def cost():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/activities", {"limit": 50}).status_code == 200
        return len(queries)

    for _ in range(3):
        services.activity_create(user=world.ama, **f.pdd_data(world.host, world.version))
    cost()  # the token's first use writes its last_used_at (once a minute)
    few = cost()
    for _ in range(9):
        services.activity_create(user=world.ama, **f.pdd_data(world.host, world.version))
    assert cost() == few


def test_methodology_scope_and_type_filters_return_exactly_the_matching_activities(world, bearer):
    """`?methodology=`, `?scope=` and `?type=` (ActivitiesIn) each keep exactly the activities that match."""
    from projects import services

    other_version = f.methodology_version("A6.4-AMM-002", scope_number=1)
    base = services.activity_create(user=world.ama, **f.pdd_data(world.host, world.version))
    fixed = services.activity_create(user=world.ama, **f.pdd_data(world.host, world.version, crediting_type="fixed"))
    other = services.activity_create(user=world.ama, **f.pdd_data(world.host, other_version,
                                                                  sectoral_scope=f.scope(1)))
    client = bearer(world.ama)

    def refs(**params):
        response = client.get("/api/v1/activities", params)
        assert response.status_code == 200, response.content
        return {row["reference"] for row in response.json()["items"]}

    assert refs(methodology="A6.4-AMM-001") == {base.reference, fixed.reference}
    assert refs(methodology="A6.4-AMM-002") == {other.reference}
    assert refs(methodology="A6.4-AMM-999") == set()
    assert refs(scope=13) == {base.reference, fixed.reference}
    assert refs(scope=1) == {other.reference}
    assert refs(scope=2) == set()
    assert refs(type="fixed") == {fixed.reference}
    assert refs(type="renewable") == {base.reference, other.reference}
    assert refs(methodology="A6.4-AMM-001", type="renewable") == {base.reference}
    bad = client.get("/api/v1/activities", {"type": "sometimes"})
    assert bad.status_code == 422 and bad.json()["field"] == "type"
