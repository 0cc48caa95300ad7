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
