"""pacm issue 8 (`make bench-pages`): every page type the page benchmark opens reads the same number
of queries with a small and a larger data set (more periods, blocks, transactions, activities and
waiting items): the dashboards of every role, the public activity list and registry filter, the
activity page of a long history, the Adaptation Fund's account page and the issuance preview."""

import pytest
from django.urls import reverse

from pacm.registry.models import Account, AccountKind
from projects import services
from projects.cycle import PeriodState as P

from .. import factories as f
from .conftest import issuance_post, period_url
from .test_queries import count, split_into_blocks

# Ceilings of one view; the point of each test is the equality of the two counts.
DASHBOARD_MAX_QUERIES = 20
PREVIEW_MAX_QUERIES = 40


@pytest.fixture
def grown(world, registered, submit, drive):
    """A small world (one period issued, one verified), and a function that makes it larger: two
    more periods issued, many more blocks and transactions, activities and periods waiting."""
    drive(submit(registered), P.ISSUED)
    verified = drive(submit(registered, number=2), P.VERIFIED)
    world.af_user = f.user("afa", world.orgs["af"])
    # Every list shows a row already (an empty page runs no SELECT): a draft waits for its participant.
    services.activity_create(user=world.ama, **f.pdd_data(world.host, world.version))

    def grow(as_user=None, user=None):
        """Make the world larger; the clock moves past the new periods, so log `user` in again."""
        split_into_blocks(world, 20)
        for _ in range(3):
            services.activity_create(user=world.ama, **f.pdd_data(world.host, world.version))
        drive(submit(registered, number=3), P.ISSUED)
        drive(submit(registered, number=4), P.ISSUED)
        submit(registered, number=5)  # waits for the DOE
        split_into_blocks(world, 20)
        return as_user(user) if as_user else None

    return {"activity": registered, "verified": verified, "grow": grow}


@pytest.mark.parametrize("who", ["ama", "dora", "dina", "sam", "sofia", "af_user"])
def test_dashboard_of_every_role_does_not_grow(as_user, world, grown, django_assert_max_num_queries, who):
    client = as_user(getattr(world, who))
    url = reverse("dashboard")
    small = count(client, url)
    client = grown["grow"](as_user, getattr(world, who))
    assert count(client, url) == small
    with django_assert_max_num_queries(DASHBOARD_MAX_QUERIES):
        client.get(url)


@pytest.mark.parametrize("who", [None, "ama", "dina"])
def test_activity_page_of_a_longer_history_does_not_grow(as_user, world, grown, who):
    client = as_user(getattr(world, who) if who else None)
    activity = grown["activity"]
    url = reverse("activity-detail", kwargs={"reference": activity.reference})
    small = count(client, url)
    client = grown["grow"](as_user, getattr(world, who) if who else None)
    assert count(client, url) == small
    html = client.get(url).content.decode()
    # The periods' own documents are on their pages, not repeated in the activity's documents.
    documents = html.split('id="documents"')[1].split('id="findings"')[0]
    assert "monitoring.pdf" not in documents and period_url(activity.monitoring_periods.get(number=5)) in html


def test_public_list_and_registry_filter_do_not_grow(client, world, grown):
    activity = grown["activity"]
    urls = [reverse("registry-public"), reverse("registry-public") + "?q=Kpone",
            reverse("registry-units") + f"?activity={activity.reference}"]
    small = [count(client, url) for url in urls]
    grown["grow"]()
    assert [count(client, url) for url in urls] == small


def test_adaptation_fund_account_page_does_not_grow(as_user, world, grown):
    client = as_user(world.af_user)
    url = reverse("registry-account", kwargs={"number": Account.objects.get(kind=AccountKind.SOP_ADAPTATION).number})
    small = count(client, url)
    client = grown["grow"](as_user, world.af_user)
    assert count(client, url) == small


def test_issuance_preview_does_not_grow(as_user, world, grown, django_assert_max_num_queries):
    client = as_user(world.dora)
    verified = grown["verified"]
    url = period_url(verified, "period-request-issuance")
    data = issuance_post(units=verified.verified_total, lines=[(world.acct.number, None, 100)], preview=True)

    def preview():
        response = client.post(url, data)
        assert response.status_code == 200 and "Preview: nothing is submitted yet" in response.content.decode()

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        preview()
    grown["grow"](as_user, world.dora)  # the same client, logged in again
    with CaptureQueriesContext(connection) as large:
        preview()
    assert len(large) == len(small)
    with django_assert_max_num_queries(PREVIEW_MAX_QUERIES):
        preview()
