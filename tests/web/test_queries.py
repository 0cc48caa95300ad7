"""No N+1: the activity page and the dashboard read in a fixed number of queries."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pacm.events.models import Event
from projects import services

from .. import factories as f
from .conftest import page_url

KINDS = ("pdd", "local_consultation", "sd_report", "other")
# Fixed ceilings for one page view (session, user, navbar, permission predicates, one query per
# related list); they do not grow with documents, versions, events or activities.
PAGE_MAX_QUERIES = 45
DASHBOARD_MAX_QUERIES = 20


def _fill(world, activity, n):
    for i in range(n):
        services.document_upload(
            activity=activity,
            user=world.ama,
            kind=KINDS[i % len(KINDS)],
            uploaded=f.pdf(f"doc-{i}.pdf", f.PDF_BYTES + f"% {i}\n".encode()),
        )


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_activity_page_queries_do_not_grow_with_documents_and_events(
    as_user, world, activity, django_assert_max_num_queries
):
    client = as_user(world.ama)
    _fill(world, activity, 1)
    small = _count(client, page_url(activity))
    _fill(world, activity, 20)
    assert activity.documents.count() == len(KINDS)
    assert Event.objects.filter(stream=activity.stream).count() >= 22
    assert _count(client, page_url(activity)) == small
    with django_assert_max_num_queries(PAGE_MAX_QUERIES):
        client.get(page_url(activity))


def test_dashboard_queries_do_not_grow_with_activities(as_user, world, django_assert_max_num_queries):
    client = as_user(world.ama)
    services.activity_create(user=world.ama, **f.pdd_data(world.host, world.version))
    small = _count(client, reverse("dashboard"))
    for i in range(20):
        services.activity_create(user=world.ama, **f.pdd_data(world.host, world.version, title=f"Activity {i}"))
    assert _count(client, reverse("dashboard")) == small
    with django_assert_max_num_queries(DASHBOARD_MAX_QUERIES):
        html = client.get(reverse("dashboard")).content.decode()
    assert html.count("Activity 1") >= 1 and "My activities" in html


def test_activity_page_queries_do_not_grow_with_findings(
    as_user, world, activity, advance_to, django_assert_max_num_queries
):
    from projects.cycle import ActivityState as A

    activity = advance_to(activity, A.UNDER_VALIDATION)
    services.finding_raise(activity=activity, user=world.dora, kind="car", text="Finding 0")
    counts = {}
    for who in ("dora", "ama"):
        counts[who] = _count(as_user(getattr(world, who)), page_url(activity))
    for i in range(1, 20):
        finding = services.finding_raise(activity=activity, user=world.dora, kind="cl", text=f"Finding {i}")
        if i % 2:
            services.finding_answer(finding=finding, user=world.ama, response=f"Answer {i}")
    for who in ("dora", "ama"):
        client = as_user(getattr(world, who))
        assert _count(client, page_url(activity)) == counts[who], who
        with django_assert_max_num_queries(PAGE_MAX_QUERIES):
            client.get(page_url(activity))


def test_activity_timeline_is_paged_by_sequence(as_user, world, activity, django_assert_max_num_queries):
    """pacm issue 8: the page shows the newest 50 events and links to older ones (keyset on the
    sequence), so its queries and its size do not grow with the history."""
    client = as_user(world.ama)
    _fill(world, activity, 2)
    small = _count(client, page_url(activity))
    _fill(world, activity, 60)
    events = list(Event.objects.filter(stream=activity.stream).order_by("-sequence").values_list("sequence", flat=True))
    assert len(events) > 60
    assert _count(client, page_url(activity)) == small
    html = client.get(page_url(activity)).content.decode()
    timeline = html.split('id="timeline"')[1].split("</ol>")[0]
    assert timeline.count("<li>") == 50
    assert f"?before={events[49]}#timeline" in html and "Older events" in html
    older = client.get(page_url(activity), {"before": events[49]}).content.decode()
    rest = older.split('id="timeline"')[1].split("</ol>")[0]
    assert rest.count("<li>") == min(50, len(events) - 50) and "Newest events" in older
    with django_assert_max_num_queries(PAGE_MAX_QUERIES):
        client.get(page_url(activity), {"before": "not-a-number"})


def test_secretariat_dashboard_queries_do_not_grow_with_fees_and_queue(as_user, world):
    """pacm issue 8: the fees-due list and the queues are paged (25 rows) in a fixed number of queries,
    none of them a COUNT of the list (one query of 26 rows says whether a next page exists)."""
    from django.utils import timezone

    from methodologies.models import RuleSet
    from projects.models import Fee

    client = as_user(world.sam)
    activity = services.activity_create(user=world.ama, **f.pdd_data(world.host, world.version))

    def add_fees(n):
        for _ in range(n):
            Fee.objects.create(activity=activity, kind=Fee.Kind.choices[0][0], amount_usd=1000, basis="test",
                               status=Fee.Status.DUE, rule_set=RuleSet.objects.in_force(), assessed_at=timezone.now())

    add_fees(1)
    small = _count(client, reverse("dashboard"))
    add_fees(40)
    assert _count(client, reverse("dashboard")) == small
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        html = client.get(reverse("dashboard")).content.decode()
    assert "?fees=2" in html and "Page 1 of" not in html
    assert not [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT COUNT(*)") and "projects_fee" in q["sql"]]
    second = client.get(reverse("dashboard"), {"fees": 2}).content.decode()
    assert second.count("#fees") - html.count("#fees") < 0  # 16 fees on the second page, 25 on the first
    assert "?fees=3" not in second
